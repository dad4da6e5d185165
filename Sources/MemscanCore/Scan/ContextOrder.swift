import CMemscanShims

/// The occurrences of one very common shingle (a piece of an order set held by
/// thousands of records) sorted by the record tokens from the occurrence on, and
/// separately by the tokens before it read backwards, with range minima over the
/// common prefixes of neighbours in each order.
///
/// An exhaustive scan extends every occurrence of a generation's shingles; for such a
/// shingle that was one cache miss into the token store per occurrence. With these
/// orders, one binary search per side with the generation's tokens gives every
/// occurrence's extension on that side as a range minimum: two table lookups. An
/// extension that reaches `depth` tokens is verified the usual way.
final class ContextOrder: Sendable {
    /// Tokens of context sorted per side (at most 255: prefixes are stored in a byte).
    static let depth = 64
    /// Shingles held at least this many times get an order; rarer ones are extended
    /// one occurrence at a time, which is cheaper for them than a search.
    static let minimumOccurrences = 256

    let right: Side
    let left: Side
    /// Left ranks listed in right-rank order: occurrences in a rectangle of ranks
    /// (extensions reaching given lengths on both sides) are counted and listed without
    /// visiting the others.
    let leftByRight: WaveletMatrix
    /// Record of each occurrence.
    let record: [Int32]
    /// Occurrences of the records holding the shingle more than once (an order set given
    /// at two admissions), those of one record together; `repeatedRuns` bounds each
    /// record's run. Distinct records = occurrences - repeats.
    let repeated: [Int32]
    let repeatedRuns: [Int32]
    /// The first occurrence of each record (occurrences ascend by position, so a record's
    /// are consecutive), and that record (kept contiguous for the listing shim): listing
    /// every record of the shingle visits these instead of all occurrences (a template's
    /// holders hold it four times on average at 50 M tokens).
    let firstOccurrences: [Int32]
    let firstRecords: [Int32]
    /// Occurrences beyond the first of their record, over all records.
    var repeats: Int { record.count - firstOccurrences.count }

    /// One side: occurrences sorted by their context on that side. A class, so that
    /// reading it through its order is one reference, not four retained arrays.
    final class Side: Sendable {
        /// Rank -> occurrence (index into the shingle's postings).
        let order: [Int32]
        /// Occurrence -> rank.
        let rank: [Int32]
        /// Context length of each occurrence (below `depth` where the record ends).
        let length: [UInt8]
        /// minima[j][r] = min of prefix[r ..< r + 2^j], where prefix[r] is the common
        /// prefix of the contexts at ranks r - 1 and r.
        let minima: [[UInt8]]

        init(order: [Int32], rank: [Int32], length: [UInt8], minima: [[UInt8]]) {
            self.order = order
            self.rank = rank
            self.length = length
            self.minima = minima
        }

        /// Minimum common prefix of neighbours over ranks from ... to (inclusive).
        @inline(__always)
        func prefixMinimum(_ from: Int, _ to: Int) -> Int {
            let level = Int.bitWidth - 1 - (to - from + 1).leadingZeroBitCount
            return minima.withUnsafeBufferPointer { m in
                m[level].withUnsafeBufferPointer { row in
                    Int(min(row[from], row[to - (1 << level) + 1]))
                }
            }
        }

        /// Where a query falls among the contexts, and its common prefix with the
        /// context just before (`before`, at rank `at` - 1) and just after (`after`, at
        /// rank `at`); -1 where there is none.
        struct Position {
            var at: Int
            var before: Int
            var after: Int
        }

        /// The extension (common prefix with the query) of the occurrence at `rank`.
        @inline(__always)
        func extensionLength(rank r: Int, of query: Position) -> Int {
            if r < query.at {
                return r + 1 <= query.at - 1 ? min(query.before, prefixMinimum(r + 1, query.at - 1)) : query.before
            }
            return r >= query.at + 1 ? min(query.after, prefixMinimum(query.at + 1, r)) : query.after
        }
    }

    private init(right: Side, left: Side, record: [Int32]) {
        self.right = right
        self.left = left
        self.record = record
        leftByRight = WaveletMatrix(right.order.map { left.rank[Int($0)] })
        var repeated: [Int32] = [], runs: [Int32] = [0]
        var firstOccurrences: [Int32] = [], firstRecords: [Int32] = []
        var o = 0
        while o < record.count {
            var end = o + 1
            while end < record.count && record[end] == record[o] { end += 1 }
            firstOccurrences.append(Int32(o))
            firstRecords.append(record[o])
            if end - o > 1 {
                repeated.append(contentsOf: (o ..< end).map { Int32($0) })
                runs.append(Int32(repeated.count))
            }
            o = end
        }
        self.repeated = repeated
        self.firstOccurrences = firstOccurrences
        self.firstRecords = firstRecords
        repeatedRuns = runs
    }

    /// Sorts the occurrences `postings` by their contexts read from `tokens`.
    static func build(postings: UnsafeBufferPointer<UInt32>, index: MemscanIndex, tokens: BlockCache) throws -> ContextOrder {
        let n = postings.count, depth = ContextOrder.depth
        var rightContexts = [UInt32](repeating: 0, count: n * depth), leftContexts = rightContexts
        var rightLengths = [UInt8](repeating: 0, count: n), leftLengths = rightLengths
        var records = [Int32](repeating: 0, count: n)
        var hint = 0
        try rightContexts.withUnsafeMutableBufferPointer { right in
            try leftContexts.withUnsafeMutableBufferPointer { left in
                for o in 0 ..< n {
                    let position = Int(postings[o])
                    let record = index.recordIndex(ofPosition: position, hint: hint)
                    hint = record
                    records[o] = Int32(record)
                    let range = index.recordRange(record)
                    guard range.contains(position) else { throw index.corrupt(.postings) }
                    let rightCount = min(depth, range.upperBound - position)
                    let leftCount = min(depth, position - range.lowerBound)
                    try copyContext(from: position, count: rightCount, step: 1, tokens: tokens, into: right.baseAddress! + o * depth)
                    try copyContext(from: position - 1, count: leftCount, step: -1, tokens: tokens, into: left.baseAddress! + o * depth)
                    rightLengths[o] = UInt8(rightCount)
                    leftLengths[o] = UInt8(leftCount)
                }
            }
        }
        return ContextOrder(right: side(rightContexts, rightLengths), left: side(leftContexts, leftLengths), record: records)
    }

    /// Writes `count` tokens to `out`: the tokens at `first`, `first + step`,
    /// ... (step 1 reads forwards, -1 backwards), a block at a time.
    private static func copyContext(from first: Int, count: Int, step: Int, tokens: BlockCache,
                                    into out: UnsafeMutablePointer<UInt32>) throws {
        var i = 0
        while i < count {
            let at = first + step * i
            let block = try tokens.block(containing: at)
            let run = min(count - i, step > 0 ? block.start + block.count - at : at - block.start + 1)
            let from = block.values + (at - block.start)
            for j in 0 ..< run { out[i + j] = from[step * j] }
            i += run
        }
    }

    /// Sorts flat contexts (`depth` slots each, `lengths` used; a multikey quicksort in
    /// C, which reads a shared template prefix once per context) and builds the minima.
    private static func side(_ contexts: [UInt32], _ lengths: [UInt8]) -> Side {
        let n = lengths.count, depth = ContextOrder.depth
        var order = (0 ..< Int32(n)).map { $0 }
        var prefix = [UInt8](repeating: 0, count: n)
        contexts.withUnsafeBufferPointer { c in
            func context(_ o: Int) -> UnsafePointer<UInt32> { c.baseAddress! + o * depth }
            lengths.withUnsafeBufferPointer { l in
                order.withUnsafeMutableBufferPointer { o in
                    ms_sort_contexts(o.baseAddress, n, c.baseAddress, l.baseAddress, depth)
                }
            }
            for r in 1 ..< max(1, n) {
                let a = Int(order[r - 1]), b = Int(order[r])
                let shorter = min(Int(lengths[a]), Int(lengths[b]))
                let x = context(a), y = context(b)
                var i = 0
                while i < shorter && x[i] == y[i] { i += 1 }
                prefix[r] = UInt8(i)
            }
        }
        var rank = [Int32](repeating: 0, count: n)
        for (r, o) in order.enumerated() { rank[Int(o)] = Int32(r) }
        var minima = [prefix]
        var width = 1
        while 2 * width <= n {
            let previous = minima[minima.count - 1]
            minima.append((0 ... n - 2 * width).map { min(previous[$0], previous[$0 + width]) })
            width *= 2
        }
        return Side(order: order, rank: rank, length: lengths, minima: minima)
    }

    /// Locates `query(0 ..< queryCount)` among the contexts of one side, whose token i
    /// of occurrence o is `token(o, i)` (i below the occurrence's length). A binary
    /// search that starts each comparison after the prefix the query shares with both
    /// bounds, so that a long shared template is read about once, not once per step.
    static func locate(_ side: Side, query: (Int) -> UInt32, queryCount: Int,
                       token: (Int, Int) throws -> UInt32) rethrows -> Side.Position {
        let n = side.order.count
        func compare(rank r: Int, from start: Int) throws -> (Int, Bool) {
            let o = Int(side.order[r])
            let length = min(Int(side.length[o]), queryCount)
            var i = start
            while i < length {
                let t = try token(o, i), q = query(i)
                if t != q { return (i, t < q) }
                i += 1
            }
            // Equal up to the shorter one: the context sorts first when it is the shorter.
            return (i, Int(side.length[o]) <= queryCount)
        }
        // Ranks below `low` sort before the query, ranks from `high` on after it; the
        // query shares `lowPrefix` tokens with rank low - 1 and `highPrefix` with rank high.
        var low = 0, high = n
        var lowPrefix = 0, highPrefix = 0
        while low < high {
            let mid = (low + high) >> 1
            let (common, contextFirst) = try compare(rank: mid, from: min(lowPrefix, highPrefix))
            if contextFirst {
                low = mid + 1
                lowPrefix = common
            } else {
                high = mid
                highPrefix = common
            }
        }
        return Side.Position(at: low, before: low > 0 ? lowPrefix : -1, after: low < n ? highPrefix : -1)
    }
}
