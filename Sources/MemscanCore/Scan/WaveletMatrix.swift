/// A wavelet matrix over a permutation of 0 ..< n: counts and lists the points
/// (position, value) inside a rectangle of positions x values in O(log n) per count
/// and per point listed. A context order keeps one over the left-context ranks of its
/// occurrences in right-context order, so that the occurrences whose extensions reach
/// given lengths on both sides (a rectangle of ranks) are counted without visiting
/// them.
struct WaveletMatrix: Sendable {
    /// Levels, most significant bit first: each one's bits and ranks of ones.
    private let levels: [Level]
    let count: Int

    private struct Level: Sendable {
        var words: [UInt64]
        /// Ones before each word.
        var onesBefore: [UInt32]
        var zeros: Int

        @inline(__always)
        func onesBefore(_ i: Int) -> Int {
            let word = i >> 6, bit = i & 63
            let partial = bit == 0 ? 0 : (words[word] << (64 - bit)).nonzeroBitCount
            return Int(onesBefore[word]) + partial
        }
    }

    /// - Parameter values: a permutation of 0 ..< values.count.
    init(_ values: [Int32]) {
        count = values.count
        let bits = max(1, Int.bitWidth - max(1, values.count - 1).leadingZeroBitCount)
        var current = values, next = values
        var levels: [Level] = []
        levels.reserveCapacity(bits)
        for level in stride(from: bits - 1, through: 0, by: -1) {
            let wordCount = count / 64 + 1
            var words = [UInt64](repeating: 0, count: wordCount)
            var zeros = 0
            for (i, v) in current.enumerated() {
                if (v >> level) & 1 == 1 { words[i >> 6] |= 1 << UInt64(i & 63) } else { zeros += 1 }
            }
            var onesBefore = [UInt32](repeating: 0, count: wordCount)
            var running = 0
            for w in 0 ..< wordCount {
                onesBefore[w] = UInt32(running)
                running += words[w].nonzeroBitCount
            }
            // Stable partition: zeros first, then ones.
            var z = 0, o = zeros
            for v in current {
                if (v >> level) & 1 == 1 { next[o] = v; o += 1 } else { next[z] = v; z += 1 }
            }
            swap(&current, &next)
            levels.append(Level(words: words, onesBefore: onesBefore, zeros: zeros))
        }
        self.levels = levels
    }

    /// Points with position in `positions` and value below `bound`.
    func count(_ positions: Range<Int>, below bound: Int) -> Int {
        guard !positions.isEmpty, bound > 0 else { return 0 }
        let bits = levels.count
        if bound >= 1 << bits { return positions.count }
        var low = positions.lowerBound, high = positions.upperBound
        var result = 0
        for (n, level) in levels.enumerated() {
            let onesLow = level.onesBefore(low), onesHigh = level.onesBefore(high)
            if (bound >> (bits - 1 - n)) & 1 == 1 {
                result += (high - onesHigh) - (low - onesLow)
                low = level.zeros + onesLow
                high = level.zeros + onesHigh
            } else {
                low -= onesLow
                high -= onesHigh
            }
            if low >= high { break }
        }
        return result
    }

    /// Points inside positions x values.
    func count(_ positions: Range<Int>, _ values: Range<Int>) -> Int {
        guard !values.isEmpty else { return 0 }
        return count(positions, below: values.upperBound) - count(positions, below: values.lowerBound)
    }

    /// Calls `body` with the value of each point inside positions x values, in
    /// ascending value order, while it returns true.
    func forEachValue(_ positions: Range<Int>, _ values: Range<Int>, _ body: (Int) throws -> Bool) rethrows {
        guard !positions.isEmpty, !values.isEmpty else { return }
        _ = try visit(level: 0, low: positions.lowerBound, high: positions.upperBound, prefix: 0, values: values, body)
    }

    /// Returns false once `body` asked to stop.
    private func visit(level n: Int, low: Int, high: Int, prefix: Int, values: Range<Int>,
                       _ body: (Int) throws -> Bool) rethrows -> Bool {
        let bits = levels.count
        if n == bits {
            for _ in low ..< high where !(try body(prefix)) { return false }
            return true
        }
        // Values under this node: prefix << (bits - n) ..< (prefix + 1) << (bits - n).
        let shift = bits - n - 1
        let level = levels[n]
        let onesLow = level.onesBefore(low), onesHigh = level.onesBefore(high)
        let zeroLow = low - onesLow, zeroHigh = high - onesHigh
        let zeroPrefix = prefix << 1, onePrefix = prefix << 1 | 1
        if zeroLow < zeroHigh && overlaps(zeroPrefix, shift, values) {
            if !(try visit(level: n + 1, low: zeroLow, high: zeroHigh, prefix: zeroPrefix, values: values, body)) { return false }
        }
        if onesLow < onesHigh && overlaps(onePrefix, shift, values) {
            if !(try visit(level: n + 1, low: level.zeros + onesLow, high: level.zeros + onesHigh, prefix: onePrefix,
                           values: values, body)) { return false }
        }
        return true
    }

    @inline(__always)
    private func overlaps(_ prefix: Int, _ shift: Int, _ values: Range<Int>) -> Bool {
        let first = prefix << shift, end = (prefix + 1) << shift
        return first < values.upperBound && end > values.lowerBound
    }
}
