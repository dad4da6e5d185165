import CMemscanShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A maximal verbatim match between a generation and one record, in matching
/// coordinates (ignored tokens removed): generation [genStart, genEnd) equals
/// record tokens [recordStart, recordEnd), and neither end can be extended.
struct VerbatimMatch: Equatable {
    var genStart: Int
    var genEnd: Int
    var record: Int
    var recordStart: Int
    var recordEnd: Int
    var length: Int { genEnd - genStart }
}

/// Seeds, verifies and extends verbatim matches of one generation against one
/// index. Holds per-thread buffers and a block cache; not thread-safe.
///
/// A seed (selected shingle) held at most `maxOccurrences` times is enumerated in
/// full. A more common seed (a template, an order set) is only sampled; records it
/// shares with the generation are then found through *chains* of common seeds, each
/// at most w after the previous: their postings, intersected at the generation's
/// offsets, list exactly the records holding all of them, which is few for a
/// patient-specific stretch made of common pieces.
final class MatchFinder {
    let index: MemscanIndex
    let tokens: BlockCache
    let positions: BlockCache?
    let maxOccurrences: Int
    /// Seeds held at least this many times are extended (or, grouping, grouped) through
    /// their context orders, built once `contextBuildAfter` x their occurrences were
    /// extended without (see `ContextOrderCache`; grouping builds them when first needed).
    let contextMinimum: Int
    let contextBuildAfter: Int
    /// Orders this thread already got from the index's cache (immutable once built):
    /// no lock per common seed.
    private var contextOrders: [Int: ContextOrder] = [:]
    /// Whether very common seeds with a built context order are grouped (see
    /// `LocatedSeed`) instead of yielding one match per occurrence. Only for exhaustive
    /// scans whose spans are at least G long: their counts go through charged seeds.
    let grouping: Bool
    /// Whether grouped seeds sample records for near matching (`sampledMatches`).
    let samplingForNear: Bool
    /// Whether the occurrences of grouped seeds that can only repeat known matches are
    /// passed over (see `group` and `groupedMatches`). Off only in tests, which compare.
    let skipsKnownOccurrences: Bool
    /// Deep occurrences of grouped seeds listed from the wavelet matrix (see `extendDeep`)
    /// and seeds whose shallow occurrences in a record were listed (`groupedMatches`).
    private(set) var listings = 0
    /// Records scanned for the grouped seeds' shingles (see `occurrencesInRecord`).
    private(set) var recordScans = 0
    /// The grouped seeds of the generation, by position.
    private(set) var groupedSeeds: [LocatedSeed] = []
    /// Generation intervals (at least G long) of the maximal matches through grouped
    /// seeds below the kept depth (they may repeat), and how many occurrences of the
    /// seed have exactly that match.
    private(set) var groupIntervals: [(a: Int, b: Int, occurrences: Int)] = []
    /// A few records of each class of grouped occurrences, for near matching.
    private var sampledRecords: [Int32] = []
    /// Per grouped seed, its occurrences below the kept depth (`LocatedSeed.shallow`), found
    /// when `group` or `groupedMatches` first needs them (nil until then).
    private var shallowOccurrences: [LocatedSeed.Shallow?] = []
    /// The grouped seeds by their shingle's hash, and scratch for a record's token ids,
    /// token hashes and shingle hashes (see `occurrencesInRecord`).
    private var seedsByShingle: [UInt64: [Int32]] = [:]
    private var recordIDs: [UInt32] = []
    private var recordHashes: [UInt64] = []
    private var recordShingles: [UInt64] = []
    /// Distinct-record counts of rectangles already asked for: generations that copy the
    /// same template piece ask for the same rectangle of the same order.
    private var rectangleCounts: [RectangleKey: Int] = [:]
    private struct RectangleKey: Hashable {
        let order: ObjectIdentifier
        let right: Range<Int>
        let left: Range<Int>
        let limit: Int
    }
    static let rectangleCacheLimit = 1 << 16
    /// What intersecting a chain of common seeds came to, by the chain (see
    /// `extendCommonPairs`): generations that copy the same template pieces form the same
    /// chains, and at 50 M corpus tokens 98% of the elements merged were merged before.
    private var chainOutcomes: [ChainKey: ChainOutcome] = [:]
    private var chainKeyScratch = ChainKey(seeds: [])
    /// Chains whose outcome was remembered rather than computed.
    private(set) var chainsRemembered = 0
    /// The posting lists of a chain's seeds, as (start address, count, offset from the
    /// first seed) for each: the intersections depend on nothing else (the postings are
    /// views of the mapped index, which does not move while the finder lives).
    private struct ChainKey: Hashable {
        var seeds: [Int]
    }
    private enum ChainOutcome {
        /// More than `maxOccurrences` joint occurrences, by the sample (`surelyTooCommon`)
        /// or still after the last seed.
        case tooMany
        /// Down to `candidates` (at most `maxOccurrences`) at the seed `last` after the first.
        case small(last: Int, candidates: [UInt32])
    }
    /// Kept chain outcomes hold at most `maxOccurrences` positions each.
    static let chainCacheLimit = 1 << 12
    private var probe = SeedProbe()
    var sequence: MatchingSequence { probe.sequence }
    /// Deduplication and matches of the generation being scanned.
    private var state = ExtensionState()
    /// Selected positions whose occurrences were all enumerated.
    private(set) var fullSeeds: [Int] = []
    /// Selected positions whose occurrences were only sampled.
    private(set) var truncatedSeeds: [Int] = []
    /// Runs of common seeds (first and last position) whose joint occurrences were
    /// all enumerated.
    private(set) var fullChains: [(Int, Int)] = []
    private var commonSeeds: [(position: Int, postings: UnsafeBufferPointer<UInt32>)] = []
    private var candidates: [UInt32] = []
    /// Match ends of the occurrences of the previous and the current seed, and the
    /// occurrences still to verify (owned; freed in deinit).
    private var previousEnds = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 1024)
    private var currentEnds = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 1024)
    private var uncoveredIndices = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 1024)
    /// Seeds with fewer occurrences are verified without looking for covered ones.
    static let skipThreshold = 32
    /// Occurrences verified of a seed or pair that is too common to enumerate.
    let sampledOccurrences = 16
    var matches: [VerbatimMatch] { state.matches }
    static let prefetchDistance = 64
    /// Occurrences sampled to judge a chain of common seeds (see `surelyTooCommon`).
    static let chainSample = 64

    deinit {
        previousEnds.deallocate()
        currentEnds.deallocate()
        uncoveredIndices.deallocate()
    }

    init(index: MemscanIndex, maxOccurrences: Int, contextMinimum: Int = ContextOrder.minimumOccurrences,
         contextBuildAfter: Int? = nil, grouping: Bool = false, samplingForNear: Bool = true,
         skipsKnownOccurrences: Bool = true) {
        self.index = index
        self.skipsKnownOccurrences = skipsKnownOccurrences
        self.maxOccurrences = maxOccurrences
        self.grouping = grouping && maxOccurrences == .max
        self.samplingForNear = samplingForNear
        // Contexts must reach past the shingle for an extension to mean anything.
        let minimum = index.header.k < ContextOrder.depth ? max(2, contextMinimum) : Int.max
        if self.grouping && minimum != Int.max {
            // What is grouped is fixed by the index, and orders are built when first needed:
            // the output never depends on which thread met a seed first.
            self.contextMinimum = index.contextOrders.groupingMinimum(index: index, minimum: minimum)
            self.contextBuildAfter = 0
        } else {
            self.contextMinimum = minimum
            self.contextBuildAfter = contextBuildAfter ?? ContextOrderCache.buildAfter
        }
        tokens = BlockCache(store: index.tokenBlocks, shared: index.sharedTokens)
        positions = index.positionBlocks.map { BlockCache(store: $0) }
    }

    /// Finds every maximal verbatim match that contains a selected shingle of the
    /// generation; by the winnowing guarantee that includes every match of at
    /// least G tokens.
    func run(on generation: TokenList) throws {
        let probed = probe.run(generation, index: index)
        state.matches.removeAll(keepingCapacity: true)
        truncatedSeeds.removeAll(keepingCapacity: true)
        fullSeeds.removeAll(keepingCapacity: true)
        fullChains.removeAll(keepingCapacity: true)
        commonSeeds.removeAll(keepingCapacity: true)
        groupedSeeds.removeAll(keepingCapacity: true)
        groupIntervals.removeAll(keepingCapacity: true)
        sampledRecords.removeAll(keepingCapacity: true)
        shallowOccurrences.removeAll(keepingCapacity: true)
        seedsByShingle.removeAll(keepingCapacity: true)
        let k = index.header.k
        guard probed else { return }
        state.lastOnDiagonal.removeAll()
        // The extension state and the generation's ids are taken out of the object for
        // the loops below: one exclusivity check per generation instead of per token.
        var work = ExtensionState(lastOnDiagonal: DiagonalMap(capacity: 0))
        swap(&work, &state)
        defer { swap(&work, &state) }
        let idArray = probe.sequence.ids
        let selected = probe.selected, values = probe.values
        // The previous enumerated seed with a postings list, and the end of the match
        // through each of its occurrences (`ends`, -1 for a hash collision).
        var previous: (position: Int, postings: UnsafeBufferPointer<UInt32>)? = nil
        // The previous seed whose occurrences were all enumerated (see `group`).
        var lastEnumerated: Int? = nil
        for (n, p) in selected.enumerated() where values[n] != MS_PROBE_MISS {
            let occurrences = try index.occurrences(ofSlotValue: values[n])
            var count = occurrences.count
            if count > maxOccurrences {
                count = min(count, sampledOccurrences, maxOccurrences)
                truncatedSeeds.append(Int(p))
                commonSeeds.append((Int(p), occurrences.postings))
            } else {
                fullSeeds.append(Int(p))
            }
            let full = count == occurrences.count
            defer { lastEnumerated = full ? Int(p) : nil }
            try idArray.withUnsafeBufferPointer { ids in
                let entry = Int(values[n] & ~IndexFormat.multiFlag)
                var orderAsked = false
                if grouping && full && occurrences.single == nil && count >= contextMinimum {
                    orderAsked = true
                    if let order = try contextOrder(entry: entry, postings: occurrences.postings, pending: count) {
                        try group(seed: Int(p), order: order, postings: occurrences.postings, after: lastEnumerated, k: k,
                                  ids: ids, state: &work)
                        previous = nil
                        return
                    }
                }
                guard full, occurrences.single == nil, count >= MatchFinder.skipThreshold else {
                    try extendAll(seed: Int(p), occurrences: occurrences, count: count, k: k, ids: ids, state: &work)
                    previous = nil
                    return
                }
                // A template copy repeats the previous seed's occurrences, shifted: those
                // whose match through the previous seed reaches past this one are inside a
                // known match, so only the others are verified.
                ensureEndCapacity(count)
                var pending = count
                if let last = previous {
                    pending = ms_cover_offset(occurrences.postings.baseAddress, count, last.postings.baseAddress,
                                              previousEnds.baseAddress, last.postings.count, Int64(Int(p) - last.position),
                                              Int64(Int(p) + k), currentEnds.baseAddress, uncoveredIndices.baseAddress)
                } else {
                    for i in 0 ..< count { uncoveredIndices[i] = Int32(i) }
                }
                let postings = occurrences.postings
                let indices = uncoveredIndices, ends = currentEnds
                if pending > 0 && count >= contextMinimum && !orderAsked,
                   let order = try contextOrder(entry: entry, postings: postings, pending: pending) {
                    try verify(seed: Int(p), order: order, postings: postings, count: pending, k: k, ids: ids, state: &work,
                               indices: indices, ends: ends)
                } else {
                    try verify(seed: Int(p), count: pending, k: k, ids: ids, state: &work,
                               position: { Int(postings[Int(indices[$0])]) },
                               ended: { ends[Int(indices[$0])] = Int64($1) })
                }
                swap(&previousEnds, &currentEnds)
                previous = (Int(p), postings)
            }
        }
        try idArray.withUnsafeBufferPointer { ids in try extendCommonPairs(k: k, ids: ids, state: &work) }
    }

    /// For every common seed, intersects its postings with those of the following
    /// common seeds (each at most w after the previous), at the generation's offsets,
    /// until few enough joint occurrences remain to enumerate them all: a stretch that
    /// is patient-specific as a whole is found even when every piece of it is common.
    private func extendCommonPairs(k: Int, ids: UnsafeBufferPointer<UInt32>, state: inout ExtensionState) throws {
        let reach = index.header.w
        // A chain longer than this would mostly intersect shingles beyond the span it
        // is meant to find (and so lose its records); it also bounds the work.
        let extent = 2 * (k + reach - 1)
        // The last seed of the previous chain when it never got small: a chain that
        // starts later but ends no further has fewer constraints, so it cannot get
        // small either and is skipped (this is what keeps templates cheap).
        var hopelessUpTo = -1
        for i in commonSeeds.indices {
            let first = commonSeeds[i]
            var furthest = i
            while furthest + 1 < commonSeeds.count
                && commonSeeds[furthest + 1].position - commonSeeds[furthest].position <= reach
                && commonSeeds[furthest + 1].position - first.position <= extent { furthest += 1 }
            if furthest <= hopelessUpTo { continue }
            hopelessUpTo = furthest
            guard furthest > i else { continue }
            // The key's buffer is kept from one chain to the next: a lookup that hits
            // allocates nothing (the table keeps its own copy of a key it inserts).
            var key = ChainKey(seeds: [])
            swap(&key, &chainKeyScratch)
            defer { swap(&key, &chainKeyScratch) }
            key.seeds.removeAll(keepingCapacity: true)
            for seed in commonSeeds[i ... furthest] {
                key.seeds.append(Int(bitPattern: seed.postings.baseAddress))
                key.seeds.append(seed.postings.count)
                key.seeds.append(seed.position - first.position)
            }
            let outcome: ChainOutcome
            if let known = chainOutcomes[key] {
                outcome = known
                chainsRemembered += 1
            } else {
                outcome = intersectChain(i ... furthest)
                if chainOutcomes.count >= MatchFinder.chainCacheLimit { chainOutcomes.removeAll(keepingCapacity: true) }
                chainOutcomes[key] = outcome
            }
            guard case .small(let last, let candidates) = outcome else { continue }
            fullChains.append((first.position, commonSeeds[i + last].position))
            for c in candidates { try extend(seed: first.position, at: Int(c), k: k, ids: ids, state: &state) }
            hopelessUpTo = -1
        }
    }

    /// Intersects the postings of the chain's first seed with those of the next, at the
    /// generation's offset, then narrows by the following ones, until at most
    /// `maxOccurrences` joint occurrences remain.
    private func intersectChain(_ chain: ClosedRange<Int>) -> ChainOutcome {
        // The seeds of a copied template occur together in thousands of records: when
        // enough of a sample of the first seed's occurrences survive the whole chain, so
        // would too many in full, and the full intersections are not computed.
        if surelyTooCommon(chain: chain) { return .tooMany }
        let first = commonSeeds[chain.lowerBound]
        for j in chain.dropFirst() {
            let offset = commonSeeds[j].position - first.position
            if j == chain.lowerBound + 1 {
                intersect(first.postings, commonSeeds[j].postings, offset: offset)
            } else {
                narrow(by: commonSeeds[j].postings, offset: offset)
            }
            if candidates.count <= maxOccurrences { return .small(last: j - chain.lowerBound, candidates: candidates) }
        }
        return .tooMany
    }

    /// Whether the chain's joint occurrences surely exceed `maxOccurrences`, so that
    /// intersecting it in full would end with nothing to enumerate: of `chainSample`
    /// evenly spaced occurrences of its first seed, at least `survivorThreshold` are
    /// followed by all the other seeds at the generation's offsets, a count that a chain
    /// with at most `maxOccurrences` joint occurrences reaches with probability below
    /// 1e-6. (At 50 M corpus tokens such hopeless chains took a third of a sampled
    /// scan's time when only a majority of survivors stopped them.)
    private func surelyTooCommon(chain: ClosedRange<Int>) -> Bool {
        let first = commonSeeds[chain.lowerBound]
        let n = first.postings.count
        guard n > maxOccurrences, n >= MatchFinder.chainSample else { return false }
        let needed = MatchFinder.survivorThreshold(fraction: Double(maxOccurrences) / Double(n), samples: MatchFinder.chainSample)
        guard needed <= MatchFinder.chainSample else { return false }
        var survivors = 0
        for s in 0 ..< MatchFinder.chainSample {
            // Stop as soon as the answer is known either way.
            if survivors >= needed || survivors + MatchFinder.chainSample - s < needed { break }
            let position = Int64(first.postings[s * n / MatchFinder.chainSample])
            var all = true
            for j in chain.dropFirst() {
                let other = commonSeeds[j]
                let want = position + Int64(other.position - first.position)
                guard want >= 0, want <= Int64(UInt32.max) else { all = false; break }
                let low = other.postings.firstIndex(notBelow: want)
                if low == other.postings.count || Int64(other.postings[low]) != want { all = false; break }
            }
            if all { survivors += 1 }
        }
        return survivors >= needed
    }

    /// The smallest s with P(Binomial(samples, fraction) >= s) <= 1e-6: how many sampled
    /// survivors rule out a joint count of at most `fraction` of the first seed's.
    static func survivorThreshold(fraction: Double, samples: Int) -> Int {
        guard fraction > 0 else { return 1 }
        guard fraction < 1 else { return samples + 1 }
        var tail = 0.0
        for s in stride(from: samples, through: 0, by: -1) {
            let logBinomial = lgamma(Double(samples + 1)) - lgamma(Double(s + 1)) - lgamma(Double(samples - s + 1))
            tail += exp(logBinomial + Double(s) * log(fraction) + Double(samples - s) * log1p(-fraction))
            if tail > 1e-6 { return s + 1 }
        }
        return 0
    }

    /// candidates = positions P of `first` with P + offset in `second` (both ascending).
    private func intersect(_ first: UnsafeBufferPointer<UInt32>, _ second: UnsafeBufferPointer<UInt32>, offset: Int) {
        // Grow by appending so that the capacity is kept from one call to the next.
        if candidates.count < first.count {
            candidates.reserveCapacity(first.count)
            candidates.append(contentsOf: repeatElement(0, count: first.count - candidates.count))
        }
        let kept = candidates.withUnsafeMutableBufferPointer { out in
            first.count * 16 < second.count
                ? ms_intersect_offset_gallop(first.baseAddress, first.count, second.baseAddress, second.count, Int64(offset), out.baseAddress)
                : ms_intersect_offset(first.baseAddress, first.count, second.baseAddress, second.count, Int64(offset), out.baseAddress)
        }
        candidates.removeSubrange(kept...)
    }

    /// The distinct records among the occurrences of `seed` in the rectangle, counted up
    /// to `limit` (see `ContextOrder.distinctRecords`), remembered across generations.
    func distinctRecords(_ seed: LocatedSeed, right: Range<Int>, left: Range<Int>, limit: Int) -> Int {
        let key = RectangleKey(order: ObjectIdentifier(seed.order), right: right, left: left, limit: limit)
        if let known = rectangleCounts[key] { return known }
        if rectangleCounts.count >= MatchFinder.rectangleCacheLimit { rectangleCounts.removeAll(keepingCapacity: true) }
        let count = seed.order.distinctRecords(right: right, left: left, limit: limit)
        rectangleCounts[key] = count
        return count
    }

    /// Records sampled from each class of grouped occurrences (see `sampledMatches`).
    static let sampledPerClass = 2

    /// The matches of a few records of each class of grouped occurrences (the first ones
    /// found), through every grouped seed: the seeds near matching chains on such records
    /// (they stand for copies of one template, of which it aligns a couple anyway).
    func sampledMatches() throws -> [VerbatimMatch] {
        guard !sampledRecords.isEmpty else { return [] }
        var records = sampledRecords
        records.sort()
        var result: [VerbatimMatch] = []
        var previous: Int32 = -1
        for r in records where r != previous {
            previous = r
            result += try groupedMatches(of: Int(r))
        }
        return result
    }

    /// The maximal matches of record `r` through grouped seeds that are below the kept
    /// depth (those reaching it are among `matches`), each once.
    ///
    /// With `region`, only the matches overlapping it are wanted: they come from the seeds
    /// within the kept depth of it, and the first seed to list each is the same, so the
    /// pieces they give are those of the whole list, in the same order.
    func groupedMatches(of r: Int, near region: Range<Int>? = nil) throws -> [VerbatimMatch] {
        guard !groupedSeeds.isEmpty, r >= 0, r < index.recordCount else { return [] }
        let range = index.recordRange(r), k = index.header.k
        var result: [VerbatimMatch] = []
        // The latest match listed on each diagonal, once there are more than a few: the
        // matches of one diagonal are disjoint and seeds come in position order, so a seed
        // inside any of them is inside the latest (a long generation lists thousands).
        var latestOnDiagonal: [Int: Int] = [:]
        func visit(_ seed: LocatedSeed, _ o: Int) {
            let p = seed.position
            let local = Int(seed.postings[o]) - range.lowerBound
            // The seeds of one copied stretch all lie in its maximal match: a seed
            // inside a match already listed on its diagonal gives that match again (or
            // none, past the kept depth), so its extensions are not looked up.
            let diagonal = local - p
            func holds(_ m: VerbatimMatch) -> Bool { m.genStart <= p && p + k <= m.genEnd }
            if result.count <= MatchFinder.listedScanLimit || !skipsKnownOccurrences {
                if result.contains(where: { $0.recordStart - $0.genStart == diagonal && holds($0) }) { return }
            } else if let latest = latestOnDiagonal[diagonal], holds(result[latest]) {
                return
            }
            let (backward, forward) = seed.extensions(of: o)
            guard forward >= k, forward < ContextOrder.depth, backward < ContextOrder.depth else { return }
            result.append(VerbatimMatch(genStart: p - backward, genEnd: p + forward, record: r,
                                        recordStart: local - backward, recordEnd: local + forward))
            if result.count == MatchFinder.listedScanLimit + 1 {
                for (i, m) in result.enumerated() { latestOnDiagonal[m.recordStart - m.genStart] = i }
            } else if result.count > MatchFinder.listedScanLimit + 1 {
                latestOnDiagonal[diagonal] = result.count - 1
            }
        }
        let seeds = region.map { MatchFinder.seeds(groupedSeeds, near: $0) } ?? groupedSeeds[...]
        if region == nil && skipsKnownOccurrences && seeds.count * MatchFinder.recordScanRatio > range.count {
            for (s, o) in try occurrencesInRecord(range) { visit(groupedSeeds[s], o) }
            return result
        }
        var listed: [Int] = []
        for (s, seed) in zip(seeds.indices, seeds) {
            let inRecord = seed.occurrences(in: range)
            // Only occurrences below the kept depth on both sides give a match here. In a
            // repetition loop nearly all occurrences reach it, and a seed's occurrences in
            // one record are tens of thousands: the few below are listed instead. (A record
            // usually holds a seed a few times, and those are looked at directly.)
            if skipsKnownOccurrences && inRecord.count > MatchFinder.listingRatio {
                let shallow = shallowOccurrences[s] ?? seed.shallow(k: k)
                shallowOccurrences[s] = shallow
                if shallow.count * MatchFinder.listingRatio < inRecord.count {
                    listed.removeAll(keepingCapacity: true)
                    for (right, left) in shallow.rectangles {
                        seed.order.forEachOccurrence(right: right, left: left) { o in
                            if inRecord.contains(o) { listed.append(o) }
                            return true
                        }
                    }
                    listed.sort()
                    listings += 1
                    for o in listed { visit(seed, o) }
                    continue
                }
            }
            for o in inRecord { visit(seed, o) }
        }
        return result
    }

    /// Up to so many matches of a record listed, a seed is checked against them all; beyond,
    /// against the latest on its diagonal.
    static let listedScanLimit = 16

    /// A record is scanned for the grouped seeds' shingles (`occurrencesInRecord`) rather
    /// than each seed's postings searched for the record when the seeds outnumber its
    /// tokens / `recordScanRatio`.
    static let recordScanRatio = 2

    /// The occurrences of the grouped seeds at matching positions `range` (one record), as
    /// (seed, occurrence) in seed then posting order, found from the record's side: its
    /// shingles are hashed again and looked up among the seeds'. A long generation has
    /// tens of thousands of grouped seeds, and near matching asks this for thousands of
    /// records: a pass over each record instead of a search of every seed's postings for it.
    /// (Postings hold exactly the selected positions whose shingle hash is the seed's.)
    private func occurrencesInRecord(_ range: Range<Int>) throws -> [(seed: Int, occurrence: Int)] {
        recordScans += 1
        if seedsByShingle.isEmpty {
            for (s, seed) in groupedSeeds.enumerated() { seedsByShingle[probe.shingles[seed.position], default: []].append(Int32(s)) }
        }
        recordIDs.removeAll(keepingCapacity: true)
        try tokens.append(range, to: &recordIDs)
        recordHashes.removeAll(keepingCapacity: true)
        for id in recordIDs {
            guard Int(id) < index.vocabHashes.count else { throw index.corrupt(.tokenBlocks) }
            recordHashes.append(index.vocabHashes[Int(id)])
        }
        recordHashes.withUnsafeBufferPointer {
            Winnowing.shingleHashes(tokenHashes: $0, ids: nil, k: index.header.k, seed: index.header.shingleSeed, into: &recordShingles)
        }
        var found: [(seed: Int, occurrence: Int)] = []
        for (x, hash) in recordShingles.enumerated() {
            guard let seeds = seedsByShingle[hash] else { continue }
            // Seeds of one shingle share its postings.
            let postings = groupedSeeds[Int(seeds[0])].postings, position = range.lowerBound + x
            let o = postings.firstIndex(notBelow: Int64(position))
            guard o < postings.count && Int(postings[o]) == position else { continue }
            for s in seeds { found.append((Int(s), o)) }
        }
        found.sort { ($0.seed, $0.occurrence) < ($1.seed, $1.occurrence) }
        return found
    }

    /// The seeds (in position order) within the kept depth of `region`: the only ones whose
    /// occurrences below the depth can give a match overlapping it, or need an extension of
    /// at most the depth on each side to reach across it.
    static func seeds(_ seeds: [LocatedSeed], near region: Range<Int>) -> ArraySlice<LocatedSeed> {
        let depth = ContextOrder.depth, positions = seeds.lazy.map(\.position)
        let start = positions.firstIndex(notBelow: Int64(region.lowerBound + 1 - depth))
        return seeds[start ..< max(start, positions.firstIndex(notBelow: Int64(region.upperBound + depth)))]
    }

    /// Verifies and extends the first `count` occurrences of a seed.
    private func extendAll(seed p: Int, occurrences: ShingleOccurrences, count: Int, k: Int,
                           ids: UnsafeBufferPointer<UInt32>, state: inout ExtensionState) throws {
        try verify(seed: p, count: count, k: k, ids: ids, state: &state, position: { occurrences[$0] }, ended: { _, _ in })
    }

    /// Verifies and extends the occurrences `position(0 ..< count)` of the seed at `p`,
    /// passing each one's match end (or -1) to `ended`. Each occurrence's tokens are a
    /// cache miss into a large block cache, so they and their diagonal's slot are
    /// asked for `prefetchDistance` occurrences ahead.
    @inline(__always)
    private func verify(seed p: Int, count: Int, k: Int, ids: UnsafeBufferPointer<UInt32>, state: inout ExtensionState,
                        position: (Int) -> Int, ended: (Int, Int) -> Void) throws {
        let ahead = min(count, MatchFinder.prefetchDistance)
        func prefetch(_ o: Int) {
            let at = position(o)
            tokens.prefetch(at)
            state.lastOnDiagonal.prefetch(at - p)
        }
        for o in 0 ..< ahead { prefetch(o) }
        for o in 0 ..< count {
            if o + ahead < count { prefetch(o + ahead) }
            ended(o, try extend(seed: p, at: position(o), k: k, ids: ids, state: &state))
        }
    }

    /// The context order of multi-entry `entry`, from this thread's copy or the index's cache.
    private func contextOrder(entry: Int, postings: UnsafeBufferPointer<UInt32>, pending: Int) throws -> ContextOrder? {
        if let known = contextOrders[entry] { return known }
        let order = try index.contextOrders.order(entry: entry, postings: postings, pending: pending, index: index,
                                                  tokens: tokens, buildAfter: contextBuildAfter)
        if let order { contextOrders[entry] = order }
        return order
    }

    /// As `verify`, for the occurrences `postings[indices[0 ..< count]]` of a very common
    /// seed: each occurrence's extension on each side comes from the seed's context
    /// orders (one search per side for the whole seed), not from its record tokens. The
    /// matches, their order and the ends are those `extend` gives.
    private func verify(seed p: Int, order: ContextOrder, postings: UnsafeBufferPointer<UInt32>, count: Int, k: Int,
                        ids: UnsafeBufferPointer<UInt32>, state: inout ExtensionState,
                        indices: UnsafeMutableBufferPointer<Int32>, ends: UnsafeMutableBufferPointer<Int64>) throws {
        let depth = ContextOrder.depth
        let seed = try locate(seed: p, order: order, postings: postings, ids: ids)
        for u in 0 ..< count {
            let o = Int(indices[u])
            let position = Int(postings[o])
            let diagonal = position - p
            if let end = state.lastOnDiagonal.value(for: diagonal), p < end {
                ends[o] = Int64(end)
                continue
            }
            let (backward, forward) = seed.extensions(of: o)
            guard forward >= k else {  // a hash collision, not a match
                ends[o] = -1
                continue
            }
            if forward >= depth || backward >= depth {
                // Longer than the contexts kept: the record tokens tell.
                ends[o] = Int64(try extend(seed: p, at: position, k: k, ids: ids, state: &state))
                continue
            }
            let record = index.recordIndex(ofPosition: position, hint: state.recordHint)
            state.recordHint = record
            let base = index.recordRange(record).lowerBound
            state.matches.append(VerbatimMatch(genStart: p - backward, genEnd: p + forward, record: record,
                                               recordStart: position - backward - base, recordEnd: position + forward - base))
            state.lastOnDiagonal.set(diagonal, p + forward)
            ends[o] = Int64(p + forward)
        }
    }

    /// Where the generation's tokens after and before seed `p` fall among the seed's contexts.
    private func locate(seed p: Int, order: ContextOrder, postings: UnsafeBufferPointer<UInt32>,
                        ids: UnsafeBufferPointer<UInt32>) throws -> LocatedSeed {
        let depth = ContextOrder.depth
        let tokens = self.tokens
        let right = try ContextOrder.locate(order.right, query: { ids[p + $0] }, queryCount: min(depth, ids.count - p),
                                            token: { try tokens.value(at: Int(postings[$0]) + $1) })
        let left = try ContextOrder.locate(order.left, query: { ids[p - 1 - $0] }, queryCount: min(depth, p),
                                           token: { try tokens.value(at: Int(postings[$0]) - 1 - $1) })
        return LocatedSeed(position: p, order: order, postings: postings, right: right, left: left)
    }

    /// A very common seed taken as a whole: its occurrences fall into a few classes of
    /// (left extension, right extension), found as ranges of its context orders, and each
    /// class that some occurrence realizes is one generation interval. Occurrences whose
    /// extension reaches the kept depth on a side are extended as usual. Cost: a few
    /// searches per class, not a cache miss per occurrence.
    ///
    /// Deep occurrences whose match already went through the previous enumerated seed
    /// (`previous`, at p - d) are not extended again. When the match through occurrence o
    /// reaches back B >= d + w - 1 and forward F >= w + k - 1 - d, the generation's
    /// winnowing windows around p - d lie inside it, so the record's are the same tokens
    /// and select the same shingle there: the previous seed enumerated that occurrence,
    /// on the same diagonal. If the match was deep from there too (its forward extension
    /// F + d reaching the kept depth), it was extended and recorded, so extending it here
    /// would only find it on its diagonal again. In a repetition loop against records
    /// that repeat it, every seed's occurrences are nearly all such: without this, the
    /// scan cost the loop's length times the pattern's occurrences.
    private func group(seed p: Int, order: ContextOrder, postings: UnsafeBufferPointer<UInt32>, after previous: Int?, k: Int,
                       ids: UnsafeBufferPointer<UInt32>, state: inout ExtensionState) throws {
        let seed = try locate(seed: p, order: order, postings: postings, ids: ids)
        let rights = order.right.classes(around: seed.right, minimum: k)
        let lefts = order.left.classes(around: seed.left, minimum: 0)
        let deepRight = rights[0].ranks, deepLeft = lefts[0].ranks
        let depth = ContextOrder.depth, w = index.header.w
        // Deep right (F >= depth): known when B >= d + w - 1. Deep left only (B >= depth):
        // known when F >= depth - d. Neither when the windows need more than the depth kept.
        var knownLeft = 0 ..< 0, knownRight = deepRight
        if skipsKnownOccurrences, let previous, p - previous + w - 1 <= depth, w + k - 1 <= depth {
            let d = p - previous
            knownLeft = order.left.ranks(atLeast: d + w - 1, around: seed.left)
            knownRight = order.right.ranks(atLeast: depth - d, around: seed.right)
        }
        try extendDeep(seed: p, order: order, postings: postings, ranks: deepRight, onRight: true, except: knownLeft,
                       k: k, ids: ids, state: &state)
        try extendDeep(seed: p, order: order, postings: postings, ranks: deepLeft, onRight: false, except: knownRight,
                       k: k, ids: ids, state: &state)
        groupedSeeds.append(seed)
        // Only occurrences below the depth on both sides fall into classes. A repetition
        // loop's seeds have classes of every length on each side (occurrences near the
        // ends of the records' loops) and often no such occurrence: the pairs are not
        // counted then, a few counts instead of thousands.
        let shallow = rights.count * lefts.count > MatchFinder.classPairsChecked ? seed.shallow(k: k) : nil
        shallowOccurrences.append(shallow)
        if shallow?.count == 0 { return }
        let shortest = index.header.guaranteedLength
        // row[g]: occurrences extending at least rights[f] right and lefts[g] left, filled as
        // far as the pairs long enough need it; previousRow: the same for rights[f - 1].
        var previousRow = lefts.indices.map { order.count(right: rights[0].ranks, left: lefts[$0].ranks) }
        var row = previousRow
        for f in rights.indices.dropFirst() {
            let (forward, reaching) = rights[f]
            let further = rights[f - 1].ranks
            row[0] = order.count(right: reaching, left: lefts[0].ranks)
            for g in lefts.indices.dropFirst() {
                let (backward, back) = lefts[g]
                if forward + backward < shortest { break }
                let beyond = lefts[g - 1].ranks
                row[g] = order.count(right: reaching, left: back)
                // Occurrences extending exactly (backward, forward): inclusion-exclusion of
                // the rectangles reaching at least that far.
                let exact = row[g] - previousRow[g] - row[g - 1] + previousRow[g - 1]
                guard exact > 0 else { continue }
                groupIntervals.append((p - backward, p + forward, exact))
                guard samplingForNear else { continue }
                var sampled = 0
                order.forEachOccurrence(right: reaching, notIn: further, left: back, notIn: beyond) { o in
                    sampledRecords.append(order.record[o])
                    sampled += 1
                    return sampled < MatchFinder.sampledPerClass
                }
            }
            // The next row stops no later (its extensions are shorter): it reads only what
            // this one filled.
            swap(&row, &previousRow)
        }
    }

    /// Seeds with more pairs of classes than this first check that some occurrence falls into one.
    static let classPairsChecked = 64

    /// Extends, in rank order, the occurrences at `ranks` of one side of `order` (the right
    /// side when `onRight`) whose rank on the other side is not in `except`. When nearly all
    /// are excepted (a repetition loop), the few others are listed from the wavelet matrix
    /// instead of looked at one by one.
    private func extendDeep(seed p: Int, order: ContextOrder, postings: UnsafeBufferPointer<UInt32>, ranks: Range<Int>,
                            onRight: Bool, except: Range<Int>, k: Int, ids: UnsafeBufferPointer<UInt32>,
                            state: inout ExtensionState) throws {
        guard !ranks.isEmpty else { return }
        let side = onRight ? order.right : order.left, other = onRight ? order.left : order.right
        if except.count >= MatchFinder.listingMinimum && ranks.count >= MatchFinder.listingMinimum {
            let excepted = onRight ? order.count(right: ranks, left: except) : order.count(right: except, left: ranks)
            if (ranks.count - excepted) * MatchFinder.listingRatio <= ranks.count {
                var listed: [Int] = []
                for rest in [0 ..< except.lowerBound, except.upperBound ..< other.order.count] where !rest.isEmpty {
                    order.forEachOccurrence(right: onRight ? ranks : rest, left: onRight ? rest : ranks) { o in
                        listed.append(Int(side.rank[o]))
                        return true
                    }
                }
                listed.sort()
                listings += 1
                for r in listed { try extend(seed: p, at: Int(postings[Int(side.order[r])]), k: k, ids: ids, state: &state) }
                return
            }
        }
        for r in ranks {
            let o = Int(side.order[r])
            if except.contains(Int(other.rank[o])) { continue }
            try extend(seed: p, at: Int(postings[o]), k: k, ids: ids, state: &state)
        }
    }

    /// Deep occurrences are listed from the wavelet matrix (a descent per occurrence)
    /// rather than walked when there are at least this many and at most 1/`listingRatio`
    /// of them are left to extend.
    static let listingMinimum = 256
    static let listingRatio = 16

    private func ensureEndCapacity(_ count: Int) {
        guard currentEnds.count < count else { return }
        let capacity = max(count, 2 * currentEnds.count)
        let previousCopy = UnsafeMutableBufferPointer<Int64>.allocate(capacity: capacity)
        _ = previousCopy.initialize(from: previousEnds)
        previousEnds.deallocate()
        previousEnds = previousCopy
        currentEnds.deallocate()
        currentEnds = .allocate(capacity: capacity)
        uncoveredIndices.deallocate()
        uncoveredIndices = .allocate(capacity: capacity)
    }

    /// Keeps the candidates P with P + offset in `postings` (both ascending).
    private func narrow(by postings: UnsafeBufferPointer<UInt32>, offset: Int) {
        let kept = candidates.withUnsafeMutableBufferPointer { c in
            c.count * 16 < postings.count
                ? ms_intersect_offset_gallop(c.baseAddress, c.count, postings.baseAddress, postings.count, Int64(offset), c.baseAddress)
                : ms_intersect_offset(c.baseAddress, c.count, postings.baseAddress, postings.count, Int64(offset), c.baseAddress)
        }
        candidates.removeSubrange(kept...)
    }

    /// Whether the records containing generation span [a, b) (matching coordinates)
    /// were all found: some *charged* seed of the span (the minimizer of a window
    /// lying wholly inside it, hence selected in every record holding the span) or
    /// some pair of charged seeds was enumerated in full.
    func spanCountIsExact(a: Int, b: Int) -> Bool {
        let k = index.header.k
        guard b - a >= index.header.guaranteedLength else {
            // Shorter than G: no charged seed; exact only if nothing inside was sampled.
            return !truncatedSeeds.contains { $0 >= a && $0 + k <= b }
        }
        let charged = chargedSeeds(a: a, b: b)
        if charged.contains(where: { fullSeeds.contains($0) }) { return true }
        // A chain intersected every selected common seed between its ends: all of
        // them must be charged for the span's records to be among its candidates.
        return fullChains.contains { chain in
            truncatedSeeds.allSatisfy { $0 < chain.0 || $0 > chain.1 || charged.contains($0) }
                && chain.0 >= a && chain.1 + k <= b
        }
    }

    /// The charged seeds of generation interval [a, b) (at least G long): the minimizer of
    /// each window of w shingles inside it, selected in every record that holds it.
    func chargedSeeds(a: Int, b: Int) -> [Int] {
        let k = index.header.k, w = index.header.w
        var charged: [Int] = []
        for start in a ... b - (k + w - 1) {
            var best = start
            for x in start + 1 ..< start + w where probe.shingles[x] < probe.shingles[best] { best = x }
            if charged.last != best { charged.append(best) }
        }
        return charged
    }

    /// Verifies the seed at generation position `p` against global position `position`
    /// and, when the shingle really matches, extends it both ways to a maximal match.
    /// Returns the end of the match through the seed, or -1 for a hash collision.
    @inline(__always) @discardableResult
    private func extend(seed p: Int, at position: Int, k: Int, ids: UnsafeBufferPointer<UInt32>,
                        state: inout ExtensionState) throws -> Int {
        let diagonal = position - p
        if let end = state.lastOnDiagonal.value(for: diagonal), p < end { return end }
        let record = index.recordIndex(ofPosition: position, hint: state.recordHint)
        state.recordHint = record
        let range = index.recordRange(record)
        guard range.contains(position) else { throw index.corrupt(.postings) }
        // Compare a block at a time through raw pointers: this loop is where
        // template-heavy scans spend their time.
        var g = p, r = position
        do {
            let n = ids.count
            while g < n && r < range.upperBound {
                let block = try tokens.block(containing: r)
                let limit = min(n - g, range.upperBound - r, block.start + block.count - r)
                let i = ms_common_prefix_u32(block.values + (r - block.start), ids.baseAddress! + g, limit)
                g += i
                r += i
                if i < limit { break }
            }
        }
        guard g - p >= k else { return -1 }  // a hash collision, not a match
        let genEnd = g, recordEnd = r
        g = p - 1
        r = position - 1
        do {
            while g >= 0 && r >= range.lowerBound {
                let block = try tokens.block(containing: r)
                let limit = min(g + 1, r - range.lowerBound + 1, r - block.start + 1)
                let i = ms_common_suffix_u32(block.values + (r - block.start), ids.baseAddress! + g, limit)
                g -= i
                r -= i
                if i < limit { break }
            }
        }
        let match = VerbatimMatch(genStart: g + 1, genEnd: genEnd, record: record,
                                  recordStart: r + 1 - range.lowerBound, recordEnd: recordEnd - range.lowerBound)
        state.lastOnDiagonal.set(diagonal, genEnd)
        state.matches.append(match)
        return genEnd
    }

    /// Original (pre-ignore) token index within record `record` of its matching token `local`.
    func originalRecordPosition(record: Int, local: Int) throws -> Int {
        guard let positions else { return local }
        return Int(try positions.value(at: index.recordRange(record).lowerBound + local))
    }
}

/// A very common seed with its context orders and where the generation falls in them.
/// An occurrence's extensions are read off its ranks; those reaching given lengths on
/// both sides form a rectangle of ranks.
struct LocatedSeed {
    let position: Int
    let order: ContextOrder
    let postings: UnsafeBufferPointer<UInt32>
    let right: ContextOrder.Side.Position
    let left: ContextOrder.Side.Position

    /// Occurrences extending at least `backward` tokens left and `forward` right.
    func reaching(backward: Int, forward: Int) -> (right: Range<Int>, left: Range<Int>) {
        (order.right.ranks(atLeast: forward, around: right), order.left.ranks(atLeast: backward, around: left))
    }

    /// The occurrences at global positions `positions` (postings ascend).
    func occurrences(in positions: Range<Int>) -> Range<Int> {
        let first = postings.firstIndex(notBelow: Int64(positions.lowerBound))
        return first ..< max(first, postings.firstIndex(notBelow: Int64(positions.upperBound)))
    }

    /// The occurrences extending at least `k` right and less than `ContextOrder.depth` on
    /// both sides: their number and the rectangles of ranks (at most four) holding them.
    typealias Shallow = (count: Int, rectangles: [(right: Range<Int>, left: Range<Int>)])
    func shallow(k: Int) -> Shallow {
        let depth = ContextOrder.depth
        // The ranks reaching an extension are nested ranges around the query's place.
        func below(_ outer: Range<Int>, _ inner: Range<Int>) -> [Range<Int>] {
            [outer.lowerBound ..< inner.lowerBound, inner.upperBound ..< outer.upperBound].filter { !$0.isEmpty }
        }
        let rights = below(order.right.ranks(atLeast: k, around: right), order.right.ranks(atLeast: depth, around: right))
        let lefts = below(0 ..< order.left.order.count, order.left.ranks(atLeast: depth, around: left))
        var count = 0
        var rectangles: [(right: Range<Int>, left: Range<Int>)] = []
        for r in rights {
            for l in lefts {
                let inside = order.count(right: r, left: l)
                if inside > 0 {
                    count += inside
                    rectangles.append((r, l))
                }
            }
        }
        return (count, rectangles)
    }

    /// The extensions (left, right) of occurrence `o`, each below `ContextOrder.depth`
    /// or equal to it when they reach that far.
    func extensions(of o: Int) -> (backward: Int, forward: Int) {
        (min(ContextOrder.depth, order.left.extensionLength(rank: Int(order.left.rank[o]), of: left)),
         min(ContextOrder.depth, order.right.extensionLength(rank: Int(order.right.rank[o]), of: right)))
    }
}

/// What extension needs across the seeds of one generation.
struct ExtensionState {
    /// Global diagonal (corpus position - generation position) -> end of the latest
    /// match found on it: matches on one diagonal are disjoint, so a seed inside
    /// one needs no second extension.
    var lastOnDiagonal = DiagonalMap()
    /// The record of the previous occurrence: postings come in ascending order.
    var recordHint = 0
    var matches: [VerbatimMatch] = []
}
