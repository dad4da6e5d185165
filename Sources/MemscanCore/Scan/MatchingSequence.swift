import CMemscanShims

/// A generation's tokens as one index sees them: ignored tokens dropped, every
/// other token mapped to its vocabulary id (or `unknownID`), with its token hash
/// and its index among the original tokens.
struct MatchingSequence {
    static let unknownID = Winnowing.unknownID
    var ids: [UInt32] = []
    var hashes: [UInt64] = []
    var original: [Int32] = []
    var hasUnknown = false

    var count: Int { ids.count }

    /// One pass over the tokens writing straight into the three arrays, which only
    /// grow (their capacity is kept from one generation to the next), because this
    /// runs for every generation token.
    mutating func fill(tokens: TokenList, index: MemscanIndex) {
        let n = tokens.count
        var unknown = false
        var kept = 0
        if ids.count < n {
            ids.append(contentsOf: repeatElement(0, count: n - ids.count))
            hashes.append(contentsOf: repeatElement(0, count: n - hashes.count))
            original.append(contentsOf: repeatElement(0, count: n - original.count))
        }
        let seed = index.header.tokenSeed
        tokens.bytes.withUnsafeBytes { all in
            tokens.ends.withUnsafeBufferPointer { ends in
                ids.withUnsafeMutableBufferPointer { ids in
                    hashes.withUnsafeMutableBufferPointer { hashes in
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
                                hashes[kept] = hash
                                original[kept] = Int32(i)
                                kept += 1
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
            original.removeSubrange(kept...)
        }
    }

    /// Number of matching tokens that come before original token `originalIndex`.
    func matchingCount(before originalIndex: Int) -> Int {
        original.firstIndex(notBelow: Int64(originalIndex))
    }
}
