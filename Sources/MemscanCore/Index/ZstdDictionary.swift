import CMemscanShims

/// A zstd dictionary prepared for compression, shared read-only by the compressing threads.
final class ZstdCompressionDictionary: @unchecked Sendable {
    let pointer: OpaquePointer?

    init(_ bytes: [UInt8], level: Int) {
        pointer = bytes.isEmpty ? nil : bytes.withUnsafeBytes { ZSTD_createCDict($0.baseAddress, $0.count, Int32(level)) }
    }

    deinit { ZSTD_freeCDict(pointer) }
}

/// A zstd dictionary prepared for decompression, shared by every thread (zstd
/// documents a DDict as read-only once created).
final class ZstdDecompressionDictionary: @unchecked Sendable {
    let pointer: OpaquePointer

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, let pointer = ZSTD_createDDict(bytes.baseAddress, bytes.count) else { return nil }
        self.pointer = pointer
    }

    deinit { ZSTD_freeDDict(pointer) }
}
