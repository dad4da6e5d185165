/// The near alignments made so far on one record, asked whether one of them already
/// covers a seed: the seed's generation interval inside the alignment's, its diagonal
/// within the band plus the alignment's drift (see `NearFinder.align`).
///
/// A record usually gets one or two alignments, and the list is scanned. A repetition
/// loop against a record that repeats it gets thousands (one per few diagonals), and
/// scanning them for each of its tens of thousands of seeds was quadratic: past
/// `bucketAfter` alignments, each is also filed under the buckets of the diagonals it
/// covers. The answer is the same either way.
struct AlignmentCover {
    let band: Int
    /// `AlignmentCover.bucketAfter`, or another threshold in tests (0: always buckets).
    let bucketAfter: Int
    private var alignments: [NearAlignment] = []
    /// Diagonal >> `bucketShift` -> indices into `alignments` covering some diagonal of it.
    private var buckets: [Int: [Int32]] = [:]
    private var bucketed = false
    static let bucketAfter = 64
    static let bucketShift = 5

    init(band: Int, bucketAfter: Int = AlignmentCover.bucketAfter) {
        self.band = band
        self.bucketAfter = bucketAfter
    }

    mutating func removeAll() {
        alignments.removeAll(keepingCapacity: true)
        if bucketed {
            buckets.removeAll()
            bucketed = false
        }
    }

    func covers(_ seed: VerbatimMatch) -> Bool {
        let diagonal = seed.recordStart - seed.genStart
        func covering(_ a: NearAlignment) -> Bool {
            a.genStart <= seed.genStart && seed.genEnd <= a.genEnd
                && abs(diagonal - (a.recordStart - a.genStart)) <= reach(a)
        }
        guard bucketed else { return alignments.contains(where: covering) }
        return buckets[diagonal >> AlignmentCover.bucketShift]?.contains { covering(alignments[Int($0)]) } ?? false
    }

    mutating func append(_ alignment: NearAlignment) {
        alignments.append(alignment)
        if bucketed {
            file(alignments.count - 1)
        } else if alignments.count > bucketAfter {
            bucketed = true
            for i in alignments.indices { file(i) }
        }
    }

    /// How far from its own diagonal an alignment covers seeds.
    private func reach(_ a: NearAlignment) -> Int { band + abs(a.recordLength - a.genLength) }

    private mutating func file(_ i: Int) {
        let a = alignments[i], diagonal = a.recordStart - a.genStart
        let shift = AlignmentCover.bucketShift
        for bucket in (diagonal - reach(a)) >> shift ... (diagonal + reach(a)) >> shift {
            buckets[bucket, default: []].append(Int32(i))
        }
    }
}
