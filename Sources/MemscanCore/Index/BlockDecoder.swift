import CMemscanShims

/// One thread's means of decompressing the blocks of a store: the scratch bytes, a zstd
/// context (creating one per block allocated and cleared ~100 KB), and for the token
/// store the fast successor table. Decoding successor ranks is a chain through the
/// previous token; the table makes a small rank after a frequent token one load
/// instead of two dependent ones. Not thread-safe.
final class BlockDecoder {
    let scratch: UnsafeMutablePointer<UInt8>
    let context: OpaquePointer?
    /// `fastRows` rows of MS_FAST_RANKS tokens, or nil.
    let fastTable: UnsafePointer<UInt32>?
    let fastRows: Int

    /// - Parameter fastTable: false where a few blocks are decoded once (a one-off read
    ///   of a block, in verification or tests): the table costs 64 bytes per frequent token.
    init(store: BlockStore, fastTable: Bool = true) {
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
}
