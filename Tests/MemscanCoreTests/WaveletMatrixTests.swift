import Testing
@testable import MemscanCore

/// `WaveletMatrix` against brute force: counts and listings of points inside random
/// rectangles of random permutations. Sizes straddle the 64-position blocks and the
/// powers of two where the number of value bits (and so of two-bit levels, and whether
/// the top level uses one bit or two) changes. Each matrix is checked as built for the
/// scan (short position ranges read from the values) and walking every range, so the walk
/// is tested on small matrices too.
@Suite struct WaveletMatrixTests {
    private static func permutation(_ size: Int, _ rng: inout SplitMix64) -> [Int32] {
        var values = (0 ..< size).map { Int32($0) }
        for i in stride(from: size - 1, to: 0, by: -1) { values.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return values
    }

    /// A range inside 0 ..< limit: often empty, full, one long, starting at a block edge, or
    /// about as long as the longest ranges read rather than walked.
    private static func range(_ limit: Int, _ rng: inout SplitMix64) -> Range<Int> {
        let a = Int(rng.next() % UInt64(limit + 1)), b = Int(rng.next() % UInt64(limit + 1))
        switch rng.next() % 10 {
        case 0: return a ..< a
        case 1: return 0 ..< limit
        case 2: return a ..< min(limit, a + 1)
        case 3: return min(a, b) & ~63 ..< max(min(a, b) & ~63, max(a, b))
        case 4:
            let read = [WaveletMatrix.readLimits.count, WaveletMatrix.readLimits.list][Int(rng.next() % 2)]
            let length = min(limit, read - 1 + Int(rng.next() % 3)), start = Int(rng.next() % UInt64(limit - length + 1))
            return start ..< start + length
        default: return min(a, b) ..< max(a, b)
        }
    }

    private static func check(_ values: [Int32], queries: Int, _ rng: inout SplitMix64) {
        for matrix in [WaveletMatrix(values), WaveletMatrix(values, readLimits: (0, 0))] {
            check(matrix, values, queries: queries, &rng)
        }
    }

    private static func check(_ matrix: WaveletMatrix, _ values: [Int32], queries: Int, _ rng: inout SplitMix64) {
        let size = values.count
        #expect(matrix.count == size)
        for _ in 0 ..< queries {
            let positions = range(size, &rng)
            // Value ranges may reach past the largest value, and past the next power of two.
            let valueRange = range(size + (rng.next() % 4 == 0 ? size + 3 : 2), &rng)
            let inside = positions.map { Int(values[$0]) }.filter { valueRange.contains($0) }.sorted()
            #expect(matrix.count(positions, valueRange) == inside.count, "size \(size) positions \(positions) values \(valueRange)")
            for bound in [valueRange.lowerBound, valueRange.upperBound, -1, 0, size, 2 * size + 1] {
                #expect(matrix.count(positions, below: bound) == positions.filter { Int(values[$0]) < bound }.count,
                        "size \(size) positions \(positions) below \(bound)")
            }
            var listed: [Int] = []
            matrix.forEachValue(positions, valueRange) { listed.append($0); return true }
            #expect(listed == inside, "size \(size) positions \(positions) values \(valueRange)")
            // Stopping early lists a prefix, and `body` is not called again.
            let stopAfter = 1 + Int(rng.next() % UInt64(max(1, inside.count)))
            var prefix: [Int] = []
            matrix.forEachValue(positions, valueRange) { prefix.append($0); return prefix.count < stopAfter }
            #expect(prefix == Array(inside.prefix(stopAfter)), "size \(size) positions \(positions) values \(valueRange) stop \(stopAfter)")
        }
    }

    @Test("counts and lists the points of random rectangles like brute force",
          arguments: [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193,
                      255, 256, 257, 300, 511, 512, 513, 1000, 1023, 1025, 2047, 4097, 9999, 32767, 40001, 65536, 65537])
    func rectanglesMatchBruteForce(size: Int) {
        var rng = SplitMix64(seed: 0x3A7E_1E70 &+ UInt64(size))
        let queries = size > 10000 ? 60 : 300
        Self.check(Self.permutation(size, &rng), queries: queries, &rng)
    }

    @Test("the identity and its reverse, whose points sit on a diagonal", arguments: [1, 2, 3, 64, 65, 257, 1000])
    func diagonalsMatchBruteForce(size: Int) {
        var rng = SplitMix64(seed: 0xD1A6 &+ UInt64(size))
        Self.check((0 ..< size).map { Int32($0) }, queries: 200, &rng)
        Self.check((0 ..< size).reversed().map { Int32($0) }, queries: 200, &rng)
    }

    @Test("every position range and bound of small permutations", arguments: [1, 2, 3, 5, 17, 63, 64, 65, 70])
    func everyRectangleOfSmallPermutations(size: Int) {
        var rng = SplitMix64(seed: 0x5A11 &+ UInt64(size))
        let values = Self.permutation(size, &rng)
        var mismatches = 0
        for matrix in [WaveletMatrix(values), WaveletMatrix(values, readLimits: (0, 0))] {
            for low in 0 ... size {
                for high in low ... size {
                    // below[b]: positions in low ..< high with a value below b.
                    var below = [Int](repeating: 0, count: size + 2)
                    for p in low ..< high { below[Int(values[p]) + 1] += 1 }
                    for v in 1 ..< below.count { below[v] += below[v - 1] }
                    for bound in 0 ... size + 1 where matrix.count(low ..< high, below: bound) != below[bound] { mismatches += 1 }
                    for _ in 0 ..< 3 {
                        let a = Int(rng.next() % UInt64(size + 2)), b = Int(rng.next() % UInt64(size + 2))
                        if matrix.count(low ..< high, min(a, b) ..< max(a, b)) != below[max(a, b)] - below[min(a, b)] { mismatches += 1 }
                    }
                    var listed: [Int] = []
                    matrix.forEachValue(low ..< high, 0 ..< size) { listed.append($0); return true }
                    if listed != (low ..< high).map({ Int(values[$0]) }).sorted() { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
    }
}
