import Foundation
import Testing
@testable import MemscanCore

// Property tests: random corpora and generations are scanned through a real index
// and every result is checked against a brute-force oracle (OracleSupport.swift).
// Failure messages carry the seed; rerun one case by putting it in `OracleConfig`.

struct OracleConfig: Sendable, CustomStringConvertible {
    var k: Int
    var w: Int
    var blockTokens: Int
    var trials: Int
    var seed: UInt64
    var shape = CorpusShape()
    var ignore: String? = nil
    /// Small ScanOptions.maxOccurrences: common shingles are only partly enumerated.
    var maxOccurrences: ClosedRange<Int>? = nil
    var generationsPerScan = 8
    var maxGenerationLength = 200

    var description: String {
        "k=\(k) w=\(w) blockTokens=\(blockTokens) ignore=\(ignore ?? "-")"
            + (maxOccurrences.map { " maxOccurrences=\($0)" } ?? "") + " seed=0x\(String(seed, radix: 16))"
    }

    static let plain: [OracleConfig] = [
        OracleConfig(k: 3, w: 1, blockTokens: 16, trials: 5, seed: 0x0AC1_E001),
        OracleConfig(k: 5, w: 1, blockTokens: 64, trials: 5, seed: 0x0AC1_E002),
        OracleConfig(k: 8, w: 1, blockTokens: 4096, trials: 4, seed: 0x0AC1_E003),
        OracleConfig(k: 8, w: 9, blockTokens: 4096, trials: 5, seed: 0x0AC1_E004),
        OracleConfig(k: 8, w: 9, blockTokens: 16, trials: 4, seed: 0x0AC1_E005),
        OracleConfig(k: 4, w: 6, blockTokens: 64, trials: 5, seed: 0x0AC1_E006),
        // Not a power of two: blocks are found by division instead of a shift.
        OracleConfig(k: 5, w: 4, blockTokens: 100, trials: 4, seed: 0x0AC1_E009),
        OracleConfig(k: 3, w: 1, blockTokens: 16, trials: 3, seed: 0x0AC1_E007, maxOccurrences: 1 ... 6),
        OracleConfig(k: 4, w: 6, blockTokens: 64, trials: 3, seed: 0x0AC1_E008, maxOccurrences: 1 ... 6),
    ]

    static let ignoring: [OracleConfig] = [
        OracleConfig(k: 3, w: 1, blockTokens: 16, trials: 4, seed: 0x7133_0001,
                     shape: CorpusShape(timeTokens: 0.2), ignore: "^TIME//"),
        OracleConfig(k: 4, w: 6, blockTokens: 64, trials: 4, seed: 0x7133_0002,
                     shape: CorpusShape(timeTokens: 0.3), ignore: "^TIME//"),
        OracleConfig(k: 8, w: 9, blockTokens: 16, trials: 3, seed: 0x7133_0003,
                     shape: CorpusShape(timeTokens: 0.15), ignore: "^TIME//"),
    ]
}

/// Records at most `limit` failures per test so that a systematic bug stays readable.
final class FailureLog {
    let limit: Int
    private(set) var count = 0

    init(limit: Int = 25) { self.limit = limit }

    func record(_ context: String, _ failures: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for failure in failures {
            count += 1
            if count <= limit {
                Issue.record("\(context): \(failure)", sourceLocation: sourceLocation)
            } else if count == limit + 1 {
                Issue.record("\(context): further failures suppressed", sourceLocation: sourceLocation)
            }
        }
    }
}

/// One random trial: corpus, index, several option sets, several generations each.
/// Returns the number of spans checked.
@discardableResult
func runOracleTrial(_ config: OracleConfig, trial: Int, log: FailureLog, stats: inout OracleStats) throws -> Int {
    let trialSeed = config.seed &+ UInt64(trial) &* 0x1000_0000_01B3
    var rng = SplitMix64(seed: trialSeed)
    let context = "\(config) trial=\(trial) (SplitMix64 seed 0x\(String(trialSeed, radix: 16)))"
    let (corpus, vocabulary) = CorpusGenerator.corpus(config.shape, rng: &rng)
    let directory = OracleTempDirectory("oracle")
    defer { directory.remove() }
    var options = IndexBuildOptions()
    options.k = config.k
    options.w = config.w
    options.blockTokens = config.blockTokens
    options.ignore = config.ignore
    let path = directory.path("corpus.index")
    let report = try buildOracleIndex(corpus, options: options, path: path)
    #expect(report.records == corpus.records.count, "\(context)")
    #expect(report.corpusTokens == corpus.records.reduce(0) { $0 + $1.count }, "\(context)")
    let index = try MemscanIndex(path: path, verifyChecksums: true)
    let G = index.header.guaranteedLength
    #expect(G == config.k + config.w - 1, "\(context)")
    let oracle = BruteForceOracle(corpus: corpus, ignorePrefix: config.ignore == nil ? nil : "TIME//")
    let timeTokens = config.shape.timeTokens

    // minLength: the default G, below G (best effort), above G; caps small and large.
    let minLengths: [Int?] = [nil, max(1, config.k - 1), G + rng.int(1 ... 6), rng.int(1 ... G)]
    var checked = 0
    for (n, minLength) in minLengths.enumerated() {
        var scanOptions = ScanOptions()
        // The verbatim rule is checked alone; near spans have their own oracle.
        scanOptions.near = false
        scanOptions.minLength = minLength
        scanOptions.recordsCap = rng.pick([1, 2, 3, 7, 1000])
        scanOptions.maxRecordIDs = rng.pick([0, 1, 3, 5, 50])
        if let range = config.maxOccurrences { scanOptions.maxOccurrences = rng.int(range) }
        let scanner = GenerationScanner(context: try ScanContext(index: index, options: scanOptions))
        let setup = OracleScanSetup(guaranteed: G, minLength: minLength ?? G, recordsCap: scanOptions.recordsCap,
                                    maxRecordIDs: scanOptions.maxRecordIDs, rareMax: scanOptions.rareMax,
                                    truncatedOccurrences: config.maxOccurrences != nil)
        for gen in 0 ..< config.generationsPerScan {
            let (tokens, sources) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary,
                                                               maxLength: config.maxGenerationLength,
                                                               timeTokens: timeTokens, rng: &rng)
            var prompt: PromptSpec? = nil
            var promptLength = 0
            if rng.chance(0.5) {
                promptLength = rng.int(0 ... tokens.count)
                prompt = .length(promptLength)
            }
            var patientID: String? = nil
            if rng.chance(0.7) {
                patientID = !sources.isEmpty && rng.chance(0.7) ? corpus.ids[rng.pick(sources)]
                    : (rng.chance(0.5) ? rng.pick(corpus.ids) : "NOT-A-RECORD")
            }
            let input = InputRecord(id: "g\(gen)", location: MemscanCore.SourceLocation(file: "<oracle>", line: gen + 1),
                                    content: .tokens(TokenList(tokens)), prompt: prompt, patientID: patientID)
            let result = try scanner.scan(input)
            let failures = oracleCheck(result: result, oracle: oracle, generation: tokens, promptLength: promptLength,
                                       patientID: patientID, setup: setup, stats: &stats)
            log.record("\(context) options=\(n) minLength=\(minLength.map(String.init) ?? "G") cap=\(scanOptions.recordsCap) "
                       + "ids=\(scanOptions.maxRecordIDs) maxOcc=\(scanOptions.maxOccurrences) gen=\(gen) prompt=\(promptLength) patient=\(patientID ?? "-")", failures)
            checked += result.spans.count
        }
    }
    return checked
}

@Suite("Oracle") struct OracleTests {
    @Test("random corpora agree with the brute-force oracle", arguments: OracleConfig.plain)
    func randomCorpora(_ config: OracleConfig) throws {
        let log = FailureLog()
        var stats = OracleStats()
        for trial in 0 ..< config.trials { try runOracleTrial(config, trial: trial, log: log, stats: &stats) }
        if ProcessInfo.processInfo.environment["MEMSCAN_ORACLE_STATS"] == "1" { print("\(config): \(stats)") }
        // The corpora plant many copies: a run that checks nothing tests nothing.
        #expect(stats.atLeastG > 100 && stats.selfTrue > 5 && stats.selfFalse > 5 && stats.capped > 5
                && stats.sharedByMany > 20 && stats.crossingPrompt > 5 && stats.atGenerationStart > 5
                && stats.atGenerationEnd > 5, "\(config): \(stats)")
        if config.w > 1 { #expect(stats.belowG > 5, "\(config): \(stats)") }
    }

    @Test("--ignore ^TIME// matches on filtered sequences, reports original positions", arguments: OracleConfig.ignoring)
    func ignoredTokens(_ config: OracleConfig) throws {
        let log = FailureLog()
        var stats = OracleStats()
        for trial in 0 ..< config.trials { try runOracleTrial(config, trial: trial, log: log, stats: &stats) }
        if ProcessInfo.processInfo.environment["MEMSCAN_ORACLE_STATS"] == "1" { print("\(config): \(stats)") }
        #expect(stats.atLeastG > 50 && stats.withIgnoredInside > 20 && stats.selfTrue > 3 && stats.crossingPrompt > 3,
                "\(config): \(stats)")
    }

    @Test("prompt given as content: prefix or prepended")
    func promptContent() throws {
        var rng = SplitMix64(seed: 0x9B0_3D7)
        let log = FailureLog()
        var stats = OracleStats()
        for trial in 0 ..< 3 {
            let (corpus, vocabulary) = CorpusGenerator.corpus(CorpusShape(recordCount: 20 ... 60), rng: &rng)
            let directory = OracleTempDirectory("oracle-prompt")
            defer { directory.remove() }
            let path = try buildOracleIndex(corpus, k: 4, w: 2, in: directory, name: "p.index") { $0.blockTokens = 32 }
            let index = try MemscanIndex(path: path)
            var scanOptions = ScanOptions()
            scanOptions.near = false
            let scanner = GenerationScanner(context: try ScanContext(index: index, options: scanOptions))
            let oracle = BruteForceOracle(corpus: corpus, ignorePrefix: nil)
            let setup = OracleScanSetup(guaranteed: 5, minLength: 5, recordsCap: 1000, maxRecordIDs: 5)
            for gen in 0 ..< 20 {
                let (tokens, _) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 120,
                                                             timeTokens: 0, rng: &rng)
                let asPrefix = rng.chance(0.5)
                let promptCount = rng.int(0 ... min(tokens.count, 40))
                let prompt: [String]
                let scanned: [String]
                if asPrefix {
                    prompt = Array(tokens[0 ..< promptCount])
                    scanned = tokens
                } else {
                    // A prompt the generation does not repeat: positions count from the prompt's start.
                    let record = rng.pick(corpus.records)
                    let s = rng.int(0 ... record.count)
                    prompt = Array(record[s ..< min(record.count, s + promptCount)]) + ["PROMPT//END"]
                    scanned = tokens.starts(with: prompt) ? tokens : prompt + tokens
                }
                let result = try scanner.scan(InputRecord(
                    id: "g\(gen)", location: MemscanCore.SourceLocation(file: "<oracle>", line: gen + 1),
                    content: .tokens(TokenList(tokens)), prompt: .content(.tokens(TokenList(prompt)))))
                log.record("promptContent seed=0x9b03d7 trial=\(trial) gen=\(gen) prefix=\(asPrefix) prompt=\(prompt.count)",
                           oracleCheck(result: result, oracle: oracle, generation: scanned, promptLength: prompt.count,
                                       patientID: nil, setup: setup, stats: &stats))
            }
        }
    }

    // MARK: Hand-made cases with exact expectations

    /// 60 distinct tokens, so that every match is unique and its position known.
    static let distinct = (0 ..< 60).map { "DIAGNOSIS//D\($0)" }

    static func index(_ records: [(String, [String])], k: Int, w: Int, blockTokens: Int = 16,
                      in directory: OracleTempDirectory) throws -> MemscanIndex {
        var options = IndexBuildOptions()
        options.k = k
        options.w = w
        options.blockTokens = blockTokens
        let builder = try IndexBuilder(options: options)
        for (id, tokens) in records { try builder.add(id: id, tokens: TokenList(tokens)) }
        let path = directory.path("hand-\(UUID().uuidString).index")
        _ = try builder.write(to: path)
        return try MemscanIndex(path: path, verifyChecksums: true)
    }

    static func scan(_ index: MemscanIndex, _ tokens: [String], prompt: PromptSpec? = nil, patient: String? = nil,
                     minLength: Int? = nil) throws -> [Span] {
        var options = ScanOptions()
        options.near = false
        options.minLength = minLength
        let scanner = GenerationScanner(context: try ScanContext(index: index, options: options))
        return try scanner.scan(InputRecord(id: "g", location: MemscanCore.SourceLocation(file: "<t>", line: 1),
                                            content: .tokens(TokenList(tokens)), prompt: prompt, patientID: patient)).spans
    }

    @Test("copies at the generation's start and end, across 16-token blocks")
    func startEndAndBlocks() throws {
        let directory = OracleTempDirectory("oracle-hand")
        defer { directory.remove() }
        let record = Self.distinct
        let index = try Self.index([("A", record)], k: 4, w: 3, in: directory)  // G = 6
        // Copy of record[10..<50] (crosses blocks 0-3), noise, copy of record[3..<12] at the very end.
        let gen = Array(record[10 ..< 50]) + ["UNSEEN//1", "UNSEEN//2"] + Array(record[3 ..< 12])
        let spans = try Self.scan(index, gen)
        #expect(spans.map { [$0.start, $0.end, $0.recordStart, $0.recordEnd, $0.newTokens, $0.records] }
                == [[0, 40, 10, 50, 40, 1], [42, 51, 3, 12, 9, 1]])
        #expect(spans.allSatisfy { $0.record == "A" && $0.recordIDs == ["A"] && $0.isSelf == nil })
        // The whole record as the generation: one span covering everything.
        let whole = try Self.scan(index, record)
        #expect(whole.map { [$0.start, $0.end, $0.recordStart, $0.recordEnd] } == [[0, 60, 0, 60]])
        // Exactly G tokens are found; G - 1 tokens are not required, and never a non-match.
        #expect(try Self.scan(index, Array(record[54 ..< 60])).map { [$0.start, $0.end, $0.recordStart] } == [[0, 6, 54]])
        for span in try Self.scan(index, Array(record[20 ..< 25]), minLength: 1) {
            let got: [Int] = [span.start, span.end, span.recordStart, span.recordEnd]
            #expect(got == [0, 5, 20, 25])
        }
    }

    @Test("prompt: spans inside it are dropped, new tokens count beyond it")
    func promptLength() throws {
        let directory = OracleTempDirectory("oracle-hand")
        defer { directory.remove() }
        let record = Self.distinct
        let index = try Self.index([("A", record)], k: 3, w: 1, in: directory)  // G = 3
        let gen = Array(record[0 ..< 30]) + ["UNSEEN//1"]
        let cases: [(Int, [[Int]])] = [
            (0, [[0, 30, 30]]), (25, [[0, 30, 5]]), (27, [[0, 30, 3]]), (28, []), (30, []), (31, []), (99, []),
        ]
        for (prompt, expected) in cases {
            let spans = try Self.scan(index, gen, prompt: .length(prompt))
            #expect(spans.map { [$0.start, $0.end, $0.newTokens] } == expected, "prompt \(prompt)")
        }
        // A prompt the generation repeats counts once; one it does not repeat is prepended.
        let repeated = try Self.scan(index, gen, prompt: .content(.tokens(TokenList(Array(record[0 ..< 25])))))
        #expect(repeated.map { [$0.start, $0.end, $0.newTokens] } == [[0, 30, 5]])
        let prepended = try Self.scan(index, Array(record[30 ..< 40]), prompt: .content(.tokens(TokenList(Array(record[20 ..< 30])))))
        #expect(prepended.map { [$0.start, $0.end, $0.newTokens, $0.recordStart, $0.recordEnd] } == [[0, 20, 10, 20, 40]])
    }

    /// Minimal case of the one-span-per-interval contract: A = T0..T9 X T0 T1 T2 Y and the
    /// generation T0..T9. gen[0..<3) is a maximal match with A[11..<14) (T3 != Y), so it is a
    /// span of its own, although the longer span [0, 10) lies in the same record.
    @Test("a maximal match nested in a longer one of the same record is still a span")
    func nestedRepeat() throws {
        let directory = OracleTempDirectory("oracle-hand")
        defer { directory.remove() }
        let t = Array(Self.distinct[0 ..< 10])
        let index = try Self.index([("A", t + ["X"] + Array(t[0 ..< 3]) + ["Y"])], k: 3, w: 1, in: directory)  // G = 3
        let spans = try Self.scan(index, t)
        let got = spans.map { [$0.start, $0.end, $0.recordStart, $0.recordEnd, $0.records] }
        let expected = OracleSemantics.closedIntervalsOnly ? [[0, 10, 0, 10, 1]] : [[0, 3, 11, 14, 1], [0, 10, 0, 10, 1]]
        #expect(got == expected)
    }

    @Test("targeted scans: self, other record, no patient")
    func targeted() throws {
        let directory = OracleTempDirectory("oracle-hand")
        defer { directory.remove() }
        let shared = Array(Self.distinct[0 ..< 20])
        let records: [(String, [String])] = [
            ("A", shared + ["LAB//a"]), ("B", ["LAB//b"] + shared), ("C", Array(Self.distinct[30 ..< 50])),
            ("D", Array(shared[0 ..< 12])),  // contains a prefix of the span, never the whole span
        ]
        let index = try Self.index(records, k: 4, w: 3, in: directory)
        let gen = ["UNSEEN//x"] + shared + ["UNSEEN//y"]
        for (patient, record, isSelf) in [("B", "B", true), ("A", "A", true), ("C", nil, false), ("D", nil, false),
                                          ("Z", nil, false)] as [(String, String?, Bool)] {
            let spans = try Self.scan(index, gen, patient: patient)
            let long = spans.filter { $0.start == 1 && $0.end == 21 }
            try #require(long.count == 1, "patient \(patient): \(spans)")
            #expect(long[0].isSelf == isSelf, "patient \(patient)")
            if let record { #expect(long[0].record == record) } else { #expect(["A", "B"].contains(long[0].record)) }
            #expect(long[0].records == 2 && Set(long[0].recordIDs) == ["A", "B"], "patient \(patient)")
            // D's maximal match is the 12-token prefix: a span of its own, self only for D.
            let prefix = spans.filter { $0.start == 1 && $0.end == 13 }
            try #require(prefix.count == 1, "patient \(patient): \(spans)")
            #expect(prefix[0].record == "D" && prefix[0].isSelf == (patient == "D"))
            #expect(prefix[0].records == 3 && Set(prefix[0].recordIDs) == ["A", "B", "D"])
        }
        let anonymous = try Self.scan(index, gen)
        #expect(!anonymous.isEmpty && anonymous.allSatisfy { $0.isSelf == nil })
    }
}

