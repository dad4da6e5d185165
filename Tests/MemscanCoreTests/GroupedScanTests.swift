import Testing
@testable import MemscanCore

/// Exhaustive scans that take very common seeds as groups (classes of equal extensions
/// in their context orders) must report what the brute-force oracle says, and the same
/// spans as scans that turn every occurrence into a match. Small vocabularies and
/// repeated templates give seeds with hundreds of occurrences; lowering the context
/// thresholds makes every multi-occurrence seed grouped.
@Suite("Grouped seeds")
struct GroupedScanTests {
    @Test("grouped scans agree with the brute-force oracle and with ungrouped scans", arguments: 0 ..< 4)
    func againstOracle(seed: Int) throws {
        var rng = SplitMix64(seed: 0x6_0B_5EED &+ UInt64(seed))
        let shape = CorpusShape(recordCount: 150 ... 300, vocabulary: 4 ... 12, recordLength: 20 ... 160)
        let (corpus, vocabulary) = CorpusGenerator.corpus(shape, rng: &rng)
        let directory = OracleTempDirectory("grouped")
        defer { directory.remove() }
        let (k, w) = (rng.int(3 ... 6), rng.int(1 ... 4))
        let index = try MemscanIndex(path: try buildOracleIndex(corpus, k: k, w: w, in: directory, name: "g.index"))
        let G = index.header.guaranteedLength
        let oracle = BruteForceOracle(corpus: corpus, ignorePrefix: nil)
        let log = FailureLog()
        var stats = OracleStats()
        var groupedSeeds = 0
        for round in 0 ..< 3 {
            var options = ScanOptions()
            options.near = false
            options.recordsCap = rng.pick([1, 3, 7, 1000])
            options.maxRecordIDs = rng.pick([0, 1, 5])
            options.minLength = rng.pick([nil, G + rng.int(0 ... 4)])
            var groupedOptions = options
            groupedOptions.contextMinimum = 2
            groupedOptions.contextBuildAfter = 0
            var plainOptions = options
            plainOptions.grouping = false
            plainOptions.contextMinimum = Int.max
            let grouped = GenerationScanner(context: try ScanContext(index: index, options: groupedOptions))
            let plain = GenerationScanner(context: try ScanContext(index: index, options: plainOptions))
            let finder = MatchFinder(index: index, maxOccurrences: .max, contextMinimum: 2, contextBuildAfter: 0, grouping: true)
            let setup = OracleScanSetup(guaranteed: G, minLength: options.minLength ?? G, recordsCap: options.recordsCap,
                                        maxRecordIDs: options.maxRecordIDs, rareMax: options.rareMax, truncatedOccurrences: false)
            for gen in 0 ..< 15 {
                let (tokens, sources) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 200,
                                                                   timeTokens: 0, rng: &rng)
                let promptLength = rng.chance(0.5) ? rng.int(0 ... tokens.count) : 0
                let patientID: String? = rng.chance(0.7) && !sources.isEmpty ? corpus.ids[rng.pick(sources)] : nil
                let input = InputRecord(id: "g\(gen)", location: SourceLocation(file: "<grouped>", line: gen + 1),
                                        content: .tokens(TokenList(tokens)), prompt: .length(promptLength), patientID: patientID)
                let result = try grouped.scan(input)
                let context = "seed \(seed) k=\(k) w=\(w) round \(round) cap=\(options.recordsCap) ids=\(options.maxRecordIDs) "
                    + "minLength=\(options.minLength.map(String.init) ?? "G") gen \(gen) prompt \(promptLength) patient \(patientID ?? "-")"
                log.record(context, oracleCheck(result: result, oracle: oracle, generation: tokens, promptLength: promptLength,
                                                patientID: patientID, setup: setup, stats: &stats))
                // Representatives and examples may differ; what the spans say may not.
                func summary(_ r: GenerationResult) -> [[Int]] {
                    r.spans.map { [$0.start, $0.end, $0.newTokens, $0.records, $0.recordsCapped ? 1 : 0,
                                   $0.isSelf.map { $0 ? 1 : 0 } ?? -1, $0.recordIDs.count] }
                }
                let expected = summary(try plain.scan(input))
                if summary(result) != expected {
                    log.record(context, ["grouped spans \(summary(result)) differ from ungrouped \(expected)"])
                }
                try finder.run(on: TokenList(tokens))
                groupedSeeds += finder.groupedSeeds.count
            }
        }
        #expect(stats.atLeastG > 50 && stats.sharedByMany > 10 && stats.capped > 5, "\(stats)")
        #expect(groupedSeeds > 100, "only \(groupedSeeds) grouped seeds")
    }
}
