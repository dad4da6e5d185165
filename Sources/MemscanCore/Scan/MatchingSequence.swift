import CMemscanShims

/// A generation's tokens as one index sees them: ignored tokens dropped, every
/// other token mapped to its vocabulary id (or `unknownID`), with its token hash
/// and its index among the original tokens.
struct MatchingSequence {
    static let unknownID = UInt32.max
    var ids: [UInt32] = []
    var hashes: [UInt64] = []
    var known: [Bool] = []
    var original: [Int32] = []
    var hasUnknown = false

    var count: Int { ids.count }

    /// One pass over the tokens writing straight into the four arrays (sized once),
    /// because this runs for every generation token.
    mutating func fill(tokens: TokenList, index: MemscanIndex) {
        let n = tokens.count
        var unknown = false
        var kept = 0
        if ids.count < n {
            ids = [UInt32](repeating: 0, count: n)
            hashes = [UInt64](repeating: 0, count: n)
            known = [Bool](repeating: false, count: n)
            original = [Int32](repeating: 0, count: n)
        }
        let seed = index.header.tokenSeed
        tokens.bytes.withUnsafeBytes { all in
            tokens.ends.withUnsafeBufferPointer { ends in
                ids.withUnsafeMutableBufferPointer { ids in
                    hashes.withUnsafeMutableBufferPointer { hashes in
                        known.withUnsafeMutableBufferPointer { known in
                            original.withUnsafeMutableBufferPointer { original in
                                var start = 0
                                for i in 0 ..< n {
                                    let end = Int(ends[i])
                                    let token = UnsafeRawBufferPointer(rebasing: all[start ..< end])
                                    start = end
                                    let hash = ms_xxh3(token.baseAddress, token.count, seed)
                                    let id: UInt32
                                    if let found = index.tokenID(bytes: token, hash: hash) {
                                        if index.isIgnored(tokenID: found) { continue }
                                        id = found
                                    } else {
                                        if index.isIgnoredUnknown(token) { continue }
                                        id = MatchingSequence.unknownID
                                        unknown = true
                                    }
                                    ids[kept] = id
                                    known[kept] = id != MatchingSequence.unknownID
                                    hashes[kept] = hash
                                    original[kept] = Int32(i)
                                    kept += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        hasUnknown = unknown
        // Shrink the logical length without freeing capacity.
        if ids.count != kept {
            ids.removeSubrange(kept...)
            hashes.removeSubrange(kept...)
            known.removeSubrange(kept...)
            original.removeSubrange(kept...)
        }
    }

    /// Number of matching tokens that come before original token `originalIndex`.
    func matchingCount(before originalIndex: Int) -> Int {
        var low = 0, high = original.count
        while low < high {
            let mid = (low + high) >> 1
            if Int(original[mid]) < originalIndex { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
