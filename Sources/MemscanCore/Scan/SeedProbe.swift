import CMemscanShims

/// The hash-and-lookup stage shared by the scan and the probe-only benchmark loop:
/// token ids and hashes, shingle hashes, winnowing, table keys, one batched probe.
struct SeedProbe {
    var sequence = MatchingSequence()
    /// Shingle hashes (winnowing order keys) at every matching position.
    private(set) var shingles: [UInt64] = []
    /// Selected (winnowed) positions, ascending.
    private(set) var selected: [Int32] = []
    private var keys: [UInt64] = []
    /// Slot value of each selected position, or MS_PROBE_MISS.
    private(set) var values: [UInt32] = []

    /// Runs the stage on one generation; false when it has fewer than k matching tokens.
    mutating func run(_ generation: TokenList, index: MemscanIndex) -> Bool {
        sequence.fill(tokens: generation, index: index)
        let k = index.header.k
        selected.removeAll(keepingCapacity: true)
        guard sequence.count >= k else { return false }
        sequence.hashes.withUnsafeBufferPointer { hashes in
            sequence.ids.withUnsafeBufferPointer { ids in
                Winnowing.shingleHashes(tokenHashes: hashes, ids: sequence.hasUnknown ? ids : nil, k: k,
                                        seed: index.header.shingleSeed, into: &shingles)
            }
        }
        shingles.withUnsafeBufferPointer { Winnowing.select(hashes: $0, w: index.header.w, into: &selected) }
        keys.removeAll(keepingCapacity: true)
        for p in selected { keys.append(ms_fmix64(shingles[Int(p)])) }
        if values.count < keys.count { values = [UInt32](repeating: 0, count: keys.count) }
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeMutableBufferPointer { v in
                index.probe(keys: k, values: UnsafeMutableBufferPointer(rebasing: v[0 ..< k.count]))
            }
        }
        return true
    }
}
