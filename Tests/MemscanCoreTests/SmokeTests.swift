import Testing
import CMemscanShims
@testable import MemscanCore

@Test func xxh3IsDeterministic() {
    let bytes: [UInt8] = Array("DIAGNOSIS//0030".utf8)
    let a = bytes.withUnsafeBytes { ms_xxh3($0.baseAddress, $0.count, 0) }
    let b = bytes.withUnsafeBytes { ms_xxh3($0.baseAddress, $0.count, 0) }
    #expect(a == b)
    #expect(a != 0)
}

/// The word-at-a-time comparisons of `MatchFinder.extend` against a token-by-token loop:
/// every length, every place of the first difference (and none), both directions, at
/// every alignment of the two arrays.
@Test func commonPrefixAndSuffixAreTokenExact() {
    var rng = SplitMix64(seed: 0xC0_33_0)
    var disagreements: [String] = []
    for _ in 0 ..< 3000 {
        let n = rng.int(0 ... 40), offset = rng.int(0 ... 3)
        let a = (0 ..< n + 4).map { _ in UInt32(rng.int(0 ... 3)) }
        var b = a
        // Differences anywhere (or nowhere), in any of the four bytes of a token.
        for _ in 0 ..< rng.int(0 ... 2) where n > 0 { b[rng.int(0 ... n + 3)] ^= UInt32(1) << (8 * rng.int(0 ... 3)) }
        let prefix = a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in ms_common_prefix_u32(x.baseAddress! + offset, y.baseAddress! + offset, n) }
        }
        var expected = 0
        while expected < n && a[offset + expected] == b[offset + expected] { expected += 1 }
        if prefix != expected { disagreements.append("prefix n=\(n) offset=\(offset): \(prefix), not \(expected)") }
        // Backwards from the last of the n tokens.
        let last = offset + n - 1
        guard n > 0 else { continue }
        let suffix = a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in ms_common_suffix_u32(x.baseAddress! + last, y.baseAddress! + last, n) }
        }
        expected = 0
        while expected < n && a[last - expected] == b[last - expected] { expected += 1 }
        if suffix != expected { disagreements.append("suffix n=\(n) offset=\(offset): \(suffix), not \(expected)") }
    }
    #expect(disagreements.isEmpty, "\(disagreements.count): \(disagreements.prefix(3))")
}
