import CMemscanShims

/// Read access to a zstd-blocked UInt32 store inside the mapped index.
struct BlockStore: @unchecked Sendable {
    // Points into the read-only mapping owned by MemscanIndex.
    let offsets: UnsafeBufferPointer<UInt64>
    let data: UnsafeRawBufferPointer
    let geometry: BlockGeometry
    var blockTokens: Int { geometry.blockTokens }
    let totalValues: Int
    let name: String
    let path: String
    /// The token store's order-1 model; nil for plain varint blocks (positions).
    let model: MappedSuccessorModel?
    let dictionary: ZstdDecompressionDictionary?

    init(offsets: UnsafeBufferPointer<UInt64>, data: UnsafeRawBufferPointer, blockTokens: Int, totalValues: Int,
         name: String, path: String, model: MappedSuccessorModel?, dictionary: ZstdDecompressionDictionary?) {
        self.offsets = offsets
        self.data = data
        geometry = BlockGeometry(blockTokens: blockTokens)
        self.totalValues = totalValues
        self.name = name
        self.path = path
        self.model = model
        self.dictionary = dictionary
    }

    var blockCount: Int { offsets.count - 1 }

    @inline(__always)
    func block(of position: Int) -> Int { geometry.block(of: position) }

    func valueCount(ofBlock block: Int) -> Int { min(blockTokens, totalValues - block * blockTokens) }

    var scratchCapacity: Int { blockTokens * 5 }

    /// Decompresses block `block` into a new array (verification, tests).
    func decompress(_ block: Int) throws -> [UInt32] {
        try BlockDecoder(store: self, fastTable: false).decompress(block)
    }
}

/// Which block holds a position. The block is looked up for every verified occurrence
/// and near-count window: a shift (block sizes are powers of two unless built otherwise)
/// costs a cycle where a division costs dozens.
struct BlockGeometry: Sendable {
    let blockTokens: Int
    /// log2 of `blockTokens` when it is a power of two, else -1.
    private let shift: Int

    init(blockTokens: Int) {
        self.blockTokens = blockTokens
        shift = blockTokens > 0 && blockTokens & (blockTokens - 1) == 0 ? blockTokens.trailingZeroBitCount : -1
    }

    /// The block holding global position `position` (not negative).
    @inline(__always)
    func block(of position: Int) -> Int { shift >= 0 ? position >> shift : position / blockTokens }
}

/// A thread's access to decompressed blocks: the current block, and behind it the
/// `SharedBlockCache` of the index (token stores of up to 256 M tokens) or a cache of
/// its own (`PrivateBlockSlots`).
final class BlockCache {
    let store: BlockStore
    private let shared: SharedBlockCache?
    /// The shared cache's memory as plain pointers: prefetching through `shared` retained
    /// and released it every call (three times per near-count window).
    private let sharedLines: SharedBlockCache.Lines?
    private let own: PrivateBlockSlots?
    private let decoder: BlockDecoder
    /// The block most recently asked for, and where its values are.
    private(set) var currentBlock = -1
    private(set) var current: UnsafePointer<UInt32>

    init(store: BlockStore, shared: SharedBlockCache? = nil, capacityTokens: Int = 64 << 20) {
        self.store = store
        self.shared = shared
        sharedLines = shared?.lines
        own = shared == nil ? PrivateBlockSlots(store: store, capacityTokens: capacityTokens) : nil
        current = shared?.base ?? own!.base
        decoder = BlockDecoder(store: store)
    }

    /// Starts loading the cache line of `position` when its block is cached: the scan
    /// calls this some occurrences ahead of verifying them.
    @inline(__always)
    func prefetch(_ position: Int) {
        if let sharedLines { sharedLines.prefetch(position) } else { own!.prefetch(position) }
    }

    /// The values of the block holding `position`, and the global position of its first
    /// value. The pointer stays valid until the next call.
    @inline(__always)
    func block(containing position: Int) throws -> (start: Int, values: UnsafePointer<UInt32>, count: Int) {
        let block = store.block(of: position)
        if block != currentBlock { try load(block) }
        return (block * store.blockTokens, current, store.valueCount(ofBlock: block))
    }

    /// The value at global position `position`.
    @inline(__always)
    func value(at position: Int) throws -> UInt32 {
        let block = store.block(of: position)
        if block != currentBlock { try load(block) }
        return current[position - block * store.blockTokens]
    }

    /// The values at global positions `positions` where they lie, when they are one run in
    /// memory: inside one block, or in consecutive blocks of the shared cache (which keeps
    /// block i at slot i). Nil otherwise, and for an empty range. Valid until the next call.
    @inline(__always)
    func valuesInPlace(_ positions: Range<Int>) throws -> UnsafePointer<UInt32>? {
        guard !positions.isEmpty else { return nil }
        let first = try block(containing: positions.lowerBound)
        if positions.upperBound <= first.start + first.count { return first.values + (positions.lowerBound - first.start) }
        guard let sharedLines else { return nil }
        for block in store.block(of: first.start + first.count) ... store.block(of: positions.upperBound - 1) {
            _ = try sharedValues(of: block)
        }
        return sharedLines.slots + positions.lowerBound
    }

    /// Appends the values at global positions `positions` to `values`, a block at a time.
    func append(_ positions: Range<Int>, to values: inout [UInt32]) throws {
        var p = positions.lowerBound
        while p < positions.upperBound {
            let block = try self.block(containing: p)
            let n = min(positions.upperBound, block.start + block.count) - p
            values.append(contentsOf: UnsafeBufferPointer(start: block.values + (p - block.start), count: n))
            p += n
        }
    }

    private func load(_ block: Int) throws {
        currentBlock = -1
        current = try shared != nil ? sharedValues(of: block) : own!.values(of: block, decoder: decoder)
        currentBlock = block
    }

    /// A block of the shared cache. A ready block is taken through the plain pointers:
    /// calling into `shared` retained and released it, once per block change.
    @inline(__always)
    private func sharedValues(of block: Int) throws -> UnsafePointer<UInt32> {
        if let ready = sharedLines!.readyValues(of: block) { return ready }
        return try shared!.values(of: block, decoder: decoder)
    }
}

/// A thread's own cache of decompressed blocks, for token stores too large to share
/// whole. Verification keeps coming back to the same records (templates held by
/// hundreds of records are hit by many generations), so it is large, up to 64 M tokens
/// (256 MiB): fixed slots in one reservation, a direct block -> slot table, FIFO eviction.
final class PrivateBlockSlots {
    let store: BlockStore
    private let slots: UnsafeMutablePointer<UInt32>
    private let slotsAreMapped: Bool
    private let slotCount: Int
    private var slotOfBlock: [Int32]
    private var blockOfSlot: [Int32]
    private var nextSlot = 0

    var base: UnsafePointer<UInt32> { UnsafePointer(slots) }
    private var slotBytes: Int { slotCount * store.blockTokens * MemoryLayout<UInt32>.stride }

    init(store: BlockStore, capacityTokens: Int) {
        self.store = store
        slotCount = max(4, min(store.blockCount, capacityTokens / max(1, store.blockTokens)))
        let bytes = slotCount * store.blockTokens * MemoryLayout<UInt32>.stride
        let mapped = AnonymousMemory.map(bytes: bytes, hugePages: true)
        slotsAreMapped = mapped != nil
        slots = mapped?.bindMemory(to: UInt32.self, capacity: bytes / MemoryLayout<UInt32>.stride)
            ?? .allocate(capacity: slotCount * store.blockTokens)
        slotOfBlock = [Int32](repeating: -1, count: store.blockCount)
        blockOfSlot = [Int32](repeating: -1, count: slotCount)
    }

    deinit {
        if slotsAreMapped { AnonymousMemory.unmap(slots, bytes: slotBytes) } else { slots.deallocate() }
    }

    @inline(__always)
    func prefetch(_ position: Int) {
        // Positions come from postings not yet checked (a damaged index): only a hint.
        guard position >= 0 else { return }
        let block = store.block(of: position)
        guard block < slotOfBlock.count else { return }
        let slot = Int(slotOfBlock[block])
        if slot >= 0 { ms_prefetch(slots + slot * store.blockTokens + (position - block * store.blockTokens)) }
    }

    func values(of block: Int, decoder: BlockDecoder) throws -> UnsafePointer<UInt32> {
        let slot = Int(slotOfBlock[block])
        if slot >= 0 { return UnsafePointer(slots + slot * store.blockTokens) }
        let target = nextSlot
        nextSlot = nextSlot + 1 == slotCount ? 0 : nextSlot + 1
        let evicted = Int(blockOfSlot[target])
        if evicted >= 0 { slotOfBlock[evicted] = -1 }
        blockOfSlot[target] = -1
        let destination = slots + target * store.blockTokens
        try decoder.decompress(block, into: destination)
        slotOfBlock[block] = Int32(target)
        blockOfSlot[target] = Int32(block)
        return UnsafePointer(destination)
    }
}
