import Testing
@testable import MemscanCore

/// Generations that repeat a short pattern, against records that repeat it too: every
/// seed of the loop is a grouped seed with nearly all its occurrences on diagonals that
/// earlier seeds already extended. The finder passes those over (and lists the few
/// others from the wavelet matrix); it must find exactly what it finds looking at every
/// occurrence, and the spans must be those of the ungrouped scan.
@Suite("Repetition loops")
struct RepetitionLoopTests {
    /// `count` tokens repeating `pattern` from `phase` on, each replaced by a random
    /// vocabulary token with probability `noise`.
    static func loop(_ pattern: [String], count: Int, phase: Int, noise: Double, vocabulary: [String],
                     rng: inout SplitMix64) -> [String] {
        (0 ..< count).map { i in rng.chance(noise) ? rng.pick(vocabulary) : pattern[(phase + i) % pattern.count] }
    }

    static func randomTokens(_ count: Int, vocabulary: [String], rng: inout SplitMix64) -> [String] {
        (0 ..< count).map { _ in rng.pick(vocabulary) }
    }

    /// Pure loops, noisy loops, loops between random stretches and random records.
    static func corpus(patterns: [[String]], vocabulary: [String], rng: inout SplitMix64) -> OracleCorpus {
        var corpus = OracleCorpus()
        for r in 0 ..< rng.int(14 ... 20) {
            let pattern = rng.pick(patterns), length = rng.int(100 ... 300), phase = rng.int(0 ... 4)
            var tokens: [String]
            switch rng.int(0 ... 5) {
            case 0: tokens = loop(pattern, count: length, phase: phase, noise: 0, vocabulary: vocabulary, rng: &rng)
            case 1, 4: tokens = loop(pattern, count: length, phase: phase, noise: 0.01, vocabulary: vocabulary, rng: &rng)
            case 2, 5:
                tokens = randomTokens(rng.int(0 ... 40), vocabulary: vocabulary, rng: &rng)
                tokens += loop(pattern, count: length, phase: phase, noise: 0, vocabulary: vocabulary, rng: &rng)
                tokens += randomTokens(rng.int(0 ... 40), vocabulary: vocabulary, rng: &rng)
            default: tokens = randomTokens(rng.int(20 ... 150), vocabulary: vocabulary, rng: &rng)
            }
            corpus.ids.append("r\(r)")
            corpus.records.append(tokens)
        }
        return corpus
    }

    /// A loop (sometimes noisy, sometimes of two patterns, sometimes between random
    /// stretches) as a model stuck in one would emit it.
    static func generation(patterns: [[String]], vocabulary: [String], rng: inout SplitMix64) -> [String] {
        var tokens = rng.chance(0.3) ? randomTokens(rng.int(1 ... 30), vocabulary: vocabulary, rng: &rng) : []
        for _ in 0 ..< rng.int(1 ... 2) {
            tokens += loop(rng.pick(patterns), count: rng.int(40 ... 300), phase: rng.int(0 ... 4),
                           noise: rng.pick([0, 0, 0.005, 0.02]), vocabulary: vocabulary, rng: &rng)
        }
        if rng.chance(0.3) { tokens += randomTokens(rng.int(1 ... 30), vocabulary: vocabulary, rng: &rng) }
        return tokens
    }

    @Test("loops: passing over known occurrences finds exactly the same matches, and the spans of ungrouped scans",
          arguments: [6, 8, 9])
    func sameAsLookingAtEveryOccurrence(seed: Int) throws {
        var rng = SplitMix64(seed: 0x100B_5EED &+ UInt64(seed))
        let directory = OracleTempDirectory("loops")
        defer { directory.remove() }
        let vocabulary = CorpusGenerator.vocabulary(6, rng: &rng)
        let patterns = (1 ... 2).map { _ in Self.randomTokens(rng.int(1 ... 5), vocabulary: vocabulary, rng: &rng) }
        let corpus = Self.corpus(patterns: patterns, vocabulary: vocabulary, rng: &rng)
        let index = try MemscanIndex(path: try buildOracleIndex(corpus, k: rng.int(3 ... 6), w: rng.int(2 ... 5),
                                                                in: directory, name: "loops.index"))
        let log = FailureLog()
        let fast = groupingFinder(index), slow = groupingFinder(index, skipsKnownOccurrences: false)
        var options = ScanOptions()
        options.near = false
        let (grouped, plain) = try groupedAndPlainScanners(index, options: options)
        var groupedSeeds = 0, matches = 0
        for gen in 0 ..< 6 {
            let tokens = Self.generation(patterns: patterns, vocabulary: vocabulary, rng: &rng)
            let context = "seed \(seed) k=\(index.header.k) w=\(index.header.w) gen \(gen) (\(tokens.count) tokens)"
            try fast.run(on: TokenList(tokens))
            try slow.run(on: TokenList(tokens))
            groupedSeeds += fast.groupedSeeds.count
            matches += fast.matches.count
            if fast.matches != slow.matches {
                log.record(context, ["\(fast.matches.count) matches, \(slow.matches.count) looking at every occurrence"])
            }
            func flat(_ intervals: [(a: Int, b: Int, occurrences: Int)]) -> [Int] { intervals.flatMap { [$0.a, $0.b, $0.occurrences] } }
            if flat(fast.groupIntervals) != flat(slow.groupIntervals) { log.record(context, ["group intervals differ"]) }
            // One record: looking at every occurrence of every seed in it (the slow way) is
            // what loops made slow. `sampledMatches` is these for a few records.
            let r = rng.int(0 ... index.recordCount - 1)
            if try fast.groupedMatches(of: r) != slow.groupedMatches(of: r) {
                log.record(context, ["grouped matches of record \(r) differ"])
            }
            let input = InputRecord(id: "g\(gen)", location: SourceLocation(file: "<loops>", line: gen + 1),
                                    content: .tokens(TokenList(tokens)))
            func summary(_ r: GenerationResult) -> [[Int]] {
                r.spans.map { [$0.start, $0.end, $0.newTokens, $0.records, $0.recordsCapped ? 1 : 0] }
            }
            let expected = summary(try plain.scan(input)), found = summary(try grouped.scan(input))
            if found != expected { log.record(context, ["grouped spans \(found) differ from ungrouped \(expected)"]) }
        }
        #expect(groupedSeeds > 100 && matches > 500, "only \(groupedSeeds) grouped seeds, \(matches) matches")
        #expect(fast.listings > 0, "no deep or shallow occurrences were listed")
        #expect(fast.recordScans > 0, "no record was scanned for the seeds' shingles")
    }

    @Test("the diagonal buckets of a record's alignments answer as the list does")
    func alignmentCoverBuckets() {
        var rng = SplitMix64(seed: 0xC0_7E4)
        var checked = 0, covered = 0, disagreements: [String] = []
        for round in 0 ..< 20 {
            let band = rng.int(0 ... 12)
            var listed = AlignmentCover(band: band, bucketAfter: .max), bucketed = AlignmentCover(band: band, bucketAfter: 0)
            for _ in 0 ..< rng.int(1 ... 120) {
                let genStart = rng.int(0 ... 500), genLength = rng.int(1 ... 100)
                let recordStart = max(0, genStart + rng.int(-300 ... 300)), drift = rng.int(-band ... band)
                let alignment = NearAlignment(genStart: genStart, genEnd: genStart + genLength, record: 0, recordStart: recordStart,
                                              recordEnd: recordStart + max(1, genLength + drift), edits: EditCounts())
                listed.append(alignment)
                bucketed.append(alignment)
                for _ in 0 ..< 8 {
                    // Half inside the new alignment's interval, where covering is decided by the diagonal.
                    let a = rng.chance(0.5) ? rng.int(genStart ... genStart + genLength - 1) : rng.int(0 ... 550)
                    let b = a < genStart + genLength && rng.chance(0.8) ? rng.int(a + 1 ... genStart + genLength) : a + rng.int(1 ... 60)
                    let diagonal = recordStart - genStart + rng.int(-3 * band - 40 ... 3 * band + 40)
                    let seed = VerbatimMatch(genStart: a, genEnd: b, record: 0, recordStart: a + diagonal, recordEnd: b + diagonal)
                    let expected = listed.covers(seed)
                    if bucketed.covers(seed) != expected { disagreements.append("round \(round): \(seed)") }
                    checked += 1
                    if expected { covered += 1 }
                }
            }
            listed.removeAll()
            bucketed.removeAll()
            #expect(!bucketed.covers(VerbatimMatch(genStart: 0, genEnd: 1, record: 0, recordStart: 0, recordEnd: 1)))
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements: \(disagreements.prefix(3))")
        #expect(covered > checked / 10 && covered < checked, "\(covered) of \(checked) seeds covered")
    }
}
