/// Shingle hashing and winnowing, shared by `index build` and `scan` so that both
/// sides select exactly the same shingles (the detection guarantee depends on it).
///
/// A shingle is k consecutive matching tokens; its hash is XXH3 over the k 64-bit
/// token hashes. Winnowing with window w keeps, for every window of w consecutive
/// shingles, the leftmost one with the smallest hash. Any span of G = k + w - 1
/// tokens holds a whole window, and the same window in a record and in a
/// generation selects the same shingle, so every such span shares a selected
/// shingle with the record.
import CMemscanShims

public enum Winnowing {
    /// Marks a shingle that cannot occur in the index (it holds a token unknown to
    /// the vocabulary); such shingles are never selected.
    public static let invalidHash: UInt64 = .max

    /// A token id that no index holds (a generation token missing from the vocabulary).
    public static let unknownID = UInt32.max

    /// Shingle hashes for positions 0 ... n-k of `tokenHashes`. When `ids` is given, a
    /// token whose id is `unknownID` poisons every shingle that contains it. Returns an
    /// empty array when n < k.
    @inline(__always)
    public static func shingleHashes(
        tokenHashes: UnsafeBufferPointer<UInt64>, ids: UnsafeBufferPointer<UInt32>?, k: Int, seed: UInt64,
        into output: inout [UInt64]
    ) {
        output.removeAll(keepingCapacity: true)
        let n = tokenHashes.count
        guard n >= k, k > 0 else { return }
        let count = n - k + 1
        output.reserveCapacity(count)
        let base = tokenHashes.baseAddress!
        if let ids {
            // A shingle is poisoned when the latest invalid token seen lies inside it.
            var lastInvalid = -1
            for j in 0 ..< n {
                if ids[j] == unknownID { lastInvalid = j }
                let p = j - k + 1
                if p < 0 { continue }
                output.append(lastInvalid >= p ? invalidHash : clampValid(ms_xxh3(base + p, k &* 8, seed)))
            }
        } else {
            for p in 0 ..< count {
                output.append(clampValid(ms_xxh3(base + p, k &* 8, seed)))
            }
        }
    }

    @inline(__always)
    static func clampValid(_ hash: UInt64) -> UInt64 { hash == invalidHash ? invalidHash - 1 : hash }

    /// Positions selected by winnowing with window `w`, ascending and unique.
    /// Fewer than w shingles form one (short) window, so short records still get
    /// one selected shingle. Windows whose minimum is invalid select nothing.
    public static func select(hashes: UnsafeBufferPointer<UInt64>, w: Int, into output: inout [Int32]) {
        output.removeAll(keepingCapacity: true)
        let m = hashes.count
        guard m > 0 else { return }
        if w <= 1 {
            for i in 0 ..< m where hashes[i] != invalidHash { output.append(Int32(i)) }
            return
        }
        if m <= w {
            var best = 0
            for i in 1 ..< m where hashes[i] < hashes[best] { best = i }
            if hashes[best] != invalidHash { output.append(Int32(best)) }
            return
        }
        // The window's minimum, kept as the window slides: a new shingle replaces it
        // when strictly smaller (ties stay with the leftmost), and the window is
        // searched again only when its minimum leaves it, which happens about twice
        // per w shingles for random hashes. Cheaper per shingle than a monotonic deque.
        var best = 0
        for i in 1 ..< w where hashes[i] < hashes[best] { best = i }
        var last = -1
        if hashes[best] != invalidHash {
            output.append(Int32(best))
            last = best
        }
        var i = w
        while i < m {
            let windowStart = i - w + 1
            if hashes[i] < hashes[best] {
                best = i
            } else if best < windowStart {
                best = windowStart
                var j = windowStart + 1
                while j <= i {
                    if hashes[j] < hashes[best] { best = j }
                    j += 1
                }
            }
            if best != last && hashes[best] != invalidHash {
                output.append(Int32(best))
                last = best
            }
            i += 1
        }
    }
}
