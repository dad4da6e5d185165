/// Questions a grouped seed asks its context orders: which occurrences extend at least
/// so far on one side (a range of ranks), on both sides (a rectangle), how many
/// distinct records those are, and which ones.
extension ContextOrder.Side {
    /// Ranks whose extension (common prefix with the located query) is at least `e`:
    /// extensions grow toward the query's place, so they are one range around it.
    func ranks(atLeast e: Int, around query: Position) -> Range<Int> {
        let n = order.count
        guard e > 0 else { return 0 ..< n }
        // Before the query: the first rank from which extensions reach e.
        var low = 0, high = query.at
        while low < high {
            let mid = (low + high) >> 1
            if extensionLength(rank: mid, of: query) >= e { high = mid } else { low = mid + 1 }
        }
        let lower = low
        // From the query on: the first rank at which extensions fall below e.
        low = query.at
        high = n
        while low < high {
            let mid = (low + high) >> 1
            if extensionLength(rank: mid, of: query) >= e { low = mid + 1 } else { high = mid }
        }
        return lower ..< low
    }

    /// The distinct extension values from `depth` down to `minimum`, longest first, each
    /// with its ranks(atLeast:). The first entry is `depth` (possibly no ranks): the
    /// occurrences that reach it are verified against the record tokens instead.
    func classes(around query: Position, minimum: Int) -> [(value: Int, ranks: Range<Int>)] {
        let n = order.count
        var result = [(value: ContextOrder.depth, ranks: ranks(atLeast: ContextOrder.depth, around: query))]
        while true {
            let current = result[result.count - 1].ranks
            var next = -1
            if current.lowerBound > 0 { next = extensionLength(rank: current.lowerBound - 1, of: query) }
            if current.upperBound < n { next = max(next, extensionLength(rank: current.upperBound, of: query)) }
            guard next >= minimum else { break }
            result.append((next, ranks(atLeast: next, around: query)))
        }
        return result
    }
}

extension ContextOrder {
    /// Occurrences in the rectangle of right ranks x left ranks.
    func count(right: Range<Int>, left: Range<Int>) -> Int {
        leftByRight.count(right, left)
    }

    /// Calls `body` with each occurrence (index into the postings) in the rectangle,
    /// while it returns true.
    func forEachOccurrence(right: Range<Int>, left: Range<Int>, _ body: (Int) throws -> Bool) rethrows {
        try leftByRight.forEachValue(right, left) { try body(Int(self.left.order[$0])) }
    }

    /// Calls `body` with the occurrences extending exactly as far as a class pair: in
    /// the rectangle `right` x `left` (reaching at least that far) but in neither
    /// `rightFurther` nor `leftFurther` (their subranges reaching one class further),
    /// while it returns true. Each side's difference is at most two ranges.
    func forEachOccurrence(right: Range<Int>, notIn rightFurther: Range<Int>, left: Range<Int>, notIn leftFurther: Range<Int>,
                           _ body: (Int) throws -> Bool) rethrows {
        // The parts of `outer` before and after `inner`; empty ones are skipped below,
        // without a filtered array per call (once per realized class of a grouped seed).
        func difference(_ outer: Range<Int>, _ inner: Range<Int>) -> (Range<Int>, Range<Int>) {
            (outer.lowerBound ..< max(outer.lowerBound, inner.lowerBound), min(outer.upperBound, inner.upperBound) ..< outer.upperBound)
        }
        let (rightBefore, rightAfter) = difference(right, rightFurther), (leftBefore, leftAfter) = difference(left, leftFurther)
        var going = true
        for r in [rightBefore, rightAfter] where going && !r.isEmpty {
            for l in [leftBefore, leftAfter] where going && !l.isEmpty {
                try forEachOccurrence(right: r, left: l) { o in
                    going = try body(o)
                    return going
                }
            }
        }
    }

    /// Whether occurrence `o` lies in the rectangle.
    @inline(__always)
    func contains(_ o: Int, right: Range<Int>, left: Range<Int>) -> Bool {
        right.contains(Int(self.right.rank[o])) && left.contains(Int(self.left.rank[o]))
    }

    /// Distinct records among the occurrences in the rectangle, counted up to `limit`
    /// (the answer is min(count, limit)). Records rarely hold such a shingle twice, so
    /// the occurrences less the repeats usually settle it; otherwise the smaller of the
    /// repeating records and the rectangle is looked at.
    func distinctRecords(right: Range<Int>, left: Range<Int>, limit: Int) -> Int {
        let points = count(right: right, left: left)
        if points - repeats >= limit || repeats == 0 { return min(points, limit) }
        // Looking at a repeating record's occurrences is two array reads; listing a point
        // of the rectangle a descent of the wavelet matrix and a table entry.
        if repeated.count <= 8 * points {
            var extra = 0
            for run in 1 ..< repeatedRuns.count {
                var inside = 0
                for i in Int(repeatedRuns[run - 1]) ..< Int(repeatedRuns[run]) where contains(Int(repeated[i]), right: right, left: left) {
                    inside += 1
                }
                extra += max(0, inside - 1)
            }
            return min(points - extra, limit)
        }
        var seen = DiagonalMap(capacity: min(points, limit) * 2)
        var distinct = 0
        forEachOccurrence(right: right, left: left) { o in
            let r = Int(record[o])
            if seen.value(for: r) == nil {
                seen.set(r, 1)
                distinct += 1
            }
            return distinct < limit
        }
        return min(distinct, limit)
    }
}
