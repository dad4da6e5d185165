/// The disjoint trigrams of a region whose buckets list the fewest corpus positions.
///
/// An alignment of the region within e edits leaves at least one of any e + 1 disjoint
/// pieces of it intact (an edit touches one piece at most: a substitution or deletion
/// removes one of its tokens, an insertion falls inside one piece or between two), so
/// that piece occurs in the record's window. Near record counting reads only the windows
/// near a position listed in the buckets of e + 1 such trigrams; this picks the trigrams
/// whose buckets list the fewest positions.
struct NearPieces {
    /// best[i * (m + 1) + j]: the fewest entries of j disjoint trigrams among the first i
    /// tokens (saturating at Int32.max: no such choice).
    private var best: [Int32] = []
    private var costs: [Int32] = []

    /// The buckets of `pieces` disjoint trigrams of `region` with the fewest entries in
    /// all, and that number; nil when the region is too short for them.
    mutating func cheapest(_ region: UnsafeBufferPointer<UInt32>, pieces m: Int, postings: TrigramPostings)
        -> (entries: Int, buckets: [Int])? {
        guard region.count >= 3 else { return nil }
        costs.removeAll(keepingCapacity: true)
        for i in 0 ..< region.count - 2 {
            costs.append(Int32(clamping: postings.size(ofBucket: postings.bucket(region[i], region[i + 1], region[i + 2]))))
        }
        guard let (total, starts) = choose(pieces: m, costs: costs) else { return nil }
        return (total, starts.map { postings.bucket(region[$0], region[$0 + 1], region[$0 + 2]) })
    }

    /// The starts of `m` disjoint trigrams with the least total cost (`costs[i]`: the
    /// trigram starting at i), and that cost; nil when fewer than m fit.
    mutating func choose(pieces m: Int, costs: [Int32]) -> (total: Int, starts: [Int])? {
        let n = costs.count + 2
        guard m > 0, 3 * m <= n else { return nil }
        let width = m + 1
        best.removeAll(keepingCapacity: true)
        best.append(contentsOf: repeatElement(Int32.max, count: (n + 1) * width))
        best.withUnsafeMutableBufferPointer { best in
            for i in 0 ... n { best[i * width] = 0 }
            for i in 3 ... n {
                let row = i * width, previous = row - width, before = (i - 3) * width
                let cost = costs[i - 3]
                // At most i / 3 pieces fit in i tokens.
                for j in 1 ... min(m, i / 3) {
                    let prior = best[before + j - 1]
                    let take = prior == .max ? Int32.max : prior &+ min(cost, Int32.max - 1 - prior)
                    best[row + j] = min(best[previous + j], take)
                }
            }
        }
        let total = best[n * width + m]
        guard total != .max else { return nil }
        var starts: [Int] = []
        starts.reserveCapacity(m)
        var i = n, j = m
        while j > 0 {
            if best[i * width + j] == best[(i - 1) * width + j] {
                i -= 1
            } else {
                starts.append(i - 3)
                i -= 3
                j -= 1
            }
        }
        return (Int(total), starts.reversed())
    }
}
