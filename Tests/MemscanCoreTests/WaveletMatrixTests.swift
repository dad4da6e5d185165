import Testing
@testable import MemscanCore

/// `WaveletMatrix` against brute force: counts and listings of points inside random
/// rectangles of random permutations, sizes around the 64-position word boundaries.
@Suite struct WaveletMatrixTests {
    @Test("counts and lists the points of random rectangles like brute force",
          arguments: [1, 2, 63, 64, 65, 127, 128, 300, 1025])
    func rectanglesMatchBruteForce(size: Int) {
        var rng = SplitMix64(seed: 0x3A7E_1E70 &+ UInt64(size))
        var values = (0 ..< size).map { Int32($0) }
        for i in stride(from: size - 1, to: 0, by: -1) { values.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let matrix = WaveletMatrix(values)
        for _ in 0 ..< 200 {
            let a = Int(rng.next() % UInt64(size + 1)), b = Int(rng.next() % UInt64(size + 1))
            let c = Int(rng.next() % UInt64(size + 2)), d = Int(rng.next() % UInt64(size + 2))
            let positions = min(a, b) ..< max(a, b), range = min(c, d) ..< max(c, d)
            let inside = positions.map { Int(values[$0]) }.filter { range.contains($0) }
            #expect(matrix.count(positions, range) == inside.count, "positions \(positions) values \(range)")
            #expect(matrix.count(positions, below: range.upperBound) == positions.filter { Int(values[$0]) < range.upperBound }.count)
            var listed: [Int] = []
            matrix.forEachValue(positions, range) { listed.append($0); return true }
            #expect(listed == inside.sorted(), "positions \(positions) values \(range)")
            // Stopping early lists a prefix.
            var firstTwo: [Int] = []
            matrix.forEachValue(positions, range) { firstTwo.append($0); return firstTwo.count < 2 }
            #expect(firstTwo == Array(inside.sorted().prefix(2)))
        }
    }
}
