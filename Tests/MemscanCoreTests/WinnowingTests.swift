import Testing
@testable import MemscanCore

@Suite("Winnowing")
struct WinnowingTests {
    /// Every window's leftmost smallest hash, each position once, windows whose
    /// minimum is invalid selecting nothing; fewer than w hashes form one window.
    static func bruteSelect(_ hashes: [UInt64], w: Int) -> [Int32] {
        guard !hashes.isEmpty else { return [] }
        var selected: [Int32] = []
        for start in 0 ... max(0, hashes.count - max(1, w)) {
            let window = start ..< min(hashes.count, start + max(1, w))
            let best = window.min { hashes[$0] != hashes[$1] ? hashes[$0] < hashes[$1] : $0 < $1 }!
            if hashes[best] != Winnowing.invalidHash && selected.last != Int32(best) { selected.append(Int32(best)) }
        }
        return selected
    }

    @Test("select picks each window's leftmost minimum, as a brute force does")
    func selectMatchesBruteForce() {
        var rng = SplitMix64(seed: 0x5749_4E4E)
        for _ in 0 ..< 2000 {
            let n = rng.int(0 ... 60), w = rng.int(1 ... 12)
            // Few distinct values, so ties are common; some invalid hashes, in runs too.
            let distinct = rng.int(1 ... 8)
            let hashes = (0 ..< n).map { _ in rng.chance(0.1) ? Winnowing.invalidHash : UInt64(rng.int(0 ... distinct)) }
            var selected: [Int32] = []
            hashes.withUnsafeBufferPointer { Winnowing.select(hashes: $0, w: w, into: &selected) }
            #expect(selected == WinnowingTests.bruteSelect(hashes, w: w), "w=\(w) hashes \(hashes)")
        }
    }
}
