import CMemscanShims

/// The token store: UInt32 values cut into blocks of `blockTokens`, each written as
/// LEB128 varints and compressed into one zstd frame with a content checksum, so a
/// span can be verified by decompressing only the blocks it touches.
struct CompressedBlocks {
    var offsets: [UInt64]
    var data: [UInt8]
}

enum BlockCompressor {
    static func compress(_ values: [UInt32], blockTokens: Int, level: Int, threads: Int, path: String) throws -> CompressedBlocks {
        let blockCount = (values.count + blockTokens - 1) / blockTokens
        let slots = ResultSlots<[UInt8]>(count: blockCount)
        let failed = Box(Mutex<Bool>(false))
        parallelFor(count: blockCount, threads: threads) { block in
            let start = block * blockTokens, end = min(values.count, start + blockTokens)
            var encoded = [UInt8](repeating: 0, count: (end - start) * 5)
            let encodedSize = values.withUnsafeBufferPointer { all in
                encoded.withUnsafeMutableBufferPointer { out in
                    ms_varint_encode(all.baseAddress! + start, end - start, out.baseAddress)
                }
            }
            encoded.withUnsafeBytes { all in
                let source = UnsafeRawBufferPointer(rebasing: all[0 ..< encodedSize])
                var frame = [UInt8](repeating: 0, count: ms_zstd_bound(source.count))
                let size = frame.withUnsafeMutableBytes {
                    ms_zstd_compress($0.baseAddress, $0.count, source.baseAddress, source.count, Int32(level))
                }
                if size < 0 {
                    failed.value.withLock { $0 = true }
                    frame = []
                } else {
                    frame.removeSubrange(size...)
                }
                slots[block] = frame
            }
        }
        if failed.value.withLock({ $0 }) { throw MemscanError.io(path: path, "zstd compression failed") }
        var offsets: [UInt64] = [0]
        var data: [UInt8] = []
        for frame in slots.take() {
            data.append(contentsOf: frame)
            offsets.append(UInt64(data.count))
        }
        return CompressedBlocks(offsets: offsets, data: data)
    }
}

import Synchronization
