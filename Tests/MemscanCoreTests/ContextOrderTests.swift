import Testing
@testable import MemscanCore

@Suite("Context orders of common shingles")
struct ContextOrderTests {
    /// The matches through context orders (every multi-occurrence seed) must be exactly
    /// those of extending each occurrence against the record tokens: same matches, same
    /// order. Small vocabularies and repeated templates give seeds with many occurrences;
    /// whole copied records give extensions past the kept depth (verified the usual way).
    @Test("matches through context orders equal those of extending every occurrence", arguments: 0 ..< 4)
    func sameMatches(seed: Int) throws {
        var rng = SplitMix64(seed: 0xC0_7E47 &+ UInt64(seed))
        let directory = OracleTempDirectory("context-order")
        defer { directory.remove() }
        let (corpus, vocabulary, index) = try templateHeavyIndex(k: 3 ... 6, w: 1 ... 4, in: directory, rng: &rng)
        let byContext = MatchFinder(index: index, maxOccurrences: Int.max, contextMinimum: 2, contextBuildAfter: 0)
        let byTokens = MatchFinder(index: index, maxOccurrences: Int.max, contextMinimum: Int.max)
        var compared = 0
        for _ in 0 ..< 40 {
            let (tokens, _) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 200, timeTokens: 0, rng: &rng)
            let list = TokenList(tokens)
            try byContext.run(on: list)
            try byTokens.run(on: list)
            let (got, want) = (byContext.matches, byTokens.matches)
            if got != want {
                let first = (0 ..< min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
                let gotText = first < got.count ? "\(got[first])" : "none"
                let wantText = first < want.count ? "\(want[first])" : "none"
                Issue.record("\(got.count) matches against \(want.count); first difference at \(first): \(gotText) against \(wantText)")
            }
            compared += byTokens.matches.count
        }
        #expect(compared > 0)
        #expect(index.contextOrders.occurrences > 0, "no seed went through a context order")
    }

    /// Orders are built from the postings and the token store of an index opened without
    /// checksum verification: a flipped byte in any section must end in a MemscanError or
    /// in matches, never in a trap.
    @Test("a flipped byte in any section never crashes the context-order path")
    func corruptSections() throws {
        var rng = SplitMix64(seed: 0xC0_7E48)
        let (corpus, vocabulary) = CorpusGenerator.corpus(CorpusShape(recordCount: 200 ... 250, vocabulary: 4 ... 8,
                                                                      recordLength: 40 ... 120), rng: &rng)
        let directory = OracleTempDirectory("context-order-corrupt")
        defer { directory.remove() }
        let path = try buildOracleIndex(corpus, k: 4, w: 2, in: directory, name: "c.index")
        let generations = (0 ..< 20).map { _ in
            TokenList(CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 150, timeTokens: 0, rng: &rng).tokens)
        }
        func run(_ index: MemscanIndex) throws {
            let finder = MatchFinder(index: index, maxOccurrences: Int.max, contextMinimum: 2, contextBuildAfter: 0)
            for tokens in generations { try finder.run(on: tokens) }
        }
        let intact = try MemscanIndex(path: path)
        try run(intact)
        #expect(intact.contextOrders.occurrences > 0, "no seed went through a context order")
        let bytes = IndexFixture.read(path)
        for section in intact.sections where section.length > 0 {
            var corrupt = bytes
            corrupt[section.offset + section.length / 2] ^= 0x5A
            let copy = directory.path("corrupt-\(section.kind.name).index")
            IndexFixture.write(corrupt, to: copy)
            do {
                try run(try MemscanIndex(path: copy, verifyChecksums: false))
            } catch is MemscanError {
            } catch {
                Issue.record("byte flipped in \(section.kind.name): \(error)")
            }
        }
    }
}
