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
    private var ranks: DiagonalMap

    /// Pairs seen once rarely repeat inside a block, so they are left to the escape code.
    static let minimumCount: UInt32 = 2

    /// Counts of adjacent token pairs inside blocks of `blockTokens` (a block's first
    /// token has no predecessor), fed a chunk of the stream at a time.
    struct PairCounter {
        let blockTokens: Int
        var counts = PairCounts()
        private var previous: UInt32? = nil
        private var position = 0

        init(blockTokens: Int) { self.blockTokens = blockTokens }

        /// Adds the next `chunk` of the stream.
        mutating func add(_ chunk: [UInt32]) {
            for token in chunk {
                if position % blockTokens != 0, let previous { counts.increment(PairCounts.pair(previous, token)) }
                previous = token
                position += 1
            }
        }
    }

    /// (predecessor << 32 | token) -> count, open addressing with linear probing. Swift's
    /// Dictionary (SipHash per token) was a sixth of an index build. Keys and counts are
    /// kept in two arrays, 12 bytes a slot at most 3/4 full, because a corpus without
    /// order-1 structure has millions of distinct pairs.
    struct PairCounts {
        /// pair + 1 (ids are below 2^31, so it never wraps); 0 is an empty slot.
        private var keys = [UInt64](repeating: 0, count: 1 << 12)
        private var values = [UInt32](repeating: 0, count: 1 << 12)
        private(set) var count = 0

        @inline(__always)
        static func pair(_ predecessor: UInt32, _ token: UInt32) -> UInt64 { UInt64(predecessor) << 32 | UInt64(token) }

        @inline(__always)
        mutating func increment(_ pair: UInt64) {
            if (count + 1) * 4 > keys.count * 3 { grow() }
            let key = pair &+ 1, slot = slot(for: key)
            if keys[slot] == key {
                values[slot] &+= 1
            } else {
                keys[slot] = key
                values[slot] = 1
                count += 1
            }
        }

        /// Every (pair, count), in slot order.
        func forEach(_ body: (UInt64, UInt32) -> Void) {
            for slot in keys.indices where keys[slot] != 0 { body(keys[slot] &- 1, values[slot]) }
        }

        /// The slot holding `key`, or the empty slot where it goes.
        @inline(__always)
        private func slot(for key: UInt64) -> Int {
            let mask = keys.count - 1
            var slot = Int(truncatingIfNeeded: ms_fmix64(key)) & mask
            while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
            return slot
        }

        private mutating func grow() {
            let oldKeys = keys, oldValues = values
            keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
            values = [UInt32](repeating: 0, count: oldKeys.count * 2)
            for i in oldKeys.indices where oldKeys[i] != 0 {
                let slot = slot(for: oldKeys[i])
                keys[slot] = oldKeys[i]
                values[slot] = oldValues[i]
            }
        }
    }

    init(counts: PairCounts, vocabCount: Int) {
        var frequent: [(pair: UInt64, count: UInt32)] = []
        counts.forEach { pair, count in
            if count >= Self.minimumCount { frequent.append((pair, count)) }
        }
        frequent.sort { $0.pair >> 32 != $1.pair >> 32 ? $0.pair < $1.pair : $0.count != $1.count ? $0.count > $1.count : $0.pair < $1.pair }
        offsets = [UInt32](repeating: 0, count: vocabCount + 1)
        successors = []
        successors.reserveCapacity(frequent.count)
        ranks = DiagonalMap(capacity: frequent.count)
        var start = 0
        for (index, entry) in frequent.enumerated() {
            let predecessor = Int(entry.pair >> 32)
            if index > 0 && frequent[index - 1].pair >> 32 != entry.pair >> 32 { start = index }
            ranks.set(Int(bitPattern: UInt(entry.pair)), index - start)
            successors.append(UInt32(truncatingIfNeeded: entry.pair))
            offsets[predecessor + 1] += 1
        }
        for t in 0 ..< vocabCount { offsets[t + 1] += offsets[t] }
    }

    /// The model without lists: every code is `0 + t`, the token id itself.
    static func none(vocabCount: Int) -> SuccessorModel { SuccessorModel(counts: PairCounts(), vocabCount: vocabCount) }

    /// Bytes the lists take in the index (the offsets are written either way).
    var listBytes: Int { successors.count * MemoryLayout<UInt32>.size }

    /// Replaces `values` (one block) by their codes.
    func encode(_ values: UnsafeMutableBufferPointer<UInt32>) {
        guard var previous = values.first else { return }
        for i in 1 ..< values.count {
            let token = values[i]
            values[i] = ranks.value(for: Int(bitPattern: UInt(PairCounts.pair(previous, token)))).map { UInt32(truncatingIfNeeded: $0) }
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
