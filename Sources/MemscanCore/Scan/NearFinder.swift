import CMemscanShims

/// A near-verbatim alignment of generation [genStart, genEnd) with record tokens
/// [recordStart, recordEnd) (matching coordinates, record-local).
struct NearAlignment: Equatable {
    var genStart: Int
    var genEnd: Int
    var record: Int
    var recordStart: Int
    var recordEnd: Int
    var edits: EditCounts
    var genLength: Int { genEnd - genStart }
    var recordLength: Int { recordEnd - recordStart }
    var similarity: Double { 1 - Double(edits.total) / Double(max(1, max(genLength, recordLength))) }
}

/// Near-verbatim spans (§4) from the exact matches a MatchFinder found, as a read
/// mapper would: the exact matches are seeds; on each record, the first seed not yet
/// inside an alignment is extended both ways by banded alignment (crossing the later
/// seeds of the same copy, which is the chaining), and the region is kept when it
/// reaches the similarity threshold, holds at least one edit and is not inside a
/// verbatim span. Each distinct generation region then counts the records that hold
/// a similar region, checked by a bit-parallel edit distance of the whole region
/// against each candidate record's window.
final class NearFinder {
    let index: MemscanIndex
    let options: ScanOptions
    let minLength: Int
    let aligner: BandedAligner
    /// Per-generation tallies and buffers, kept from one generation to the next (the
    /// maps are cleared in O(1)): a fresh 32 KiB map per region was a tenth of a
    /// sampled scan.
    private var seedsPerInterval = DiagonalMap()
    private var extendedPerSignature = DiagonalMap()
    /// The records already listed as candidates of the current region.
    private let listing = RecordListing()
    /// Near record counting's per-index helpers: this finder's index, and the reference
    /// index a near span is checked against (created on first use).
    private let ownCounting: CountingHelpers
    private var referenceCounting: CountingHelpers?
    private var scratch = BandedAligner.Scratch()
    private var pieces = NearPieces()
    /// Regions with fewer candidates than this are counted without the trigram filter.
    private let filterMinimumCandidates: Int
    /// Near record counting so far: regions counted through the trigram filter, and
    /// windows it spared reading.
    private(set) var regionsFiltered = 0
    private(set) var windowsFiltered = 0

    /// Indices of `matches` ordered by record (stable): one sort of (record, index)
    /// pairs packed in a word, which the index keeps stable.
    static func orderedByRecord(_ matches: UnsafeBufferPointer<VerbatimMatch>) -> [Int32] {
        var keys = [UInt64](unsafeUninitializedCapacity: matches.count) { out, initialized in
            for i in 0 ..< matches.count { out[i] = UInt64(UInt32(truncatingIfNeeded: matches[i].record)) << 32 | UInt64(i) }
            initialized = matches.count
        }
        keys.sort()
        return keys.map { Int32(truncatingIfNeeded: $0) }
    }

    /// Chains of identical seeds that are aligned (see `align`).
    static let samplesPerSignature = 2
    /// Seeds (records, but for repeats) above which a lone seed's interval counts as
    /// common phrasing (see `align`).
    static let commonSeedRecords = 16
    /// Candidate windows prefetched ahead when counting a region's records, and checked
    /// per chunk.
    static let prefetchDistance = 32
    static let candidateChunk = 512
    /// Largest distance between consecutive seeds of one chain (see `align`).
    static let chainGap = 64

    init(index: MemscanIndex, options: ScanOptions, minLength: Int) {
        self.index = index
        self.options = options
        self.minLength = minLength
        aligner = BandedAligner(band: options.nearBand, maxGap: options.nearMaxGap, minSimilarity: options.minSimilarity)
        ownCounting = CountingHelpers(index: index)
        switch options.trigramFilterAfter {
        case 0: filterMinimumCandidates = 1
        case Int.max: filterMinimumCandidates = .max
        default: filterMinimumCandidates = 32
        }
    }

    /// A near span before it is turned into a reported Span.
    struct Found {
        var alignment: NearAlignment
        /// The representative's exact pieces inside the region (its matches, clipped).
        var pieces: [Range<Int>]
        var records: Int
        var capped: Bool
        var examples: [Int]
        var isSelf: Bool?
    }

    /// The near spans of the generation `finder` last ran on, given the generation
    /// intervals of the verbatim spans to be reported (matching coordinates).
    func find(finder: MatchFinder, verbatim: [Range<Int>], promptMatching: Int, patientID: [UInt8]?) throws -> [Found] {
        // Grouped seeds (templates in an exhaustive scan) give no match per record: a
        // few records of each of their classes stand for the others.
        let matches = finder.groupedSeeds.isEmpty ? finder.matches : try finder.matches + finder.sampledMatches()
        guard !matches.isEmpty else { return [] }
        // Seeds worth chaining: those of records with more than one seed, and lone seeds
        // whose interval few records share. A generation that copies pieces of an order
        // set has thousands of lone seeds with common intervals; they are set aside.
        let width = finder.sequence.count + 1
        // Taken out of the object for the loop: no exclusivity check per access.
        var seedsPerInterval = DiagonalMap(capacity: 0)
        swap(&seedsPerInterval, &self.seedsPerInterval)
        defer { swap(&seedsPerInterval, &self.seedsPerInterval) }
        seedsPerInterval.removeAll()
        var order: [Int] = []
        matches.withUnsafeBufferPointer { matches in
            // Few distinct intervals (one per template piece): a small, cached table.
            var lastKey = -1, lastCount = 0
            for m in matches {
                let key = m.genStart * width + m.genEnd
                if key == lastKey { lastCount += 1; continue }
                if lastKey >= 0 { seedsPerInterval.add(lastKey, lastCount) }
                lastKey = key
                lastCount = 1
            }
            if lastKey >= 0 { seedsPerInterval.add(lastKey, lastCount) }
            for (a, b, occurrences) in finder.groupIntervals {
                let key = a * width + b
                seedsPerInterval.set(key, max(seedsPerInterval.value(for: key) ?? 0, occurrences))
            }
            let byRecord = NearFinder.orderedByRecord(matches)
            var n = 0
            while n < byRecord.count {
                var end = n + 1
                while end < byRecord.count && matches[Int(byRecord[end])].record == matches[Int(byRecord[n])].record { end += 1 }
                if end - n > 1 {
                    let from = order.count
                    for i in n ..< end { order.append(Int(byRecord[i])) }
                    order[from...].sort { (matches[$0].genStart, matches[$0].genEnd) < (matches[$1].genStart, matches[$1].genEnd) }
                } else {
                    let m = matches[Int(byRecord[n])]
                    if seedsPerInterval.value(for: m.genStart * width + m.genEnd)! <= NearFinder.commonSeedRecords {
                        order.append(Int(byRecord[n]))
                    }
                }
                n = end
            }
        }
        guard !order.isEmpty else { return [] }
        let alignments = try align(matches: matches, order: order, seedsPerInterval: seedsPerInterval, finder: finder)
        let kept = alignments.filter { a in
            a.edits.total > 0
                && a.similarity >= options.minSimilarity
                && a.genEnd - max(a.genStart, promptMatching) >= minLength
                && a.recordLength >= minLength
                && !verbatim.contains { $0.lowerBound <= a.genStart && a.genEnd <= $0.upperBound }
        }
        guard !kept.isEmpty else { return [] }

        // One entry per distinct generation region, with the alignments ending exactly there.
        var byRegion: [Range<Int>: [NearAlignment]] = [:]
        for a in kept { byRegion[a.genStart ..< a.genEnd, default: []].append(a) }
        var found: [Found] = []
        let byPosition = MatchesByPosition(matches)
        let ids = finder.sequence.ids
        for (region, group) in byRegion {
            var representative = group.min { ($0.edits.total, $0.record) < ($1.edits.total, $1.record) }!
            var isSelf: Bool? = nil
            if let patientID {
                isSelf = false
                if let own = group.first(where: { a in patientID.withUnsafeBytes { index.recordIDEquals(a.record, $0) } }) {
                    representative = own
                    isSelf = true
                }
            }
            let overlapping = byPosition.indices(overlapping: region)
            let (count, capped, examples) = try countRecords(
                similarTo: region, ids: ids, known: Set(group.map(\.record)), representative: representative.record,
                matches: matches, overlapping: overlapping, grouped: finder.groupedSeeds, index: index, tokens: finder.tokens,
                cap: options.recordsCap)
            var pieces: [Range<Int>] = []
            // The representative's own matches give pieces where they overlap the region.
            let own = overlapping.map { matches[$0] }.filter { $0.record == representative.record }
            for m in own + (try finder.groupedMatches(of: representative.record, near: region)) {
                let lower = max(m.genStart, region.lowerBound)
                let piece = lower ..< max(lower, min(m.genEnd, region.upperBound))
                if !piece.isEmpty { pieces.append(piece) }
            }
            found.append(Found(alignment: representative, pieces: pieces, records: count, capped: capped,
                               examples: examples, isSelf: isSelf))
        }
        // "Closed" regions only, as for verbatim spans: a region inside a longer one held
        // by the same number of records adds nothing.
        let closed = found.filter { f in
            !found.contains { other in
                other.alignment.genStart <= f.alignment.genStart && other.alignment.genEnd >= f.alignment.genEnd
                    && other.alignment.genLength > f.alignment.genLength
                    && other.records == f.records && other.capped == f.capped
            }
        }
        return closed.sorted { ($0.alignment.genStart, $0.alignment.genEnd) < ($1.alignment.genStart, $1.alignment.genEnd) }
    }

    /// Whether some record of `finder`'s index (the reference corpus) holds a region
    /// similar to generation `region`.
    func hasSimilarRecord(_ region: Range<Int>, ids: [UInt32], finder: MatchFinder) throws -> Bool {
        let overlapping = MatchesByPosition.indices(of: finder.matches, overlapping: region)
        let (count, _, _) = try countRecords(similarTo: region, ids: ids, known: [], representative: nil, matches: finder.matches,
                                             overlapping: overlapping, grouped: finder.groupedSeeds, index: finder.index,
                                             tokens: finder.tokens, cap: 1)
        return count > 0
    }

    /// Extends the promising chains of seeds. On each record, seeds in generation
    /// order form a chain while each starts at most `chainGap` tokens after the last
    /// and on a diagonal at most `band` away. A chain of one seed whose interval is
    /// held by more than `commonSeedRecords` records (a piece of a template seen in
    /// every record holding it) is not extended: a region it could grow into would be
    /// seeded again by the record it really comes from. Chains that are the same
    /// (same intervals at the same relative offsets: copies of one template) are
    /// extended for the first `samplesPerSignature` records only; the others are still
    /// counted when a region is reported (`countRecords`). Within a chain, a seed
    /// already inside an alignment on a nearby diagonal is not extended again.
    private func align(matches: [VerbatimMatch], order: [Int], seedsPerInterval: DiagonalMap,
                       finder: MatchFinder) throws -> [NearAlignment] {
        var result: [NearAlignment] = []
        var recordAlignments = AlignmentCover(band: aligner.band)
        var scratch = BandedAligner.Scratch(), extendedPerSignature = DiagonalMap(capacity: 0)
        swap(&scratch, &self.scratch)
        swap(&extendedPerSignature, &self.extendedPerSignature)
        defer {
            swap(&scratch, &self.scratch)
            swap(&extendedPerSignature, &self.extendedPerSignature)
        }
        extendedPerSignature.removeAll()
        let width = finder.sequence.count + 1
        let chainGap = NearFinder.chainGap
        let tokens = finder.tokens
        try finder.sequence.ids.withUnsafeBufferPointer { ids in
            var n = 0
            while n < order.count {
                // One chain: order[n ..< end].
                var end = n + 1
                while end < order.count {
                    let previous = matches[order[end - 1]], next = matches[order[end]]
                    guard next.record == previous.record, next.genStart - previous.genEnd <= chainGap,
                          abs((next.recordStart - next.genStart) - (previous.recordStart - previous.genStart)) <= aligner.band
                    else { break }
                    end += 1
                }
                defer { n = end }
                if n == 0 || matches[order[n - 1]].record != matches[order[n]].record {
                    recordAlignments.removeAll()
                }
                let first = matches[order[n]]
                if end - n == 1 && seedsPerInterval.value(for: first.genStart * width + first.genEnd)! > NearFinder.commonSeedRecords {
                    continue
                }
                var signature: UInt64 = 0x9E37_79B9_7F4A_7C15
                let firstDiagonal = first.recordStart - first.genStart
                func mix(_ value: Int) { signature = ms_fmix64(signature ^ UInt64(bitPattern: Int64(value))) }
                for i in order[n ..< end] {
                    let m = matches[i]
                    mix(m.genStart)
                    mix(m.genEnd)
                    mix(m.recordStart - m.genStart - firstDiagonal)
                }
                let key = Int(truncatingIfNeeded: signature)
                let extended = extendedPerSignature.value(for: key) ?? 0
                extendedPerSignature.set(key, extended + 1)
                if extended >= NearFinder.samplesPerSignature { continue }
                for i in order[n ..< end] {
                    let seed = matches[i]
                    if recordAlignments.covers(seed) { continue }
                    let range = index.recordRange(seed.record)
                    let base = range.lowerBound
                    let rightFirst = try aligner.extend(
                        gen: { ids[seed.genEnd + $0] }, genCount: ids.count - seed.genEnd,
                        record: { try tokens.value(at: base + seed.recordEnd + $0) }, recordCount: range.count - seed.recordEnd,
                        coreGen: seed.length, coreRecord: seed.length, coreEdits: 0, scratch: &scratch)
                    let left = try aligner.extend(
                        gen: { ids[seed.genStart - 1 - $0] }, genCount: seed.genStart,
                        record: { try tokens.value(at: base + seed.recordStart - 1 - $0) }, recordCount: seed.recordStart,
                        coreGen: seed.length + rightFirst.genLength, coreRecord: seed.length + rightFirst.recordLength,
                        coreEdits: rightFirst.edits.total, scratch: &scratch)
                    // The right side was extended on the seed's score alone: with the left side
                    // banked it may cross a difference it stopped at.
                    let right = left.genLength == 0 ? rightFirst : try aligner.extend(
                        gen: { ids[seed.genEnd + $0] }, genCount: ids.count - seed.genEnd,
                        record: { try tokens.value(at: base + seed.recordEnd + $0) }, recordCount: range.count - seed.recordEnd,
                        coreGen: seed.length + left.genLength, coreRecord: seed.length + left.recordLength,
                        coreEdits: left.edits.total, scratch: &scratch)
                    let edits = EditCounts(substitutions: left.edits.substitutions + right.edits.substitutions,
                                           insertions: left.edits.insertions + right.edits.insertions,
                                           deletions: left.edits.deletions + right.edits.deletions)
                    let alignment = NearAlignment(
                        genStart: seed.genStart - left.genLength, genEnd: seed.genEnd + right.genLength, record: seed.record,
                        recordStart: seed.recordStart - left.recordLength, recordEnd: seed.recordEnd + right.recordLength,
                        edits: edits)
                    recordAlignments.append(alignment)
                    result.append(alignment)
                }
            }
        }
        return result
    }

    /// Records holding a region similar to generation `region` at the threshold: those
    /// in `known` (whose own alignment is that region) plus every other record with a
    /// seed (a match, or an occurrence of a grouped seed) overlapping it whose banded
    /// alignment of the whole region reaches the threshold.
    private func countRecords(similarTo region: Range<Int>, ids: [UInt32], known: Set<Int>, representative: Int?,
                              matches: [VerbatimMatch], overlapping: [Int], grouped: [LocatedSeed], index: MemscanIndex, tokens: BlockCache,
                              cap: Int) throws -> (count: Int, capped: Bool, examples: [Int]) {
        var count = known.count
        var examples: [Int] = []
        if let representative { examples.append(representative) }
        for r in known.sorted() where examples.count < options.maxRecordIDs && r != representative { examples.append(r) }
        if count >= cap { return (cap, count > cap, Array(examples.prefix(options.maxRecordIDs))) }
        let band = aligner.band
        let maxEdits = Int(((1 - options.minSimilarity) * Double(region.count) + 1e-9).rounded(.down))
        var window: [UInt32] = []
        let listing = self.listing
        listing.reserve(records: index.recordCount)
        defer { listing.removeAll() }
        // Records already counted are not candidates.
        for record in known { _ = listing.first(record) }
        let k = index.header.k
        // Only seeds within the kept depth of the region can have occurrences whose matches
        // overlap it below the depth (deeper ones are among the matches); a long generation
        // has tens of thousands of grouped seeds, nearly all far from any one region.
        let grouped = MatchFinder.seeds(grouped, near: region)
        let rectangles = grouped.map { seed in
            let p = seed.position
            return seed.reaching(backward: max(0, p - region.upperBound + 1), forward: max(k, region.lowerBound - p + 1))
        }
        // A window that holds none of the trigrams `admit` chose is not read: it is
        // further than maxEdits from the region. The filter and the matcher's row map are
        // those of the index counted in (vocabulary ids and positions differ between indexes).
        let helpers = helpers(for: index)
        let corpusTokens = index.header.matchTokens
        let admitted = try admit(similarTo: region, ids: ids, maxEdits: maxEdits, overlappingMatches: overlapping.count, rectangles: rectangles,
                                 index: index, starts: helpers.starts)
        // Candidates: each record once, through its first seed overlapping the region, with
        // the window where the region would lie on that seed's diagonal. The seeds are the
        // matches, then the occurrences of grouped seeds whose matches overlap the region
        // (those reaching the kept depth are among the matches). (A record holding the
        // region's pieces at two places is checked at the first: every placement would
        // cost twice as much on template-heavy generations.) A region next to a template
        // has thousands of candidates, each a cache miss: they are checked a chunk at a
        // time with the windows prefetched some ahead, and listing stops at the cap.
        let matcher = ids.withUnsafeBufferPointer { BitParallelMatcher(pattern: UnsafeBufferPointer(rebasing: $0[region]), rows: helpers.rows) }
        typealias Candidate = (record: Int32, window: Range<Int>, diagonal: Int, fromEnd: Bool)
        var candidates: [Candidate] = []
        candidates.reserveCapacity(NearFinder.candidateChunk)
        var full = false
        // Windows the filter spared, added to `windowsFiltered` once: a class property
        // updated per window paid a run-time exclusivity check each time.
        var spared = 0
        defer { windowsFiltered += spared }
        // The cache lines where the banded bound starts reading: it refuses most windows
        // within a few dozen tokens of that end.
        @inline(__always) func prefetch(_ candidate: Candidate) {
            let window = candidate.window
            for line in 0 ..< 3 {
                tokens.prefetch(candidate.fromEnd ? max(window.lowerBound, window.upperBound - 1 - 16 * line)
                                                  : min(window.upperBound - 1, window.lowerBound + 16 * line))
            }
        }
        func check() throws {
            // The loop works on local copies: each read of a captured variable paid a
            // run-time exclusivity check.
            let pending = candidates, ahead = NearFinder.prefetchDistance
            var similarCount = count
            for c in 0 ..< min(ahead, pending.count) { prefetch(pending[c]) }
            for (c, candidate) in pending.enumerated() {
                if c + ahead < pending.count { prefetch(pending[c + ahead]) }
                let (from, to) = (candidate.window.lowerBound, candidate.window.upperBound)
                // A region within (1 - s) x n edits is similar whatever its length, since
                // the similarity divides by the longer of the two. The window is read in
                // place when it is one run in memory (copying it cost 4% of the scan).
                let similar: Bool
                if let values = try tokens.valuesInPlace(from ..< to) {
                    similar = matcher.matches(UnsafeBufferPointer(start: values, count: to - from),
                                              maxEdits: maxEdits, diagonal: candidate.diagonal, band: band,
                                              fromEnd: candidate.fromEnd)
                } else {
                    window.removeAll(keepingCapacity: true)
                    try tokens.append(from ..< to, to: &window)
                    similar = window.withUnsafeBufferPointer {
                        matcher.matches($0, maxEdits: maxEdits, diagonal: candidate.diagonal, band: band, fromEnd: candidate.fromEnd)
                    }
                }
                guard similar else { continue }
                similarCount += 1
                if examples.count < options.maxRecordIDs { examples.append(Int(candidate.record)) }
                if similarCount >= cap { break }
            }
            count = similarCount
            full = count >= cap
            candidates.removeAll(keepingCapacity: true)
        }
        /// Lists `record`, which `listing` has just marked, through a grouped seed's
        /// occurrence: the region would start at global position `start`. The filter is
        /// tried first on the window before it is cut to the record (a window that holds
        /// no piece inside a larger one holds none inside it): most candidates are refused
        /// there, without looking up their record's bounds.
        func add(_ record: Int, globalStart start: Int, seedAt: Int) throws {
            if let admitted, !admitted.mayHoldTrigram(in: max(0, start - band) ..< min(corpusTokens, start + region.count + band)) {
                spared += 1
                return
            }
            let range = index.recordRange(record)
            try add(record, range: range, expectedStart: start - range.lowerBound, seedAt: seedAt)
        }
        /// Lists `record` (whose tokens are `range`), which `listing` has just marked.
        func add(_ record: Int, range: Range<Int>, expectedStart: Int, seedAt: Int) throws {
            let from = range.lowerBound + max(0, expectedStart - band)
            let to = range.lowerBound + min(range.count, expectedStart + region.count + band)
            guard to > from else { return }
            if let admitted, !admitted.mayHoldTrigram(in: from ..< to) {
                spared += 1
                return
            }
            // Where the region's first token lies in the window on the seed's diagonal; the
            // check starts at the end of the region away from the seed.
            candidates.append((Int32(record), from ..< to, range.lowerBound + expectedStart - from,
                               2 * (seedAt - region.lowerBound) < region.count))
            if candidates.count == NearFinder.candidateChunk { try check() }
        }
        for i in overlapping where !full {
            let m = matches[i]
            guard listing.first(m.record) else { continue }
            try add(m.record, range: index.recordRange(m.record), expectedStart: m.recordStart - (m.genStart - region.lowerBound),
                    seedAt: m.genStart)
        }
        for (seed, (right, left)) in zip(grouped, rectangles) where !full {
            let p = seed.position
            func list(_ o: Int, record: Int) throws {
                try add(record, globalStart: Int(seed.postings[o]) - (p - region.lowerBound), seedAt: p)
            }
            // In postings order, through the wavelet matrix when the rectangle holds few
            // occurrences, otherwise in one pass over them.
            let order = seed.order, n = order.record.count
            if right.count * 4 < n || left.count * 4 < n {
                try order.forEachOccurrence(right: right, left: left) { o in
                    let record = Int(order.record[o])
                    if listing.first(record) { try list(o, record: record) }
                    return !full
                }
            } else {
                for o in listing.first(in: order, right: right, left: left) {
                    if full { break }
                    try list(Int(o), record: Int(order.record[Int(o)]))
                }
            }
        }
        try check()
        if count >= cap {
            // Stopped at the cap: there may be more.
            return (cap, true, examples)
        }
        return (count, false, examples)
    }
}

/// Near record counting's buffers sized for one index: the matcher's mask rows by
/// vocabulary id and the granules of the trigram filter.
private final class CountingHelpers {
    let index: MemscanIndex
    let rows: TokenRows
    let starts: TrigramStarts

    init(index: MemscanIndex) {
        self.index = index
        rows = TokenRows(vocabulary: index.header.vocabCount)
        starts = TrigramStarts(corpusTokens: index.header.matchTokens)
    }
}

extension NearFinder {
    /// The helpers of `index`: this finder's own, or the reference index's.
    fileprivate func helpers(for index: MemscanIndex) -> CountingHelpers {
        if index === ownCounting.index { return ownCounting }
        if let referenceCounting, referenceCounting.index === index { return referenceCounting }
        let made = CountingHelpers(index: index)
        referenceCounting = made
        return made
    }

    /// Where `maxEdits` + 1 disjoint trigrams of the region occur in the corpus (see
    /// `NearPieces`): near record counting checks only the windows that hold one, any other
    /// window being further than that from the region. nil, and every candidate checked,
    /// while the trigram postings are not built and when the region has few candidates or
    /// its cheapest pieces occur about as often.
    fileprivate func admit(similarTo region: Range<Int>, ids: [UInt32], maxEdits: Int, overlappingMatches: Int,
                           rectangles: [(right: Range<Int>, left: Range<Int>)], index: MemscanIndex,
                           starts: TrigramStarts) throws -> TrigramStarts.View? {
        var candidates = overlappingMatches
        for r in rectangles { candidates += min(r.right.count, r.left.count) }
        guard candidates >= filterMinimumCandidates,
              let postings = try index.trigramPostings.postings(checking: candidates, index: index, after: options.trigramFilterAfter),
              let (entries, buckets) = ids.withUnsafeBufferPointer({
                  pieces.cheapest(UnsafeBufferPointer(rebasing: $0[region]), pieces: maxEdits + 1, postings: postings)
              }),
              entries < 2 * candidates
        else { return nil }
        starts.set(buckets.lazy.map { postings.positions(inBucket: $0) })
        regionsFiltered += 1
        return starts.view
    }

    /// The reported spans: the near spans, and the verbatim spans except those inside
    /// a near span whose representative record holds them (they are its core).
    func merge(_ found: [Found], into verbatim: [Span], finder: MatchFinder, promptMatching: Int) throws -> [Span] {
        guard !found.isEmpty else { return verbatim }
        let sequence = finder.sequence
        // A verbatim span lies inside the region and inside one of the representative's
        // exact pieces (pieces are clipped to the region, which holds the span). It stays
        // when fewer records hold it than the near span: a piece of one patient inside a
        // common near copy of a template is a finding of its own.
        var spans = verbatim.filter { v in
            !found.contains { f in
                let rarer = !v.recordsCapped && (f.capped || v.records < min(f.records, options.recordsCap))
                return !rarer && f.pieces.contains { $0.lowerBound <= v.matchingRange.lowerBound && v.matchingRange.upperBound <= $0.upperBound }
            }
        }
        for f in found {
            let a = f.alignment
            let records = min(f.records, options.recordsCap)
            let rarity = Rarity(records: records, capped: f.capped, rareMax: options.rareMax)
            let recordStart = try finder.originalRecordPosition(record: a.record, local: a.recordStart)
            let recordEnd = try finder.originalRecordPosition(record: a.record, local: a.recordEnd - 1) + 1
            var span = Span(
                start: Int(sequence.original[a.genStart]), end: Int(sequence.original[a.genEnd - 1]) + 1,
                newTokens: a.genEnd - max(a.genStart, promptMatching), kind: .near, similarity: a.similarity, edits: a.edits,
                record: index.recordID(a.record), recordIndex: a.record, recordStart: recordStart, recordEnd: recordEnd,
                records: records, recordsCapped: f.capped, recordIDs: f.examples.map { index.recordID($0) },
                isSelf: f.isSelf, inReference: nil, rarity: rarity, matchingRange: a.genStart ..< a.genEnd)
            // The core: the exact piece with the most new (beyond-prompt) tokens, then the longest.
            func rank(_ r: Range<Int>) -> (Int, Int) { (r.upperBound - max(r.lowerBound, promptMatching), r.count) }
            if let core = f.pieces.max(by: { rank($0) < rank($1) }) {
                span.coreStart = Int(sequence.original[core.lowerBound])
                span.coreEnd = Int(sequence.original[core.upperBound - 1]) + 1
            }
            spans.append(span)
        }
        return spans
    }
}
