import CMemscanShims

/// The order-1 model of the token store (docs/INDEX_FORMAT.md, "Token store"): for
/// each token, the tokens that follow it at least `minimumCount` times, most
/// frequent first. Coding a token as its rank after its predecessor turns the
/// corpus's sequential structure (order sets, lab panels, note templates) into
/// small numbers that zstd's entropy stage codes in a few bits: about 30% smaller
/// blocks than plain ids on the synthetic EHR corpus.
struct SuccessorModel: Sendable {
    /// Successor list of token t: successors[offsets[t] ..< offsets[t + 1]].
    var offsets: [UInt32]
    var successors: [UInt32]
    /// (predecessor << 32 | token) -> rank, for encoding.
    private var ranks: [UInt64: UInt32]

    /// Pairs seen once rarely repeat inside a block, so they are left to the escape code.
    static let minimumCount: UInt32 = 2

    /// Counts of adjacent token pairs inside blocks of `blockTokens` (a block's first
    /// token has no predecessor), fed a chunk of the stream at a time.
    struct PairCounter {
        let blockTokens: Int
        var counts: [UInt64: UInt32] = [:]
        private var previous: UInt32? = nil
        private var position = 0

        init(blockTokens: Int) { self.blockTokens = blockTokens }

        /// Adds the next `chunk` of the stream.
        mutating func add(_ chunk: [UInt32]) {
            for token in chunk {
                if position % blockTokens != 0, let previous { counts[UInt64(previous) << 32 | UInt64(token), default: 0] += 1 }
                previous = token
                position += 1
            }
        }
    }

    init(counts: [UInt64: UInt32], vocabCount: Int) {
        var frequent: [(pair: UInt64, count: UInt32)] = []
        for (pair, count) in counts where count >= Self.minimumCount { frequent.append((pair, count)) }
        frequent.sort { $0.pair >> 32 != $1.pair >> 32 ? $0.pair < $1.pair : $0.count != $1.count ? $0.count > $1.count : $0.pair < $1.pair }
        offsets = [UInt32](repeating: 0, count: vocabCount + 1)
        successors = []
        successors.reserveCapacity(frequent.count)
        ranks = [:]
        ranks.reserveCapacity(frequent.count)
        var start = 0
        for (index, entry) in frequent.enumerated() {
            let predecessor = Int(entry.pair >> 32)
            if index > 0 && frequent[index - 1].pair >> 32 != entry.pair >> 32 { start = index }
            ranks[entry.pair] = UInt32(index - start)
            successors.append(UInt32(truncatingIfNeeded: entry.pair))
            offsets[predecessor + 1] += 1
        }
        for t in 0 ..< vocabCount { offsets[t + 1] += offsets[t] }
    }

    /// The model without lists: every code is `0 + t`, the token id itself.
    static func none(vocabCount: Int) -> SuccessorModel { SuccessorModel(counts: [:], vocabCount: vocabCount) }

    /// Bytes the lists take in the index (the offsets are written either way).
    var listBytes: Int { successors.count * MemoryLayout<UInt32>.size }

    /// Replaces `values` (one block) by their codes.
    func encode(_ values: UnsafeMutableBufferPointer<UInt32>) {
        guard var previous = values.first else { return }
        for i in 1 ..< values.count {
            let token = values[i]
            values[i] = ranks[UInt64(previous) << 32 | UInt64(token)]
                ?? (offsets[Int(previous) + 1] - offsets[Int(previous)] + token)
            previous = token
        }
    }
}

/// The model as read from a mapped index.
struct MappedSuccessorModel: @unchecked Sendable {
    // Points into the read-only mapping owned by MemscanIndex.
    let offsets: UnsafeBufferPointer<UInt32>
    let successors: UnsafeBufferPointer<UInt32>

    /// Decodes one block in place; false when the values are not codes this model makes.
    /// `fast` is a table of `fastRows` rows filled by `fillFastTable`, or nil.
    @inline(__always)
    func decode(_ values: UnsafeMutablePointer<UInt32>, count: Int, fast: UnsafePointer<UInt32>?, fastRows: Int) -> Bool {
        ms_successor_decode(values, count, offsets.baseAddress, successors.baseAddress,
                            UInt32(successors.count), vocabCount, fast, UInt32(fastRows)) == count
    }

    private var vocabCount: UInt32 { UInt32(offsets.count - 1) }

    /// Rows of the fast table: the most frequent tokens (ids are in descending frequency),
    /// at most 16,384 of them (1 MiB), so that it stays within the caches. None without
    /// lists: every code is then the id, decoded without the table.
    var fastRows: Int { successors.isEmpty ? 0 : min(offsets.count - 1, 1 << 14) }

    /// Fills `table` (`fastRows` x MS_FAST_RANKS entries) with what each small rank
    /// decodes to after each frequent token.
    func fillFastTable(_ table: UnsafeMutablePointer<UInt32>) {
        ms_successor_fast_table(table, UInt32(fastRows), offsets.baseAddress, successors.baseAddress,
                                UInt32(successors.count), vocabCount)
    }
}
