import Testing
@testable import MemscanCore

/// Near record counting skips the windows that hold none of e + 1 disjoint trigrams of a
/// region. The filter must never change a count: the postings list every trigram, the
/// pieces are the cheapest, the window test is exact, and scans with and without it
/// write the same spans.
@Suite("Trigram filter for near record counts")
struct TrigramFilterTests {
    @Test("every bucket lists exactly the starts of its trigrams inside records, ascending", arguments: 0 ..< 3)
    func postingsListEveryTrigram(seed: Int) throws {
        var rng = SplitMix64(seed: 0x7_216_0000 &+ UInt64(seed))
        let shape = CorpusShape(recordCount: 20 ... 120, vocabulary: 5 ... 300, recordLength: 0 ... 90)
        let (corpus, _) = CorpusGenerator.corpus(shape, rng: &rng)
        let directory = OracleTempDirectory("trigrams")
        defer { directory.remove() }
        let blockTokens = rng.pick([16, 100, 1024])
        let index = try MemscanIndex(path: try buildOracleIndex(corpus, k: 4, w: 2, in: directory, name: "t.index") {
            $0.blockTokens = blockTokens
        })
        let postings = try #require(try TrigramPostings.build(index: index))
        let tokens = BlockCache(store: index.tokenBlocks)
        var expected = [[UInt32]](repeating: [], count: postings.buckets.count)
        for r in 0 ..< index.recordCount {
            let range = index.recordRange(r)
            var ids: [UInt32] = []
            try tokens.append(range, to: &ids)
            for i in ids.indices.dropLast(2) {
                expected[postings.bucket(ids[i], ids[i + 1], ids[i + 2])].append(UInt32(range.lowerBound + i))
            }
        }
        var listed = 0
        for b in 0 ..< postings.buckets.count {
            let got = Array(postings.positions(inBucket: b))
            #expect(got == expected[b], "bucket \(b)")
            #expect(postings.size(ofBucket: b) == got.count)
            listed += got.count
        }
        #expect(listed == expected.reduce(0) { $0 + $1.count } && listed > 0)
    }

    @Test("the chosen pieces are disjoint, as many as asked, and the cheapest (brute force)")
    func piecesAreCheapest() {
        var rng = SplitMix64(seed: 0x7_216_0100)
        var pieces = NearPieces()
        for _ in 0 ..< 400 {
            let n = rng.int(0 ... 16)
            let costs = (0 ..< max(0, n - 2)).map { _ in Int32(rng.pick([0, 1, 2, 5, 40, 1000, Int(Int32.max)])) }
            let m = rng.int(0 ... 6)
            // Brute force: every set of trigram starts at least 3 apart.
            var best: Int? = nil
            func search(from i: Int, left: Int, cost: Int) {
                if left == 0 { best = min(best ?? .max, cost); return }
                guard i < costs.count else { return }
                search(from: i + 3, left: left - 1, cost: cost + Int(costs[i]))
                search(from: i + 1, left: left, cost: cost)
            }
            if m > 0 { search(from: 0, left: m, cost: 0) }
            let chosen = pieces.choose(pieces: m, costs: costs)
            guard let best, best < Int(Int32.max) else {
                // No choice, or only through a saturated cost: either answer is sound
                // (a saturated choice is never cheaper than the candidates it would filter).
                if best == nil { #expect(chosen == nil, "n \(n) m \(m)") }
                continue
            }
            guard let chosen else { Issue.record("no pieces for n \(n) m \(m) costs \(costs)"); continue }
            #expect(chosen.starts.count == m)
            #expect(zip(chosen.starts, chosen.starts.dropFirst()).allSatisfy { $1 - $0 >= 3 })
            #expect(chosen.starts.allSatisfy { $0 >= 0 && $0 < costs.count })
            #expect(chosen.starts.reduce(0) { $0 + Int(costs[$1]) } == chosen.total)
            #expect(chosen.total == best, "costs \(costs) m \(m)")
        }
    }

    @Test("a window passes exactly when a granule it overlaps holds a start; always when a trigram lies inside it")
    func windowTestIsExact() {
        var rng = SplitMix64(seed: 0x7_216_0200)
        let starts = TrigramStarts(corpusTokens: 300)
        for _ in 0 ..< 300 {
            let lists = (0 ..< rng.int(0 ... 4)).map { _ in
                (0 ..< rng.int(0 ... 6)).map { _ in UInt32(rng.int(0 ... 200)) }.sorted()
            }
            let buffers = lists.map { list in
                let buffer = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: list.count)
                _ = buffer.initialize(from: list)
                return UnsafeBufferPointer(buffer)
            }
            defer { buffers.forEach { $0.deallocate() } }
            starts.set(buffers)
            let all = lists.flatMap { $0 }
            for _ in 0 ..< 20 {
                let from = rng.int(0 ... 210), to = from + rng.int(0 ... 30)
                let inside = all.contains { Int($0) >= from && Int($0) + 3 <= to }
                // The granules overlapping the possible starts hold one.
                let shift = TrigramStarts.granuleShift
                let granular = to - 3 >= from && all.contains { Int($0) >> shift >= from >> shift && Int($0) >> shift <= (to - 3) >> shift }
                let answer = starts.view.mayHoldTrigram(in: from ..< to)
                #expect(answer == granular, "\(all.sorted()) in \(from) ..< \(to)")
                if inside { #expect(answer, "\(all.sorted()) in \(from) ..< \(to)") }
            }
        }
    }

    @Test("scans with the filter write the same spans as scans without it, reference checks included", arguments: [false, true])
    func sameSpans(grouped: Bool) throws {
        var rng = SplitMix64(seed: grouped ? 0x7_216_0301 : 0x7_216_0300)
        var regions = 0, windows = 0
        for trial in 0 ..< 3 {
            // Templates shared by many records, with slots from a large vocabulary: regions
            // next to a template have many candidates, and rare trigrams to filter them.
            let shape = CorpusShape(recordCount: 150 ... 300, vocabulary: 40 ... 400, recordLength: 30 ... 200)
            let (corpus, vocabulary) = CorpusGenerator.corpus(shape, rng: &rng)
            let directory = OracleTempDirectory("trigram-scan")
            defer { directory.remove() }
            let w = rng.int(1 ... 3)
            let index = try MemscanIndex(path: try buildOracleIndex(corpus, k: 4, w: w, in: directory, name: "s.index"))
            // A reference corpus of other records and some of these, in another vocabulary
            // order: its near check must not go through the main index's filter or rows.
            var other = CorpusGenerator.corpus(shape, rng: &rng).0
            for r in corpus.records.indices where rng.chance(0.3) {
                other.ids.append("copy-\(corpus.ids[r])")
                other.records.append(corpus.records[r])
            }
            let reference = try MemscanIndex(path: try buildOracleIndex(other, k: 4, w: w, in: directory, name: "r.index"))
            var options = ScanOptions()
            options.recordsCap = rng.pick([3, 50, 1000])
            options.minSimilarity = rng.pick([0.75, 0.8, 0.9])
            if grouped {
                options.contextMinimum = 2
                options.contextBuildAfter = 0
            }
            var filtered = options, plain = options
            filtered.trigramFilterAfter = 0
            plain.trigramFilterAfter = .max
            let withFilter = GenerationScanner(context: try ScanContext(index: index, reference: reference, options: filtered))
            let without = GenerationScanner(context: try ScanContext(index: index, reference: reference, options: plain))
            for gen in 0 ..< 30 {
                let source = rng.pick(corpus.records.indices.filter { corpus.records[$0].count >= 30 })
                let record = corpus.records[source]
                let length = rng.int(20 ... min(record.count, 120))
                let start = rng.int(0 ... record.count - length)
                let copy = plantNearCopy(Array(record[start ..< start + length]),
                                         edits: Int((rng.pick([0.0, 0.05, 0.1, 0.15]) * Double(length)).rounded()),
                                         margin: 2, vocabulary: vocabulary, rng: &rng)
                let tokens = (0 ..< rng.int(0 ... 10)).map { _ in "NOVEL//\(rng.int(0 ... 999_999))" } + copy
                let input = InputRecord(id: "g\(gen)", location: SourceLocation(file: "<trigrams>", line: gen + 1),
                                        content: .tokens(TokenList(tokens)))
                func described(_ result: GenerationResult) -> [String] {
                    result.spans.map { "\($0.kind) \($0.start)-\($0.end) \($0.record)@\($0.recordStart)-\($0.recordEnd) "
                        + "records \($0.records) capped \($0.recordsCapped) ids \($0.recordIDs) edits \($0.edits.total) "
                        + "reference \($0.inReference.map(String.init) ?? "-")" }
                }
                let a = described(try withFilter.scan(input)), b = described(try without.scan(input))
                #expect(a == b, "trial \(trial) generation \(gen)")
            }
            regions += withFilter.nearFilterUse.regions
            windows += withFilter.nearFilterUse.windows
            #expect(without.nearFilterUse.regions == 0)
        }
        // The filter ran, and spared windows.
        #expect(regions > 20 && windows > 100, "filtered \(regions) regions, \(windows) windows")
    }
}

@Suite("Record listing of near record counts")
struct RecordListingTests {
    /// The branch-free pass over a context order's occurrences must list what the plain
    /// loop does: the occurrences in the rectangle, ascending, whose record is new.
    @Test("first listings through a context order equal the plain loop's, and clearing forgets them")
    func firstListingsAgree() throws {
        var rng = SplitMix64(seed: 0x7_216_0400)
        let shape = CorpusShape(recordCount: 150 ... 300, vocabulary: 4 ... 12, recordLength: 20 ... 160)
        let (corpus, vocabulary) = CorpusGenerator.corpus(shape, rng: &rng)
        let directory = OracleTempDirectory("listing")
        defer { directory.remove() }
        let index = try MemscanIndex(path: try buildOracleIndex(corpus, k: 4, w: 2, in: directory, name: "l.index"))
        let finder = MatchFinder(index: index, maxOccurrences: .max, contextMinimum: 2, contextBuildAfter: 0, grouping: true)
        let listing = RecordListing()
        var compared = 0
        for _ in 0 ..< 20 {
            let (tokens, _) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 200, timeTokens: 0, rng: &rng)
            try finder.run(on: TokenList(tokens))
            for seed in finder.groupedSeeds {
                let order = seed.order, n = order.record.count
                listing.reserve(records: index.recordCount)
                var listed = Set<Int32>()
                for _ in 0 ..< rng.int(0 ... 5) {
                    let r = rng.int(0 ... index.recordCount - 1)
                    _ = listing.first(r)
                    listed.insert(Int32(r))
                }
                for _ in 0 ..< 3 {
                    let everything = rng.chance(0.3)
                    let a = rng.int(0 ... n), b = rng.int(0 ... n), c = rng.int(0 ... n), d = rng.int(0 ... n)
                    let right = everything ? 0 ..< n : min(a, b) ..< max(a, b), left = everything ? 0 ..< n : min(c, d) ..< max(c, d)
                    var expected: [Int32] = []
                    for o in 0 ..< n where right.contains(Int(order.right.rank[o])) && left.contains(Int(order.left.rank[o])) {
                        if listed.insert(order.record[o]).inserted { expected.append(Int32(o)) }
                    }
                    #expect(Array(listing.first(in: order, right: right, left: left)) == expected)
                    compared += expected.count
                }
                // Listed records stay listed; all are forgotten once cleared.
                for r in listed { #expect(!listing.first(Int(r))) }
                listing.removeAll()
                for r in listed { #expect(listing.first(Int(r))) }
                listing.removeAll()
            }
        }
        #expect(compared > 100)
    }
}
