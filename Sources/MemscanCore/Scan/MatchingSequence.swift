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

    mutating func fill(tokens: TokenList, index: MemscanIndex) {
        ids.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        known.removeAll(keepingCapacity: true)
        original.removeAll(keepingCapacity: true)
        hasUnknown = false
        let seed = index.header.tokenSeed
        tokens.bytes.withUnsafeBytes { all in
            for i in 0 ..< tokens.count {
                let token = UnsafeRawBufferPointer(rebasing: all[tokens.start(i) ..< tokens.end(i)])
                let hash = ms_xxh3(token.baseAddress, token.count, seed)
                if let id = index.tokenID(bytes: token, hash: hash) {
                    if index.isIgnored(tokenID: id) { continue }
                    ids.append(id)
                    known.append(true)
                } else {
                    if index.isIgnoredUnknown(token) { continue }
                    ids.append(MatchingSequence.unknownID)
                    known.append(false)
                    hasUnknown = true
                }
                hashes.append(hash)
                original.append(Int32(i))
            }
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
