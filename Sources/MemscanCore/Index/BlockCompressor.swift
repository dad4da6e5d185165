import CMemscanShims
import Synchronization

/// The token store: UInt32 values cut into blocks of `blockTokens`, each written as
/// LEB128 varints (of successor ranks when a model is given) and compressed into one
/// zstd frame with a content checksum, so a span can be verified by decompressing
/// only the blocks it touches.
struct CompressedBlocks {
    var offsets: [UInt64]
    var data: [UInt8]
    /// The zstd dictionary every frame was compressed with (empty: none).
    var dictionary: [UInt8]
}

enum BlockCompressor {
    /// Largest dictionary: 64 KiB measured as well as 128 KiB on 10 M tokens and costs
    /// nothing per scan thread beyond one shared DDict.
    static let dictionaryCapacity = 64 << 10

    static func compress(_ values: [UInt32], blockTokens: Int, level: Int, threads: Int, model: SuccessorModel?,
                         trainDictionary: Bool, path: String) throws -> CompressedBlocks {
        let blockCount = (values.count + blockTokens - 1) / blockTokens
        let encoded = ResultSlots<[UInt8]>(count: blockCount)
        parallelFor(count: blockCount, threads: threads) { block in
            let start = block * blockTokens, end = min(values.count, start + blockTokens)
            var codes = Array(values[start ..< end])
            if let model { codes.withUnsafeMutableBufferPointer { model.encode($0) } }
            var bytes = [UInt8](repeating: 0, count: codes.count * 5)
            let size = codes.withUnsafeBufferPointer { codes in
                bytes.withUnsafeMutableBufferPointer { ms_varint_encode(codes.baseAddress, codes.count, $0.baseAddress) }
            }
            bytes.removeSubrange(size...)
            encoded[block] = bytes
        }
        let blocks = encoded.take()
        let dictionary = trainDictionary ? train(on: blocks) : []
        let sharedDictionary = ZstdCompressionDictionary(dictionary, level: level)
        if !dictionary.isEmpty && sharedDictionary.pointer == nil {
            throw MemscanError.io(path: path, "zstd dictionary preparation failed")
        }

        let frames = ResultSlots<[UInt8]>(count: blockCount)
        let failed = Box(Mutex<Bool>(false))
        parallelFor(count: blockCount, threads: threads) { block in
            let source = blocks[block]
            var frame = [UInt8](repeating: 0, count: ms_zstd_bound(source.count))
            let size = frame.withUnsafeMutableBytes { out in
                source.withUnsafeBytes {
                    ms_zstd_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, Int32(level), sharedDictionary.pointer)
                }
            }
            if size < 0 {
                failed.value.withLock { $0 = true }
                frame = []
            } else {
                frame.removeSubrange(size...)
            }
            frames[block] = frame
        }
        if failed.value.withLock({ $0 }) { throw MemscanError.io(path: path, "zstd compression failed") }
        var offsets: [UInt64] = [0]
        var data: [UInt8] = []
        for frame in frames.take() {
            data.append(contentsOf: frame)
            offsets.append(UInt64(data.count))
        }
        return CompressedBlocks(offsets: offsets, data: data, dictionary: dictionary)
    }

    /// A dictionary trained on evenly spaced blocks, about 25 x its size (zstd advises
    /// 100 x: on 10 M tokens that trained 6x slower for blocks 0.02% smaller); empty
    /// when the corpus is too small for one to pay off.
    private static func train(on blocks: [[UInt8]]) -> [UInt8] {
        let total = blocks.reduce(0) { $0 + $1.count }
        let capacity = min(dictionaryCapacity, total / 100)
        guard capacity >= 4096, blocks.count >= 64 else { return [] }
        let stride = max(1, total / (capacity * 25))
        var samples: [UInt8] = []
        var sizes: [Int] = []
        for block in Swift.stride(from: 0, to: blocks.count, by: stride) {
            samples.append(contentsOf: blocks[block])
            sizes.append(blocks[block].count)
        }
        var dictionary = [UInt8](repeating: 0, count: capacity)
        let size = dictionary.withUnsafeMutableBytes { out in
            samples.withUnsafeBytes { sampleBytes in
                sizes.withUnsafeBufferPointer {
                    ms_zstd_train_dictionary(out.baseAddress, out.count, sampleBytes.baseAddress, $0.baseAddress, UInt32($0.count))
                }
            }
        }
        // Training fails on samples with too little repetition; plain frames are then as good.
        guard size > 0 else { return [] }
        dictionary.removeSubrange(size...)
        return dictionary
    }
}

/// A zstd dictionary prepared for compression, shared read-only by the compressing threads.
final class ZstdCompressionDictionary: @unchecked Sendable {
    let pointer: OpaquePointer?

    init(_ bytes: [UInt8], level: Int) {
        pointer = bytes.isEmpty ? nil : bytes.withUnsafeBytes { ZSTD_createCDict($0.baseAddress, $0.count, Int32(level)) }
    }

    deinit { ZSTD_freeCDict(pointer) }
}
