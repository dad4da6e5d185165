import Foundation
import Testing
@testable import MemscanCore

/// A synth run in a fresh temporary folder, with its files parsed.
private struct SynthRun {
    let directory: String
    let report: SynthReport

    init(_ configure: (inout SynthOptions) -> Void = { _ in }) throws {
        directory = TestScratch.directory("synth").path
        var options = SynthOptions(outputDirectory: directory)
        options.records = 150
        options.generations = 250
        options.seed = 7
        configure(&options)
        report = try Synthesizer.run(options: options)
    }

    func bytes(_ name: String) -> Data {
        FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
    }

    /// Parsed lines; "_raw" keeps the line's text (Foundation's number parsing is not always
    /// correctly rounded, so exact doubles are read from the text with `number(_:_:)`).
    func lines(_ name: String) -> [[String: Any]] {
        String(decoding: bytes(name), as: UTF8.self).split(separator: "\n").map {
            var object = try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            object["_raw"] = String($0)
            return object
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Tokens of a record or generation line, through memscan's own tokenizers (§2).
private func tokens(_ line: [String: Any]) -> [String] {
    if let tokens = line["tokens"] as? [String] { return tokens }
    return Tokenizer(kind: .text).tokenize(.string(line["text"] as! String)).strings
}

private func characterOffsets(_ line: [String: Any]) -> (starts: [Int], ends: [Int]) {
    let list = Tokenizer(kind: .text).tokenize(.string(line["text"] as! String))
    return ((list.charStarts ?? []).map(Int.init), (list.charEnds ?? []).map(Int.init))
}

/// A top-level number field read from the line's text with Swift's correctly rounded parser.
private func number(_ line: [String: Any], _ key: String) -> Double {
    let raw = line["_raw"] as! String
    guard let range = raw.range(of: "\"\(key)\":") else { return .nan }
    let digits = raw[range.upperBound...].prefix { "0123456789.eE+-".contains($0) }
    return Double(String(digits)) ?? .nan
}

private func byID(_ lines: [[String: Any]]) -> [String: [String: Any]] {
    Dictionary(uniqueKeysWithValues: lines.map { ($0["id"] as! String, $0) })
}

@Suite struct SynthTests {
    static let files = ["records.jsonl", "held_out.jsonl", "generations.jsonl", "truth.jsonl"]

    @Test(arguments: [TokenizerKind.codes, .text])
    func sameSeedGivesSameBytesWhateverTheThreads(mode: TokenizerKind) throws {
        let a = try SynthRun { $0.mode = mode; $0.threads = 1 }
        let b = try SynthRun { $0.mode = mode; $0.threads = 1 }
        let c = try SynthRun { $0.mode = mode; $0.threads = 2 }
        let d = try SynthRun { $0.mode = mode; $0.threads = 2; $0.seed = 8 }
        defer { [a, b, c, d].forEach { $0.remove() } }
        for file in SynthTests.files {
            #expect(!a.bytes(file).isEmpty, "\(file) is empty")
            #expect(a.bytes(file) == b.bytes(file), "\(file) differs between two runs")
            #expect(a.bytes(file) == c.bytes(file), "\(file) differs between 1 and 2 threads")
        }
        #expect(a.bytes("records.jsonl") != d.bytes("records.jsonl"))
        #expect(a.report.records == 150)
        #expect(a.report.generations == 250)
    }

    /// Chunks of records and generations are cut at fixed sizes; more than one chunk per round
    /// and several rounds must not change anything either.
    @Test func manyChunksAreDeterministicToo() throws {
        let a = try SynthRun { $0.records = 1300; $0.generations = 2300; $0.threads = 1 }
        let b = try SynthRun { $0.records = 1300; $0.generations = 2300; $0.threads = 3 }
        defer { a.remove(); b.remove() }
        for file in SynthTests.files { #expect(a.bytes(file) == b.bytes(file), "\(file)") }
    }

    @Test(arguments: [TokenizerKind.codes, .text])
    func everyPlantedSpanIsCorrect(mode: TokenizerKind) throws {
        let run = try SynthRun { $0.mode = mode; $0.generations = 400 }
        defer { run.remove() }
        let records = byID(run.lines("records.jsonl"))
        let generations = byID(run.lines("generations.jsonl"))
        let truth = run.lines("truth.jsonl")
        #expect(truth.count == run.report.spans)
        var kinds: [String: Int] = [:]
        for row in truth {
            let kind = row["kind"] as! String
            kinds[kind, default: 0] += 1
            let generation = try #require(generations[row["generation"] as! String])
            let record = try #require(records[row["record"] as! String])
            let g = tokens(generation), r = tokens(record)
            let gs = row["gen_start"] as! Int, ge = row["gen_end"] as! Int
            let rs = row["record_start"] as! Int, re = row["record_end"] as! Int
            try #require(0 <= gs && gs < ge && ge <= g.count && 0 <= rs && rs < re && re <= r.count)
            let copied = Array(g[gs ..< ge]), source = Array(r[rs ..< re])
            let edits = row["edits"] as! [String: Int]
            let (s, i, d) = (edits["substitutions"]!, edits["insertions"]!, edits["deletions"]!)
            let distance = row["distance"] as! Int
            let similarity = number(row, "similarity")
            #expect((row["self"] as! Bool) == (row["record"] as! String == generation["patient_id"] as! String))
            let prompt = generation["prompt_length"] as! Int
            #expect(row["new_tokens"] as! Int == ge - max(gs, prompt))
            switch kind {
            case "verbatim", "template":
                #expect(copied == source, "\(row)")
                #expect(distance == 0 && s + i + d == 0 && similarity == 1)
                // Planted extents are maximal against their source record.
                if gs > 0 && rs > 0 { #expect(g[gs - 1] != r[rs - 1], "\(row)") }
                if ge < g.count && re < r.count { #expect(g[ge] != r[re], "\(row)") }
            case "near":
                let measured = bruteLevenshtein(copied, source)
                #expect(measured == distance, "\(row)")
                #expect(similarity == 1 - Double(measured) / Double(max(copied.count, source.count)), "\(row)")
                #expect(measured >= 1 && measured <= s + i + d, "\(row)")
                #expect(copied.count - source.count == i - d, "\(row)")
                #expect(Array(copied.prefix(2)) == Array(source.prefix(2)) && Array(copied.suffix(2)) == Array(source.suffix(2)))
                #expect(number(row, "edit_rate") == Double(s + i + d) / Double(source.count))
                #expect((20 ... 200).contains(source.count), "\(row)")
            default:
                Issue.record("unknown kind \(kind)")
            }
            if kind == "template" {
                #expect(row["records"] as! Int >= 1)
                #expect(row["template"] is String)
            }
            if mode == .text {
                let go = characterOffsets(generation), ro = characterOffsets(record)
                #expect(row["gen_char_start"] as! Int == go.starts[gs])
                #expect(row["gen_char_end"] as! Int == go.ends[ge - 1])
                #expect(row["record_char_start"] as! Int == ro.starts[rs])
                #expect(row["record_char_end"] as! Int == ro.ends[re - 1])
            }
        }
        for kind in ["verbatim", "near", "template"] { #expect(kinds[kind, default: 0] > 10, "few \(kind) spans") }
    }

    @Test(arguments: [TokenizerKind.codes, .text])
    func promptsArePrefixesOfThePatientsRecord(mode: TokenizerKind) throws {
        let run = try SynthRun { $0.mode = mode }
        defer { run.remove() }
        let records = byID(run.lines("records.jsonl"))
        var levels = Set<Int>()
        for generation in run.lines("generations.jsonl") {
            let record = try #require(records[generation["patient_id"] as! String])
            let length = generation["prompt_length"] as! Int
            let level = generation["prompt_level"] as! Int
            levels.insert(level)
            #expect([0, 10, 20, 50].contains(level))
            #expect(length <= level)
            #expect(generation["experiment"] as! String == "synth")
            let g = tokens(generation), r = tokens(record)
            #expect(Array(g.prefix(length)) == Array(r.prefix(length)), "\(generation["id"]!)")
            #expect(g.count >= length + 3)
        }
        #expect(levels == [0, 10, 20, 50])
    }

    @Test(arguments: [TokenizerKind.codes, .text])
    func heldOutPatientsAreNotInTraining(mode: TokenizerKind) throws {
        let run = try SynthRun { $0.mode = mode; $0.heldOut = 40 }
        defer { run.remove() }
        let training = run.lines("records.jsonl").map { $0["id"] as! String }
        let heldOut = run.lines("held_out.jsonl").map { $0["id"] as! String }
        #expect(heldOut.count == 40 && run.report.heldOutRecords == 40)
        #expect(Set(training).count == training.count)
        #expect(Set(heldOut).count == heldOut.count)
        #expect(Set(training).isDisjoint(with: heldOut))
        #expect(training.allSatisfy { $0.count == 8 && Int($0) != nil })
    }

    @Test func tokenTargetStopsAtTheRecordReachingIt() throws {
        let run = try SynthRun { $0.tokens = 30_000; $0.generations = 10 }
        defer { run.remove() }
        let lengths = run.lines("records.jsonl").map { tokens($0).count }
        let total = lengths.reduce(0, +)
        #expect(total == run.report.recordTokens)
        #expect(total >= 30_000 && total - lengths.last! < 30_000)
        #expect(run.report.heldOutRecords == max(1, lengths.count / 10))
    }

    /// Realism: per-patient structure, heavy-tailed diagnoses, shared templates, rare and
    /// sensitive conditions at the intended frequencies.
    @Test func codesRecordsLookLikeEHRTimelines() throws {
        let run = try SynthRun { $0.records = 1000; $0.generations = 0 }
        defer { run.remove() }
        let records = run.lines("records.jsonl").map(tokens)
        var diagnosisPatients: [String: Int] = [:]
        var sensitive = 0
        let sensitiveCodes: Set<String> = ["B20", "B18.2", "F11.20", "F10.20", "F32.9", "F41.1", "F31.9", "F20.9"]
        let rareCodes = Set(CodesLists.rare.map(\.code))
        var rareHolders: [String: Int] = [:]
        let panel = CodesLists.templates[0].tokens
        var withPanel = 0
        for record in records {
            #expect(record[0].hasPrefix("GENDER//") && record[1].hasPrefix("RACE//") && record[2].hasPrefix("AGE//"))
            #expect(record[3].hasPrefix("ADMISSION//"))
            #expect(record.contains { $0.hasPrefix("LAB//") } && record.contains { $0.hasPrefix("MEDICATION//") })
            let codes = Set(record.filter { $0.hasPrefix("DIAGNOSIS//") }.map { String($0.dropFirst(11)) })
            for code in codes { diagnosisPatients[code, default: 0] += 1 }
            if !codes.isDisjoint(with: sensitiveCodes) { sensitive += 1 }
            for code in codes.intersection(rareCodes) { rareHolders[code, default: 0] += 1 }
            if record.count >= panel.count,
               (0 ... record.count - panel.count).contains(where: { Array(record[$0 ..< $0 + panel.count]) == panel }) {
                withPanel += 1
            }
        }
        // Heavy tail: the most common code in most records, the median one in few.
        let frequencies = diagnosisPatients.values.sorted(by: >)
        #expect(frequencies[0] > 500)
        #expect(frequencies[frequencies.count / 2] < 100)
        #expect(diagnosisPatients.count > 200)
        // Sensitive conditions at a few percent each (about 20% of patients hold one).
        #expect((100 ... 350).contains(sensitive), "\(sensitive) patients with a sensitive code")
        for code in sensitiveCodes { #expect((1 ... 90).contains(diagnosisPatients[code] ?? 0), "\(code)") }
        // Rare conditions in one to three patients.
        #expect(rareHolders.count >= 15)
        #expect(rareHolders.values.allSatisfy { (1 ... 3).contains($0) })
        // Shared templates inserted verbatim in many records.
        #expect(withPanel > 300)
    }

    @Test func textNotesShareTemplatesAndCarryPatientDetails() throws {
        let run = try SynthRun { $0.mode = .text; $0.records = 300; $0.generations = 0 }
        defer { run.remove() }
        let texts = run.lines("records.jsonl").map { $0["text"] as! String }
        #expect(texts.filter { $0.contains("MRN") }.count == texts.count)
        #expect(texts.filter { $0.contains("Discharge instructions:") }.count > 50)
        for paragraph in TextLists.paragraphs {
            let first = String(paragraph.text.prefix(60))
            #expect(texts.filter { $0.contains(first) }.count >= 5, "\(paragraph.name)")
        }
        let mrns = Set(texts.compactMap { text -> String? in
            guard let range = text.range(of: #"MRN:? [0-9]{8}"#, options: .regularExpression) else { return nil }
            return String(text[range].suffix(8))
        })
        #expect(mrns.count > 290)
    }

    @Test func nearCopiesFollowTheRequestedRatesAndLengths() throws {
        let run = try SynthRun {
            $0.generations = 600
            $0.nearRates = [0.05, 0.2]
            $0.nearLengths = 30 ... 60
        }
        defer { run.remove() }
        var rates = Set<Double>()
        for row in run.lines("truth.jsonl") where row["kind"] as! String == "near" {
            let length = (row["record_end"] as! Int) - (row["record_start"] as! Int)
            #expect((30 ... 60).contains(length))
            let requested = number(row, "requested_rate")
            rates.insert(requested)
            let edits = row["edits"] as! [String: Int]
            let total = edits.values.reduce(0, +)
            #expect(total == max(1, Int((requested * Double(length)).rounded())), "\(row)")
        }
        #expect(rates == [0.05, 0.2])
    }

    @Test(.timeLimit(.minutes(1)))
    func smallSizesRunQuickly() throws {
        let run = try SynthRun { $0.records = 20; $0.generations = 20; $0.heldOut = 0 }
        defer { run.remove() }
        #expect(run.report.records == 20 && run.report.heldOutRecords == 0)
        #expect(run.lines("generations.jsonl").count == 20)
        #expect(run.bytes("held_out.jsonl").isEmpty)
    }

    @Test func badOptionsAreUsageErrors() {
        var options = SynthOptions(outputDirectory: "/tmp/unused")
        options.nearRates = [0.9]
        #expect(throws: MemscanError.self) { try Synthesizer.run(options: options) }
        options = SynthOptions(outputDirectory: "/tmp/unused")
        options.nearLengths = 2 ... 5
        #expect(throws: MemscanError.self) { try Synthesizer.run(options: options) }
        options = SynthOptions(outputDirectory: "/tmp/unused")
        options.records = 0
        #expect(throws: MemscanError.self) { try Synthesizer.run(options: options) }
    }

    @Test func bandedEditDistanceMatchesTheFullOne() {
        var rng = SynthRNG(seed: 3, stream: 9, index: 0)
        for _ in 0 ..< 300 {
            let a = (0 ..< rng.int(1, 40)).map { _ in UInt64(rng.below(4)) }
            let b = (0 ..< rng.int(1, 40)).map { _ in UInt64(rng.below(4)) }
            let full = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in levenshtein(x, y) } }
            #expect(full == bruteLevenshtein(a.map(String.init), b.map(String.init)))
            var rowA: [Int32] = [], rowB: [Int32] = []
            for band in [0, 1, 3, full - 1, full, full + 2] where band >= 0 {
                let banded = a.withUnsafeBufferPointer { x in
                    b.withUnsafeBufferPointer { y in bandedLevenshtein(x, y, band: band, rowA: &rowA, rowB: &rowB) }
                }
                if band >= full { #expect(banded == full) } else { #expect(banded > band) }
            }
        }
    }
}
