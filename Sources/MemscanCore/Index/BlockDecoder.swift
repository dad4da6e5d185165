import CMemscanShims

/// One thread's means of decompressing the blocks of a store: the scratch bytes, a zstd
/// context (creating one per block allocated and cleared ~100 KB), and for the token
/// store the fast successor table. Decoding successor ranks is a chain through the
/// previous token; the table makes a small rank after a frequent token one load
/// instead of two dependent ones. Not thread-safe.
final class BlockDecoder {
    let store: BlockStore
    private let scratch: UnsafeMutablePointer<UInt8>
    private let context: OpaquePointer?
    /// `fastRows` rows of MS_FAST_RANKS tokens, or nil.
    private let fastTable: UnsafePointer<UInt32>?
    private let fastRows: Int

    /// - Parameter fastTable: false where a block or two is decoded once (verification of
    ///   one block, tests): the table costs 64 bytes per frequent token to build.
    init(store: BlockStore, fastTable: Bool = true) {
        self.store = store
        scratch = .allocate(capacity: store.scratchCapacity)
        context = ZSTD_createDCtx()
        if fastTable, let model = store.model, model.fastRows > 0 {
            let table = UnsafeMutablePointer<UInt32>.allocate(capacity: model.fastRows * Int(MS_FAST_RANKS))
            model.fillFastTable(table)
            self.fastTable = UnsafePointer(table)
            fastRows = model.fastRows
        } else {
            self.fastTable = nil
            fastRows = 0
        }
    }

    deinit {
        ZSTD_freeDCtx(context)
        scratch.deallocate()
        fastTable?.deallocate()
    }

    /// Decompresses block `block` of the store into `destination` (room for
    /// `blockTokens` values).
    func decompress(_ block: Int, into destination: UnsafeMutablePointer<UInt32>) throws {
        let start = Int(clamping: store.offsets[block]), end = Int(clamping: store.offsets[block + 1])
        guard start <= end, end <= store.data.count else {
            throw MemscanError.index(path: store.path, "corrupt index: block \(block) of section \(store.name) is out of range (run `memscan index verify`)")
        }
        let expected = store.valueCount(ofBlock: block)
        let bytes = ms_zstd_decompress(context, scratch, store.scratchCapacity, store.data.baseAddress! + start, end - start,
                                       store.dictionary?.pointer)
        guard bytes >= 0, ms_varint_decode(scratch, bytes, destination, expected) == expected,
              store.model?.decode(destination, count: expected, fast: fastTable, fastRows: fastRows) ?? true
        else {
            throw MemscanError.index(path: store.path, "corrupt index: block \(block) of section \(store.name) does not decompress (run `memscan index verify`)")
        }
    }

    /// Decompresses block `block` into a new array.
    func decompress(_ block: Int) throws -> [UInt32] {
        let expected = store.valueCount(ofBlock: block)
        var failure: Error? = nil
        let values = [UInt32](unsafeUninitializedCapacity: expected) { buffer, count in
            do {
                try decompress(block, into: buffer.baseAddress!)
                count = expected
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return values
    }
}
