import CMemscanShims

/// The token store: UInt32 values cut into blocks of `blockTokens`, each written as
/// LEB128 varints (of successor ranks when a model is given) and compressed into one
/// zstd frame with a content checksum, so a span can be verified by decompressing
/// only the blocks it touches. Blocks are read and compressed a batch at a time and
/// handed out in order, so the store never has to be in memory whole.
enum BlockCompressor {
    /// Largest dictionary: 64 KiB measured as well as 128 KiB on 10 M tokens and costs
    /// nothing per scan thread beyond one shared DDict.
    static let dictionaryCapacity = 64 << 10

    /// Compresses blocks `0 ..< blockCount`, whose values `read` returns, passing each
    /// frame to `emit` in block order. Returns the frame offsets and the dictionary
    /// (empty: none) trained on a sample when `trainDictionary` is set.
    static func compress(blockCount: Int, read: (Int) throws -> [UInt32], level: Int, threads: Int,
                         model: SuccessorModel?, trainDictionary: Bool, estimatedBytes: Int, path: String,
                         emit: (UnsafeRawBufferPointer) throws -> Void) throws -> (offsets: [UInt64], dictionary: [UInt8]) {
        let dictionary = trainDictionary
            ? try train(blockCount: blockCount, read: read, model: model, estimatedBytes: estimatedBytes) : []
        let sharedDictionary = ZstdCompressionDictionary(dictionary, level: level)
        if !dictionary.isEmpty && sharedDictionary.pointer == nil {
            throw MemscanError.io(path: path, "zstd dictionary preparation failed")
        }
        var offsets: [UInt64] = [0]
        offsets.reserveCapacity(blockCount + 1)
        let batch = max(64, threads * 64)
        for first in stride(from: 0, to: blockCount, by: batch) {
            let count = min(batch, blockCount - first)
            let inputs = try (first ..< first + count).map(read)
            let frames = ResultSlots<[UInt8]?>(count: count)
            parallelFor(count: count, threads: threads) { i in
                // A failed frame is a slot holding nil, not an empty slot.
                frames[i] = .some(frame(encode(inputs[i], model: model), level: level, dictionary: sharedDictionary.pointer))
            }
            for frame in frames.take() {
                guard let frame else { throw MemscanError.io(path: path, "zstd compression failed") }
                try frame.withUnsafeBytes { try emit($0) }
                offsets.append(offsets.last! + UInt64(frame.count))
            }
        }
        return (offsets, dictionary)
    }

    /// Blocks compressed both ways when choosing the model: evenly spaced, at most this many.
    static let modelSampleBlocks = 256

    /// `model`, or the model without lists when the store comes out smaller without it,
    /// its own bytes included, as judged on evenly spaced blocks compressed both ways. On
    /// codes with no sequential structure (Zipf-random ones) the lists took 0.16 bytes per
    /// token and saved nothing, and decoding through them waited on memory at every token.
    static func cheaper(_ model: SuccessorModel, vocabCount: Int, blockCount: Int, read: (Int) throws -> [UInt32],
                        level: Int, path: String) throws -> SuccessorModel {
        guard model.listBytes > 0, blockCount > 0 else { return model }
        let none = SuccessorModel.none(vocabCount: vocabCount)
        let sampled = min(blockCount, modelSampleBlocks)
        var withLists = 0, without = 0
        for s in 0 ..< sampled {
            let values = try read(s * blockCount / sampled)
            guard let coded = frame(encode(values, model: model), level: level, dictionary: nil),
                  let plain = frame(encode(values, model: none), level: level, dictionary: nil)
            else { throw MemscanError.io(path: path, "zstd compression failed") }
            withLists += coded.count
            without += plain.count
        }
        // Scaled to the whole store; the lists' bytes are paid once.
        let scale = Double(blockCount) / Double(sampled)
        return Double(without) * scale <= Double(withLists) * scale + Double(model.listBytes) ? none : model
    }

    /// `source` as one zstd frame (with the dictionary when there is one); nil when zstd fails.
    private static func frame(_ source: [UInt8], level: Int, dictionary: OpaquePointer?) -> [UInt8]? {
        var frame = [UInt8](repeating: 0, count: ms_zstd_bound(source.count))
        let size = frame.withUnsafeMutableBytes { out in
            source.withUnsafeBytes { ms_zstd_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, Int32(level), dictionary) }
        }
        guard size >= 0 else { return nil }
        frame.removeSubrange(size...)
        return frame
    }

    /// One block's varints (of successor codes when a model is given).
    private static func encode(_ values: [UInt32], model: SuccessorModel?) -> [UInt8] {
        var codes = values
        if let model { codes.withUnsafeMutableBufferPointer { model.encode($0) } }
        var bytes = [UInt8](repeating: 0, count: codes.count * 5)
        let size = codes.withUnsafeBufferPointer { codes in
            bytes.withUnsafeMutableBufferPointer { ms_varint_encode(codes.baseAddress, codes.count, $0.baseAddress) }
        }
        bytes.removeSubrange(size...)
        return bytes
    }

    /// A dictionary trained on evenly spaced blocks, about 25 x its size (zstd advises
    /// 100 x: on 10 M tokens that trained 6x slower for blocks 0.02% smaller); empty
    /// when the corpus is too small for one to pay off. `estimatedBytes` is the
    /// encoded size of all blocks (about a byte per token).
    private static func train(blockCount: Int, read: (Int) throws -> [UInt32], model: SuccessorModel?,
                              estimatedBytes: Int) throws -> [UInt8] {
        let capacity = min(dictionaryCapacity, estimatedBytes / 100)
        guard capacity >= 4096, blockCount >= 64 else { return [] }
        let sampleBlocks = max(1, 25 * capacity * blockCount / max(1, estimatedBytes))
        let stride = max(1, blockCount / sampleBlocks)
        var samples: [UInt8] = []
        var sizes: [Int] = []
        for block in Swift.stride(from: 0, to: blockCount, by: stride) {
            let bytes = encode(try read(block), model: model)
            samples.append(contentsOf: bytes)
            sizes.append(bytes.count)
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
