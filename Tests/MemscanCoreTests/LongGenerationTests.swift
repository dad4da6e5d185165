import Testing
@testable import MemscanCore

/// Generations of thousands of tokens made of many template copies: tens of grouped seeds
/// per record asked about, and many near regions. Near matching looks only at the seeds
/// within the kept depth of a region, scans a record for the seeds' shingles when the seeds
/// outnumber its tokens, remembers the latest match per diagonal, and files the matches by
/// generation position; each must give what looking at everything gives.
@Suite("Long generations")
struct LongGenerationTests {
    @Test("long generations: record scans, seeds near a region and match buckets give what the full searches give",
          arguments: 0 ..< 2)
    func sameAsFullSearches(seed: Int) throws {
        var rng = SplitMix64(seed: 0x10_96E4 &+ UInt64(seed))
        let directory = OracleTempDirectory("long")
        defer { directory.remove() }
        let (corpus, vocabulary, index) = try templateHeavyIndex(records: 150 ... 250, vocabulary: 4 ... 10, lengths: 30 ... 150,
                                                                 k: 4 ... 4, w: 3 ... 3, in: directory, rng: &rng)
        let fast = groupingFinder(index), slow = groupingFinder(index, skipsKnownOccurrences: false)
        var failures: [String] = []
        var regions = 0, pieces = 0
        for gen in 0 ..< 3 {
            var tokens: [String] = []
            for _ in 0 ..< 25 {
                tokens += CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 150, timeTokens: 0,
                                                     rng: &rng).tokens
            }
            try fast.run(on: TokenList(tokens))
            try slow.run(on: TokenList(tokens))
            let context = "seed \(seed) gen \(gen) (\(tokens.count) tokens, \(fast.groupedSeeds.count) grouped seeds)"
            if fast.matches != slow.matches { failures.append("\(context): matches differ") }
            if try fast.sampledMatches() != slow.sampledMatches() { failures.append("\(context): sampled matches differ") }
            let all = fast.matches + (try fast.sampledMatches())
            let byPosition = MatchesByPosition(all, bucketAfter: 0, minimumBuckets: 0), scanned = MatchesByPosition(all, bucketAfter: .max)
            let n = fast.sequence.count
            for _ in 0 ..< 40 {
                let a = rng.int(0 ... n - 1), b = min(n, a + rng.int(1 ... 150))
                let region = a ..< b
                regions += 1
                if byPosition.indices(overlapping: region) != scanned.indices(overlapping: region) {
                    failures.append("\(context): matches overlapping \(region) differ")
                }
                // The pieces near matching takes from a record's grouped matches.
                func clipped(_ matches: [VerbatimMatch]) -> [Range<Int>] {
                    matches.compactMap { m in
                        let lower = max(m.genStart, region.lowerBound), upper = min(m.genEnd, region.upperBound)
                        return lower < upper ? lower ..< upper : nil
                    }
                }
                let r = rng.chance(0.5) && !all.isEmpty ? rng.pick(all).record : rng.int(0 ... index.recordCount - 1)
                let near = clipped(try fast.groupedMatches(of: r, near: region))
                if near != clipped(try slow.groupedMatches(of: r)) {
                    failures.append("\(context): pieces of record \(r) in \(region) differ")
                }
                pieces += near.count
            }
        }
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(3))")
        #expect(fast.recordScans > 0, "no record was scanned for the seeds' shingles")
        #expect(regions == 120 && pieces > 20, "only \(pieces) pieces")
    }
}
