import CMemscanShims

/// A maximal verbatim match between a generation and one record, in matching
/// coordinates (ignored tokens removed): generation [genStart, genEnd) equals
/// record tokens [recordStart, recordEnd), and neither end can be extended.
struct VerbatimMatch: Equatable {
    var genStart: Int
    var genEnd: Int
    var record: Int
    var recordStart: Int
    var recordEnd: Int
    var length: Int { genEnd - genStart }
}

/// Seeds, verifies and extends verbatim matches of one generation against one
/// index. Holds per-thread buffers and a block cache; not thread-safe.
final class MatchFinder {
    let index: MemscanIndex
    let tokens: BlockCache
    let positions: BlockCache?
    let maxOccurrences: Int
    var sequence = MatchingSequence()
    private var shingles: [UInt64] = []
    private var selected: [Int32] = []
    private var keys: [UInt64] = []
    private var values: [UInt32] = []
    private var lastOnDiagonal: [Int64: Int] = [:]
    /// Selected positions whose occurrences were not all enumerated.
    private(set) var truncatedSeeds: [Int] = []
    private(set) var matches: [VerbatimMatch] = []

    init(index: MemscanIndex, maxOccurrences: Int) {
        self.index = index
        self.maxOccurrences = maxOccurrences
        tokens = BlockCache(store: index.tokenBlocks)
        positions = index.positionBlocks.map { BlockCache(store: $0) }
    }

    /// Finds every maximal verbatim match that contains a selected shingle of the
    /// generation; by the winnowing guarantee that includes every match of at
    /// least G tokens.
    func run(on generation: TokenList) throws {
        sequence.fill(tokens: generation, index: index)
        matches.removeAll(keepingCapacity: true)
        truncatedSeeds.removeAll(keepingCapacity: true)
        let k = index.header.k
        guard sequence.count >= k else { return }
        sequence.hashes.withUnsafeBufferPointer { hashes in
            sequence.known.withUnsafeBufferPointer { known in
                Winnowing.shingleHashes(tokenHashes: hashes, valid: sequence.hasUnknown ? known : nil, k: k,
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
        lastOnDiagonal.removeAll(keepingCapacity: true)
        for (n, p) in selected.enumerated() where values[n] != MS_PROBE_MISS {
            let occurrences = try index.occurrences(ofSlotValue: values[n])
            var count = occurrences.count
            if count > maxOccurrences {
                count = maxOccurrences
                truncatedSeeds.append(Int(p))
            }
            for o in 0 ..< count {
                try extend(seed: Int(p), at: occurrences[o], k: k)
            }
        }
    }

    /// Verifies the seed at generation position `p` against global position `position`
    /// and, when the shingle really matches, extends it both ways to a maximal match.
    @inline(__always)
    private func extend(seed p: Int, at position: Int, k: Int) throws {
        let record = index.recordIndex(ofPosition: position)
        let range = index.recordRange(record)
        guard range.contains(position) else { throw index.corrupt(.postings) }
        let diagonal = Int64(record) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: position - range.lowerBound - p)))
        if let end = lastOnDiagonal[diagonal], p < end { return }
        let ids = sequence.ids
        var g = p, r = position
        while g < ids.count && r < range.upperBound, try tokens.value(at: r) == ids[g] {
            g += 1
            r += 1
        }
        guard g - p >= k else { return }  // a hash collision, not a match
        let genEnd = g, recordEnd = r
        g = p - 1
        r = position - 1
        while g >= 0 && r >= range.lowerBound, try tokens.value(at: r) == ids[g] {
            g -= 1
            r -= 1
        }
        let match = VerbatimMatch(genStart: g + 1, genEnd: genEnd, record: record,
                                  recordStart: r + 1 - range.lowerBound, recordEnd: recordEnd - range.lowerBound)
        lastOnDiagonal[diagonal] = genEnd
        matches.append(match)
    }

    /// Original (pre-ignore) token index within record `record` of its matching token `local`.
    func originalRecordPosition(record: Int, local: Int) throws -> Int {
        guard let positions else { return local }
        return Int(try positions.value(at: index.recordRange(record).lowerBound + local))
    }
}
