/// A wavelet matrix over a permutation of 0 ..< n: counts and lists the points
/// (position, value) inside a rectangle of positions x values in O(log n) per count
/// and per point listed. A context order keeps one over the left-context ranks of its
/// occurrences in right-context order, so that the occurrences whose extensions reach
/// given lengths on both sides (a rectangle of ranks) are counted without visiting
/// them.
struct WaveletMatrix: Sendable {
    /// Per level (most significant bit first) and 64-position word: the word's bits, then
    /// the ones before it, side by side so that a rank reads one place. One flat array
    /// rather than an array of levels: copying a level out of an array retained its
    /// arrays, twice per node visited when listing a rectangle.
    private let ranked: [UInt64]
    /// Per level: how many values have a 0 at that level's bit.
    private let zeros: [Int]
    private let wordsPerLevel: Int
    let count: Int

    /// Values before position `i` with a 1 at level `n`'s bit, read from `ranked`.
    @inline(__always)
    private static func onesBefore(_ i: Int, level n: Int, in ranked: UnsafeBufferPointer<UInt64>, wordsPerLevel: Int) -> Int {
        let slot = 2 * (n * wordsPerLevel + (i >> 6)), bit = i & 63
        let partial = bit == 0 ? 0 : (ranked[slot] << UInt64(64 - bit)).nonzeroBitCount
        return Int(ranked[slot + 1]) + partial
    }

    /// - Parameter values: a permutation of 0 ..< values.count.
    init(_ values: [Int32]) {
        count = values.count
        let bits = max(1, Int.bitWidth - max(1, values.count - 1).leadingZeroBitCount)
        let wordCount = count / 64 + 1
        wordsPerLevel = wordCount
        var current = values, next = values
        var ranked = [UInt64](repeating: 0, count: 2 * bits * wordCount)
        var zeros: [Int] = []
        zeros.reserveCapacity(bits)
        for (n, level) in stride(from: bits - 1, through: 0, by: -1).enumerated() {
            let base = 2 * n * wordCount
            var zeroCount = 0
            for (i, v) in current.enumerated() {
                if (v >> level) & 1 == 1 { ranked[base + 2 * (i >> 6)] |= 1 << UInt64(i & 63) } else { zeroCount += 1 }
            }
            var running: UInt64 = 0
            for w in 0 ..< wordCount {
                ranked[base + 2 * w + 1] = running
                running += UInt64(ranked[base + 2 * w].nonzeroBitCount)
            }
            // Stable partition: zeros first, then ones.
            var z = 0, o = zeroCount
            for v in current {
                if (v >> level) & 1 == 1 { next[o] = v; o += 1 } else { next[z] = v; z += 1 }
            }
            swap(&current, &next)
            zeros.append(zeroCount)
        }
        self.ranked = ranked
        self.zeros = zeros
    }

    /// Points with position in `positions` and value below `bound`.
    func count(_ positions: Range<Int>, below bound: Int) -> Int {
        guard !positions.isEmpty, bound > 0 else { return 0 }
        let bits = zeros.count, wordsPerLevel = wordsPerLevel
        if bound >= 1 << bits { return positions.count }
        return ranked.withUnsafeBufferPointer { ranked in
            var low = positions.lowerBound, high = positions.upperBound
            var result = 0
            for n in 0 ..< bits {
                let onesLow = Self.onesBefore(low, level: n, in: ranked, wordsPerLevel: wordsPerLevel)
                let onesHigh = Self.onesBefore(high, level: n, in: ranked, wordsPerLevel: wordsPerLevel)
                if (bound >> (bits - 1 - n)) & 1 == 1 {
                    result += (high - onesHigh) - (low - onesLow)
                    low = zeros[n] + onesLow
                    high = zeros[n] + onesHigh
                } else {
                    low -= onesLow
                    high -= onesHigh
                }
                if low >= high { break }
            }
            return result
        }
    }

    /// Points inside positions x values.
    func count(_ positions: Range<Int>, _ values: Range<Int>) -> Int {
        guard !values.isEmpty else { return 0 }
        return count(positions, below: values.upperBound) - count(positions, below: values.lowerBound)
    }

    /// Calls `body` with the value of each point inside positions x values, in
    /// ascending value order, while it returns true.
    ///
    /// A depth-first walk with its own stack over the matrix's raw words: a recursive
    /// walk retained and released the matrix's arrays at every node it visited (4% of
    /// the scan of memorization-heavy generations).
    func forEachValue(_ positions: Range<Int>, _ values: Range<Int>, _ body: (Int) throws -> Bool) rethrows {
        guard !positions.isEmpty, !values.isEmpty else { return }
        let bits = zeros.count, wordsPerLevel = wordsPerLevel
        try ranked.withUnsafeBufferPointer { ranked in
            try zeros.withUnsafeBufferPointer { zeros in
                @inline(__always) func onesBefore(_ i: Int, level n: Int) -> Int {
                    Self.onesBefore(i, level: n, in: ranked, wordsPerLevel: wordsPerLevel)
                }
                // A node's zero child is visited before its one child (ascending values),
                // so it is pushed last; the stack never holds more than one node per level
                // plus the one being split.
                try withUnsafeTemporaryAllocation(of: Node.self, capacity: bits + 2) { stack in
                    stack[0] = Node(level: 0, low: positions.lowerBound, high: positions.upperBound, prefix: 0)
                    var top = 1
                    while top > 0 {
                        top -= 1
                        let node = stack[top]
                        let n = node.level
                        if n == bits {
                            for _ in node.low ..< node.high where !(try body(node.prefix)) { return }
                            continue
                        }
                        // Values under a child: prefix << shift ..< (prefix + 1) << shift.
                        let shift = bits - n - 1
                        let onesLow = onesBefore(node.low, level: n), onesHigh = onesBefore(node.high, level: n)
                        let zeroPrefix = node.prefix << 1, onePrefix = node.prefix << 1 | 1
                        if onesLow < onesHigh && overlaps(onePrefix, shift, values) {
                            stack[top] = Node(level: n + 1, low: zeros[n] + onesLow, high: zeros[n] + onesHigh, prefix: onePrefix)
                            top += 1
                        }
                        let zeroLow = node.low - onesLow, zeroHigh = node.high - onesHigh
                        if zeroLow < zeroHigh && overlaps(zeroPrefix, shift, values) {
                            stack[top] = Node(level: n + 1, low: zeroLow, high: zeroHigh, prefix: zeroPrefix)
                            top += 1
                        }
                    }
                }
            }
        }
    }

    /// A node of the walk: a range of positions at a level, and the value bits above it.
    private struct Node {
        var level: Int
        var low: Int
        var high: Int
        var prefix: Int
    }

    @inline(__always)
    private func overlaps(_ prefix: Int, _ shift: Int, _ values: Range<Int>) -> Bool {
        let first = prefix << shift, end = (prefix + 1) << shift
        return first < values.upperBound && end > values.lowerBound
    }
}
