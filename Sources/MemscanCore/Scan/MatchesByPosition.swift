/// A generation's matches, asked for those overlapping a region (in match order): near
/// record counting asks once per near region. A scan of them all while they are few; for
/// a long generation's tens of thousands (times its hundreds of regions), each match is
/// also filed under the buckets of generation positions it covers.
struct MatchesByPosition {
    static let bucketWidth = 64
    static let bucketAfter = 512
    static let minimumBuckets = 16
    let matches: [VerbatimMatch]
    /// Bucket (generation position / `bucketWidth`) -> indices of the matches covering some
    /// position of it, ascending; empty while the matches are scanned.
    private var buckets: [[Int32]] = []

    /// Matches are filed past `bucketAfter` of them over more than `minimumBuckets` buckets of
    /// generation (tests set other thresholds).
    init(_ matches: [VerbatimMatch], bucketAfter: Int = MatchesByPosition.bucketAfter,
         minimumBuckets: Int = MatchesByPosition.minimumBuckets) {
        self.matches = matches
        // A short generation has few buckets, each holding most of its matches: scanning wins.
        guard matches.count > bucketAfter, let end = matches.lazy.map(\.genEnd).max(),
              end > minimumBuckets * Self.bucketWidth else { return }
        buckets = Array(repeating: [], count: (end - 1) / Self.bucketWidth + 1)
        for (i, m) in matches.enumerated() where m.genEnd > m.genStart {
            for b in m.genStart / Self.bucketWidth ... (m.genEnd - 1) / Self.bucketWidth { buckets[b].append(Int32(i)) }
        }
    }

    /// Indices of `matches` with some position in `region`, ascending, by looking at each:
    /// for one question (a reference check), filing them first would cost more.
    static func indices(of matches: [VerbatimMatch], overlapping region: Range<Int>) -> [Int] {
        matches.indices.filter { overlaps(matches[$0], region) }
    }

    private static func overlaps(_ m: VerbatimMatch, _ region: Range<Int>) -> Bool {
        m.genEnd > region.lowerBound && m.genStart < region.upperBound
    }

    /// Indices of the matches with some position in `region`, ascending.
    func indices(overlapping region: Range<Int>) -> [Int] {
        guard !buckets.isEmpty else { return Self.indices(of: matches, overlapping: region) }
        guard !region.isEmpty, region.lowerBound / Self.bucketWidth < buckets.count else { return [] }
        var found: [Int] = []
        let last = min(buckets.count - 1, (region.upperBound - 1) / Self.bucketWidth)
        for b in max(0, region.lowerBound) / Self.bucketWidth ... last {
            for i in buckets[b] where Self.overlaps(matches[Int(i)], region) { found.append(Int(i)) }
        }
        found.sort()
        // A match covering several of the buckets was found in each.
        return found.enumerated().compactMap { $0.offset > 0 && found[$0.offset - 1] == $0.element ? nil : $0.element }
    }
}
