import CMemscanShims
import Synchronization

/// Where each token trigram occurs in the corpus, with trigrams hashed into buckets: a
/// bucket lists the positions of all its trigrams. Near record counting uses it as a
/// filter (see `NearPieces`): a window within e edits of a region holds one of any e + 1
/// disjoint pieces of the region intact, so a window that holds none of their buckets'
/// positions need not be read. A shared bucket only lets more windows through, never fewer.
final class TrigramPostings: @unchecked Sendable {
    let buckets: TrigramBuckets
    /// `ends[b]`: where bucket b's positions end in `positions` (and bucket b + 1's begin).
    private let ends: UnsafeMutableBufferPointer<UInt32>
    private let positions: UnsafeMutableBufferPointer<UInt32>

    private init(buckets: TrigramBuckets, ends: UnsafeMutableBufferPointer<UInt32>, positions: UnsafeMutableBufferPointer<UInt32>) {
        self.buckets = buckets
        self.ends = ends
        self.positions = positions
    }

    deinit {
        ends.deallocate()
        positions.deallocate()
    }

    @inline(__always)
    func bucket(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> Int { buckets.bucket(a, b, c) }

    /// How many positions bucket `b` lists.
    @inline(__always)
    func size(ofBucket b: Int) -> Int { Int(ends[b]) - (b == 0 ? 0 : Int(ends[b - 1])) }

    /// The global token positions where bucket `b`'s trigrams start, ascending.
    @inline(__always)
    func positions(inBucket b: Int) -> UnsafeBufferPointer<UInt32> {
        let start = b == 0 ? 0 : Int(ends[b - 1])
        return UnsafeBufferPointer(rebasing: positions[start ..< Int(ends[b])])
    }

    /// Positions held at most (4 bytes each): a corpus of more tokens is counted without
    /// the filter rather than risk a scan's memory.
    static let maxPositions = 1 << 29

    /// Reads the whole token store twice (count, then fill). nil above `maxPositions`.
    static func build(index: MemscanIndex) throws -> TrigramPostings? {
        let total = index.header.matchTokens
        guard total <= maxPositions else { return nil }
        // About 16 corpus tokens per bucket: a rare trigram's bucket gains a few records
        // from others, and the counts stay within the caches while they are built.
        var bits = 10
        while bits < 26 && (1 << bits) * 16 < total { bits += 1 }
        let buckets = TrigramBuckets(bits: bits)
        let ends = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: buckets.count)
        ends.initialize(repeating: 0)
        let tokens = BlockCache(store: index.tokenBlocks, shared: index.sharedTokens)
        do {
            try buckets.forEachBlock(index: index, tokens: tokens) { b, _ in ms_count_buckets(b.baseAddress, b.count, ends.baseAddress) }
        } catch {
            ends.deallocate()
            throw error
        }
        // Starts, then each bucket's cursor moves to its end as it is filled.
        var sum: UInt32 = 0
        for b in 0 ..< ends.count {
            let n = ends[b]
            ends[b] = sum
            sum &+= n
        }
        let positions = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: Int(sum))
        let postings = TrigramPostings(buckets: buckets, ends: ends, positions: positions)
        try buckets.forEachBlock(index: index, tokens: tokens) { b, starts in
            ms_scatter_starts(b.baseAddress, starts.baseAddress, b.count, ends.baseAddress, positions.baseAddress)
        }
        return postings
    }
}

/// Token trigrams hashed into 2^bits buckets.
struct TrigramBuckets: Sendable {
    let count: Int
    private let shift: UInt64

    init(bits: Int) {
        count = 1 << bits
        shift = UInt64(64 - bits)
    }

    @inline(__always)
    func bucket(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> Int {
        var h = (UInt64(a) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(b) &* 0xC2B2_AE3D_27D4_EB4F) ^ (UInt64(c) &* 0x1656_67B1_9E37_79F9)
        h ^= h >> 31
        h &*= 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> shift)
    }

    /// Calls `body(buckets, starts)` with the buckets and start positions of the trigrams
    /// inside records, a store block at a time, in store order.
    func forEachBlock(index: MemscanIndex, tokens: BlockCache,
                      _ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<UInt32>) -> Void) throws {
        let total = index.header.matchTokens
        let capacity = index.tokenBlocks.blockTokens
        let buckets = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        let starts = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        defer {
            buckets.deallocate()
            starts.deallocate()
        }
        var record = -1, recordEnd = 0
        var inRecord = 0
        var first: UInt32 = 0, second: UInt32 = 0
        var position = 0
        while position < total {
            let block = try tokens.block(containing: position)
            let end = min(total, block.start + block.count)
            var n = 0
            while position < end {
                while position >= recordEnd && record + 1 < index.recordCount {
                    record += 1
                    recordEnd = index.recordRange(record).upperBound
                    inRecord = 0
                }
                let third = block.values[position - block.start]
                if inRecord >= 2 {
                    buckets[n] = UInt32(truncatingIfNeeded: bucket(first, second, third))
                    starts[n] = UInt32(truncatingIfNeeded: position - 2)
                    n += 1
                }
                inRecord += 1
                first = second
                second = third
                position += 1
            }
            body(UnsafeBufferPointer(start: buckets, count: n), UnsafeBufferPointer(start: starts, count: n))
        }
    }
}

/// The trigram postings of one index, built once near record counting has met enough
/// candidate windows to pay for them (ski rental, as for context orders), then shared
/// read-only by the scanning threads. Building reads every corpus token twice, about
/// as much as checking a tenth as many windows. The filter never changes a count, so
/// threads go on without it while one builds it.
final class TrigramPostingsCache: Sendable {
    static let windowsPerToken = 0.1
    private enum Built { case no, building, done(TrigramPostings?) }
    private struct State {
        var windows = 0
        var built = Built.no
    }
    private let state = Mutex(State())

    /// The postings, once `windows` (windows the caller is about to check) and those
    /// before add up to `windowsPerToken` x corpus tokens (`after` overrides); nil before.
    func postings(checking windows: Int, index: MemscanIndex, after: Int? = nil) throws -> TrigramPostings? {
        let threshold = after ?? Int(TrigramPostingsCache.windowsPerToken * Double(index.header.matchTokens))
        let build: Bool = state.withLock { s in
            guard case .no = s.built else { return false }
            s.windows += windows
            guard s.windows >= threshold else { return false }
            s.built = .building
            return true
        }
        guard build else {
            return state.withLock { s in
                if case .done(let postings) = s.built { return postings }
                return nil
            }
        }
        let built: TrigramPostings?
        do {
            built = try TrigramPostings.build(index: index)
        } catch {
            state.withLock { $0.built = .no }
            throw error
        }
        state.withLock { $0.built = .done(built) }
        return built
    }
}

