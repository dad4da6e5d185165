import CMemscanShims

/// Read access to a zstd-blocked UInt32 store inside the mapped index.
struct BlockStore: @unchecked Sendable {
    // Points into the read-only mapping owned by MemscanIndex.
    let offsets: UnsafeBufferPointer<UInt64>
    let data: UnsafeRawBufferPointer
    let blockTokens: Int
    let totalValues: Int
    let name: String
    let path: String

    var blockCount: Int { offsets.count - 1 }

    func valueCount(ofBlock block: Int) -> Int { min(blockTokens, totalValues - block * blockTokens) }

    /// Decompresses block `block` into a new array. `context` is a reusable
    /// decompression context (nil: a temporary one).
    func decompress(_ block: Int, context: OpaquePointer? = nil) throws -> [UInt32] {
        let start = Int(clamping: offsets[block]), end = Int(clamping: offsets[block + 1])
        guard start <= end, end <= data.count else {
            throw MemscanError.index(path: path, "corrupt index: block \(block) of section \(name) is out of range (run `memscan index verify`)")
        }
        let expected = valueCount(ofBlock: block)
        var produced = -1
        let values = [UInt32](unsafeUninitializedCapacity: expected) { buffer, count in
            produced = ms_zstd_decompress(context, buffer.baseAddress, expected * 4, data.baseAddress! + start, end - start)
            if produced == expected * 4 {
                count = expected
            } else {
                count = 0
            }
        }
        guard produced == expected * 4 else {
            throw MemscanError.index(path: path, "corrupt index: block \(block) of section \(name) does not decompress (run `memscan index verify`)")
        }
        return values
    }
}

/// A per-thread cache of decompressed blocks. Verification keeps coming back to
/// the same records (templates held by hundreds of records are hit by many
/// generations), so the cache is large (FIFO eviction, `capacityTokens` in all).
final class BlockCache {
    let store: BlockStore
    private let context: OpaquePointer?
    private var blocks: [Int: [UInt32]] = [:]
    private var ring: [Int]
    private var ringNext = 0
    private(set) var current: [UInt32] = []
    private(set) var currentBlock = -1
    private(set) var decompressions = 0

    init(store: BlockStore, capacityTokens: Int = 16 << 20) {
        self.store = store
        ring = [Int](repeating: -1, count: max(4, capacityTokens / max(1, store.blockTokens)))
        context = ZSTD_createDCtx()
    }

    deinit { ZSTD_freeDCtx(context) }

    /// The value at global position `position`.
    @inline(__always)
    func value(at position: Int) throws -> UInt32 {
        let block = position / store.blockTokens
        if block != currentBlock { try load(block) }
        return current[position - block * store.blockTokens]
    }

    private func load(_ block: Int) throws {
        if let cached = blocks[block] {
            current = cached
        } else {
            let values = try store.decompress(block, context: context)
            decompressions += 1
            let evicted = ring[ringNext]
            if evicted >= 0 { blocks[evicted] = nil }
            ring[ringNext] = block
            ringNext = ringNext + 1 == ring.count ? 0 : ringNext + 1
            blocks[block] = values
            current = values
        }
        currentBlock = block
    }
}
