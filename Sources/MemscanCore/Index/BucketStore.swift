/// The shingle table's buckets while `ShingleTableBuilder` fills them: all in memory,
/// or, under a memory limit, a window of `windowBuckets` whose finished buckets go to
/// a spill file. Homes arrive in increasing order and an entry lands at most
/// `headBuckets - 1` buckets past its home, so a bucket below the current home is
/// final; the first `headBuckets` stay in memory to the end because the last entries
/// may wrap around to them.
struct BucketStore {
    static let wordsPerBucket = 8
    let bucketCount: Int
    private let headBuckets: Int
    private let windowBuckets: Int
    private var head: [UInt64]
    /// Buckets [windowStart, windowStart + windowBuckets) (those past the head).
    private var window: [UInt64]
    private var windowStart: Int
    private var spill: SpillFile?
    private let directory: String

    /// - Parameter windowBuckets: buckets kept in memory (nil: all of them).
    init(bucketCount: Int, headBuckets: Int, windowBuckets: Int?, directory: String) {
        self.bucketCount = bucketCount
        self.headBuckets = min(bucketCount, headBuckets)
        self.windowBuckets = max(2 * headBuckets, min(windowBuckets ?? bucketCount, bucketCount))
        self.directory = directory
        head = [UInt64](repeating: 0, count: self.headBuckets * BucketStore.wordsPerBucket)
        windowStart = self.headBuckets
        window = [UInt64](repeating: 0, count: self.windowBuckets * BucketStore.wordsPerBucket)
    }

    /// ORs `value` into word `word` (0 ..< 8) of `bucket`; the bucket is at most
    /// `headBuckets - 1` past the home last passed to `advance`.
    @inline(__always)
    mutating func or(_ value: UInt64, bucket: Int, word: Int) {
        if bucket < headBuckets {
            head[bucket * BucketStore.wordsPerBucket + word] |= value
        } else {
            window[(bucket - windowStart) * BucketStore.wordsPerBucket + word] |= value
        }
    }

    /// Entries of home bucket `home` come next: buckets below it are final, and the
    /// window slides when the next entries could land past its end.
    mutating func advance(to home: Int) throws {
        guard home + headBuckets > windowStart + windowBuckets, home > windowStart else { return }
        let finished = home - windowStart
        if spill == nil { spill = try SpillFile(directory: directory) }
        try window.withUnsafeBytes { try spill!.append(UnsafeRawBufferPointer(rebasing: $0[0 ..< finished * BucketStore.wordsPerBucket * 8])) }
        let kept = (windowBuckets - finished) * BucketStore.wordsPerBucket
        window.withUnsafeMutableBufferPointer { w in
            for i in 0 ..< kept { w[i] = w[i + finished * BucketStore.wordsPerBucket] }
            for i in kept ..< w.count { w[i] = 0 }
        }
        windowStart = home
    }

    /// Hands out the table's bytes in order.
    func write(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try head.withUnsafeBytes { try emit($0) }
        if let spill {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            var offset = 0
            while offset < spill.size {
                let n = min(chunk.count, spill.size - offset)
                try chunk.withUnsafeMutableBytes { try spill.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0 ..< n])) }
                try chunk.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
                offset += n
            }
        }
        let remaining = max(0, bucketCount - windowStart) * BucketStore.wordsPerBucket
        try window.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0 ..< remaining * 8])) }
    }
}
