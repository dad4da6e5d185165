import Foundation
import Testing

/// Text mode (§2, §5): clinical notes, spans with character offsets.
@Suite struct CLITextModeTests {
    /// Independent tokenizer for the sample notes (ASCII): case-folded runs of letters and
    /// digits with their offsets in Unicode scalars.
    static func tokenize(_ text: String) -> [(token: String, start: Int, end: Int)] {
        var tokens: [(String, Int, Int)] = []
        var current = "", start = 0
        for (i, scalar) in text.unicodeScalars.enumerated() {
            let c = Character(scalar)
            if c.isLetter || c.isNumber {
                if current.isEmpty { start = i }
                current += c.lowercased()
            } else if !current.isEmpty {
                tokens.append((current, start, i))
                current = ""
            }
        }
        if !current.isEmpty { tokens.append((current, start, text.unicodeScalars.count)) }
        return tokens
    }

    static func substring(_ text: String, _ start: Int, _ end: Int) -> String {
        let scalars = Array(text.unicodeScalars)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start ..< end])
        return String(view)
    }

    @Test func noteSpansCarryCharacterOffsets() throws {
        let dir = try TempDir()
        let index = dir.file("notes.index")
        // k = 4, w = 2: G = 5, short enough for the sample's copied sentences.
        let build = try CLI.run(["index", "build", "--tokenizer", "text", "-k", "4", "-w", "2", "-o", index, CLI.sample("notes/records.jsonl")])
        #expect(build.status == 0, "\(build.err)")
        #expect(build.err.contains("indexed 100 records"), "\(build.err)")

        let run = try CLI.run(["scan", "--index", index, "--no-near", "--all", "--group-by", "experiment", CLI.sample("notes/generations.jsonl")])
        #expect(run.status == 0, "\(run.err)")
        let lines = try parseJSONL(run.out)
        #expect(lines.count == 50)
        let inputs = try parseJSONL(String(decoding: try Data(contentsOf: URL(fileURLWithPath: CLI.sample("notes/generations.jsonl"))), as: UTF8.self))
        let texts = Dictionary(uniqueKeysWithValues: inputs.map { (scalar($0["id"])!, $0["text"] as! String) })
        let notes = try parseJSONL(String(decoding: try Data(contentsOf: URL(fileURLWithPath: CLI.sample("notes/records.jsonl"))), as: UTF8.self))
        let noteTexts = Dictionary(uniqueKeysWithValues: notes.map { (scalar($0["id"])!, $0["text"] as! String) })

        var byGeneration: [String: [JSONObject]] = [:]
        var spanCount = 0
        for line in lines {
            let id = scalar(line["id"])!
            let text = try #require(texts[id])
            let tokens = Self.tokenize(text)
            #expect(int(line["tokens"]) == tokens.count, "\(id)")
            #expect(line["experiment"] as? String == "demo")
            byGeneration[id] = spans(of: line)
            for span in spans(of: line) {
                spanCount += 1
                let start = int(span["start"])!, end = int(span["end"])!
                let charStart = try #require(int(span["char_start"]), "\(id): no char_start")
                let charEnd = try #require(int(span["char_end"]), "\(id): no char_end")
                #expect(charStart == tokens[start].start && charEnd == tokens[end - 1].end, "\(id) [\(start), \(end))")
                // The characters of the span tokenize to exactly the span's tokens...
                let piece = Self.substring(text, charStart, charEnd)
                #expect(Self.tokenize(piece).map(\.token) == tokens[start ..< end].map(\.token), "\(id): '\(piece)'")
                // ... which are the record's tokens at record_start ..< record_end.
                if span["kind"] as? String == "verbatim" {
                    let record = try #require(noteTexts[scalar(span["record"])!])
                    let recordTokens = Self.tokenize(record)
                    let rs = int(span["record_start"])!, re = int(span["record_end"])!
                    #expect(recordTokens[rs ..< re].map(\.token) == tokens[start ..< end].map(\.token), "\(id)")
                }
            }
        }
        #expect(spanCount > 0)

        // Every verbatim or template passage of sample/notes/truth.jsonl at least G = 5 tokens
        // long is reported with its token and character positions. (memscan synth lists the
        // records holding a template; a verbatim copy's source is its one record.)
        let truth = try parseJSONL(String(decoding: try Data(contentsOf: URL(fileURLWithPath: CLI.sample("notes/truth.jsonl"))), as: UTF8.self))
        var checked = 0
        for row in truth where row["kind"] as? String != "near" && int(row["gen_end"])! - int(row["gen_start"])! >= 5 {
            let id = scalar(row["generation"])!
            let match = byGeneration[id, default: []].first {
                int($0["start"]) == int(row["gen_start"]) && int($0["end"]) == int(row["gen_end"])
            }
            guard let match else {
                Issue.record("\(id) [\(row["gen_start"]!), \(row["gen_end"]!)) not reported")
                continue
            }
            checked += 1
            #expect(int(match["char_start"]) == int(row["gen_char_start"]), "\(id)")
            #expect(int(match["char_end"]) == int(row["gen_char_end"]), "\(id)")
            #expect(int(match["records"]) == int(row["records"]) ?? 1, "\(id)")
            let ids = (match["record_ids"] as? [Any] ?? []).compactMap(scalar)
            #expect(ids.contains(scalar(row["record"])!), "\(id): \(ids)")
        }
        #expect(checked >= 20, "only \(checked) truth passages checked")
    }

    @Test func textTokensAreCaseFoldedAndPunctuationFree() throws {
        let dir = try TempDir()
        let note = "Patient John Q. Example, MRN 12345678, seen 2021-03-04: HIV positive; started Biktarvy 50 mg daily. Follow up in 2 weeks at the ID clinic."
        let records = jsonLine([("note_id", jsonString("n1")), ("text", jsonString(note))])
        let index = try buildIndex(dir, records: records, extra: ["--tokenizer", "text", "-k", "4", "-w", "1"])
        // Different case, punctuation and spacing; same words.
        let generation = "intro words here. patient john q example mrn 12345678 seen 2021 03 04 hiv POSITIVE started biktarvy 50 mg daily!! unrelated tail"
        let input = try dir.write("gens.jsonl", jsonLine([("id", jsonString("g1")), ("text", jsonString(generation))]))
        let run = try CLI.run(["scan", "--index", index, "--sensitive", "text", input])
        #expect(run.status == 0, "\(run.err)")
        let found = try parseJSONL(run.out).flatMap(spans(of:))
        try #require(found.count == 1, "\(found)")
        let span = found[0]
        let tokens = Self.tokenize(generation)
        #expect(int(span["start"]) == 3)  // "patient"
        #expect(tokens[int(span["end"])! - 1].token == "daily")
        #expect(int(span["char_start"]) == generation.distance(from: generation.startIndex, to: generation.range(of: "patient")!.lowerBound))
        #expect(int(span["char_end"]) == generation.distance(from: generation.startIndex, to: generation.range(of: "daily")!.upperBound))
        #expect(int(span["record_start"]) == 0)
        #expect(span["sensitive"] as? [String] == ["infectious_disease"])
        #expect(span["risk"] as? String == "high")
    }
}
