import Foundation
import Testing
@testable import MemscanCore

// The sampled scan (--max-occurrences) skips a chain of common seeds when a sample shows
// that its joint occurrences surely exceed the limit; "surely" is a binomial tail bound.
@Suite("Sampled chains")
struct SamplingTests {
    /// P(Binomial(n, q) >= s) by direct summation with exact binomial coefficients.
    static func tail(_ s: Int, n: Int, q: Double) -> Double {
        var total = 0.0
        var coefficient = 1.0  // C(n, k), built up from k = 0
        for k in 0 ... n {
            if k > 0 { coefficient = coefficient * Double(n - k + 1) / Double(k) }
            if k >= s { total += coefficient * pow(q, Double(k)) * pow(1 - q, Double(n - k)) }
        }
        return total
    }

    @Test("survivor threshold: the smallest count whose binomial tail is at most 1e-6")
    func threshold() {
        var previous = 0
        for q in [0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.4] {
            let t = MatchFinder.survivorThreshold(fraction: q, samples: 64)
            #expect(t >= 1 && t <= 65, "q \(q): \(t)")
            #expect(Self.tail(t, n: 64, q: q) <= 1e-6 * (1 + 1e-9), "q \(q): tail at \(t)")
            #expect(Self.tail(t - 1, n: 64, q: q) > 1e-6, "q \(q): \(t) is not the smallest")
            #expect(t >= previous, "monotone in q")
            previous = t
        }
        // Below a fifth, fewer than half the sample suffice (the rule this replaced asked
        // for half whatever the fraction); at 2% (1,000 of 50,000), a sixth.
        #expect(MatchFinder.survivorThreshold(fraction: 0.2, samples: 64) < 32)
        #expect(MatchFinder.survivorThreshold(fraction: 0.02, samples: 64) <= 11)
        #expect(MatchFinder.survivorThreshold(fraction: 0, samples: 64) == 1)
        #expect(MatchFinder.survivorThreshold(fraction: 1, samples: 64) == 65)
    }
}

@Suite("Remembered chain outcomes")
struct ChainOutcomeTests {
    /// A sampled scan remembers what intersecting each chain of common seeds came to. A
    /// finder that has seen every generation before (all outcomes remembered) must find
    /// exactly what a fresh finder finds: the same matches in the same order, the same
    /// seeds and chains enumerated in full.
    @Test("remembered chain outcomes change nothing", arguments: 0 ..< 3)
    func rememberedEqualsFresh(seed: Int) throws {
        var rng = SplitMix64(seed: 0xC4A1_0000 &+ UInt64(seed))
        let directory = OracleTempDirectory("chain-outcomes")
        defer { directory.remove() }
        let (corpus, vocabulary, index) = try templateHeavyIndex(vocabulary: 4 ... 10, k: 3 ... 5, w: 2 ... 4, in: directory, rng: &rng)
        let maxOccurrences = rng.int(2 ... 8)
        let generations = (0 ..< 30).map { _ in
            TokenList(CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 200, timeTokens: 0, rng: &rng).tokens)
        }
        let remembering = MatchFinder(index: index, maxOccurrences: maxOccurrences)
        for tokens in generations { try remembering.run(on: tokens) }
        var chains = 0
        for (g, tokens) in generations.enumerated() {
            let fresh = MatchFinder(index: index, maxOccurrences: maxOccurrences)
            try fresh.run(on: tokens)
            try remembering.run(on: tokens)
            #expect(remembering.matches == fresh.matches, "generation \(g)")
            #expect(remembering.fullSeeds == fresh.fullSeeds, "generation \(g)")
            #expect(remembering.truncatedSeeds == fresh.truncatedSeeds, "generation \(g)")
            #expect(remembering.fullChains.map { [$0.0, $0.1] } == fresh.fullChains.map { [$0.0, $0.1] }, "generation \(g)")
            chains += fresh.fullChains.count
        }
        // The comparison says something only if chains were enumerated and outcomes reused.
        #expect(chains > 0, "no chain was enumerated in full")
        #expect(remembering.chainsRemembered > 0, "no chain outcome was reused")
    }
}
