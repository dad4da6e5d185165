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
        let directory = OracleTempDirectory("grouped")
        defer { directory.remove() }
        let (corpus, vocabulary, index) = try templateHeavyIndex(k: 3 ... 6, w: 1 ... 4, in: directory, rng: &rng)
        let (k, w) = (index.header.k, index.header.w)
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
            let (grouped, plain) = try groupedAndPlainScanners(index, options: options)
            let finder = groupingFinder(index)
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

extension GroupedScanTests {
    /// Which seeds are grouped, and so which record represents a template interval and
    /// which records near matching aligns, depends on the index alone: the output is the
    /// same byte for byte whatever the threads and however their work interleaves.
    @Test("grouped scans write the same output with 1 and 3 threads, run after run")
    func sameOutputAcrossThreads() throws {
        var rng = SplitMix64(seed: 0x6_0B_7EAD)
        let directory = OracleTempDirectory("grouped-threads")
        defer { directory.remove() }
        let (corpus, vocabulary, index) = try templateHeavyIndex(records: 200 ... 300, vocabulary: 4 ... 10, lengths: 30 ... 150,
                                                                 k: 4 ... 4, w: 3 ... 3, in: directory, rng: &rng)
        var lines: [String] = []
        for gen in 0 ..< 60 {
            let (tokens, sources) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 120,
                                                               timeTokens: 0, rng: &rng)
            let patient = sources.isEmpty ? "" : ",\"patient_id\":\"\(corpus.ids[rng.pick(sources)])\""
            let list = tokens.map { "\"\($0)\"" }.joined(separator: ",")
            lines.append("{\"id\":\"g\(gen)\",\"tokens\":[\(list)]\(patient)}")
        }
        let input = directory.path("generations.jsonl")
        IndexFixture.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: input)
        func scan(threads: Int, name: String) throws -> [UInt8] {
            var options = ScanOptions()
            options.threads = threads
            options.contextMinimum = 2
            let runner = ScanRunner(context: try ScanContext(index: index, options: options), inputOptions: InputOptions())
            runner.batchSize = 3
            let path = directory.path(name)
            _ = try runner.run(inputs: [input], output: try OutputSink(path: path))
            return IndexFixture.read(path)
        }
        let one = try scan(threads: 1, name: "one.jsonl")
        #expect(!one.isEmpty)
        #expect(index.contextOrders.occurrences > 0, "no seed was grouped")
        for run in 0 ..< 2 {
            #expect(try scan(threads: 3, name: "three-\(run).jsonl") == one, "run \(run) with 3 threads differs")
        }
    }
}

extension GroupedScanTests {
    /// The grouped shingles are those held at least T times, T the smallest count (from
    /// the minimum on) whose shingles' orders all fit in the budget.
    @Test("the grouping threshold keeps the orders within the budget and no higher than needed")
    func groupingThreshold() throws {
        var rng = SplitMix64(seed: 0x6_0B_7E5)
        let directory = OracleTempDirectory("grouped-threshold")
        defer { directory.remove() }
        let (_, _, index) = try templateHeavyIndex(records: 150 ... 200, vocabulary: 4 ... 10, lengths: 30 ... 150,
                                                   k: 4 ... 4, w: 2 ... 2, in: directory, rng: &rng)
        let counts = (0 ..< index.header.multiEntryCount).map { Int(index.multiEntries[3 * $0 + 1]) }
        func held(atLeast t: Int) -> Int { counts.filter { $0 >= t }.reduce(0, +) }
        let all = held(atLeast: 2)
        #expect(index.contextOrders.groupingMinimum(index: index, minimum: 2, budget: all) == 2)
        for budget in [all - 1, all / 2, all / 10, 1] {
            let t = index.contextOrders.groupingMinimum(index: index, minimum: 2, budget: budget)
            #expect(held(atLeast: t) <= budget, "budget \(budget): threshold \(t) holds \(held(atLeast: t))")
            #expect(t > 2 && held(atLeast: t - 1) > budget, "budget \(budget): threshold \(t) is higher than needed")
        }
    }
}

extension GroupedScanTests {
    /// The reference index runs the same grouped finder: a span is in the reference when
    /// one of its explicit matches or grouped intervals holds it.
    @Test("grouped reference scans: the corpus itself as reference holds every verbatim span")
    func groupedReference() throws {
        var rng = SplitMix64(seed: 0x6_0B_7EF)
        let directory = OracleTempDirectory("grouped-reference")
        defer { directory.remove() }
        let (corpus, vocabulary, index) = try templateHeavyIndex(records: 150 ... 200, vocabulary: 4 ... 10, lengths: 30 ... 150,
                                                                 k: 4 ... 4, w: 2 ... 2, in: directory, rng: &rng)
        var options = ScanOptions()
        options.contextMinimum = 2
        options.near = false
        let scanner = GenerationScanner(context: try ScanContext(index: index, reference: index, options: options))
        var checked = 0
        for gen in 0 ..< 30 {
            let (tokens, _) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 150, timeTokens: 0, rng: &rng)
            let result = try scanner.scan(InputRecord(id: "g\(gen)", location: SourceLocation(file: "<grouped>", line: gen + 1),
                                                      content: .tokens(TokenList(tokens))))
            for span in result.spans {
                checked += 1
                #expect(span.inReference == true, "g\(gen) span [\(span.start), \(span.end)) not found in its own corpus")
            }
        }
        #expect(checked > 50)
        #expect(index.contextOrders.occurrences > 0, "no seed was grouped")
    }
}
