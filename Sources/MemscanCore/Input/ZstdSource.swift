import CMemscanShims

/// Streaming zstd decompression (any number of frames, skippable frames included).
///
/// The input may only end where a frame ends: a truncated file is an error.
final class ZstdSource: InputByteSource {
    private let compressed: InputByteSource
    private let displayName: String
    private let context: OpaquePointer
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = InputSourceOpener.chunkSize
    private var inputSize = 0
    private var inputPosition = 0
    private var inputEnded = false
    // Starts false so that an empty `.zst` file counts as truncated.
    private var frameComplete = false
    private var finished = false

    init(compressed: InputByteSource, displayName: String) throws {
        self.compressed = compressed
        self.displayName = displayName
        guard let context = ZSTD_createDStream() else {
            throw MemscanError.io(path: displayName, "cannot initialize zstd decompression")
        }
        self.context = context
        input = .allocate(capacity: inputCapacity)
    }

    deinit {
        ZSTD_freeDStream(context)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if finished || capacity == 0 { return 0 }
        var output = ZSTD_outBuffer(dst: buffer, size: capacity, pos: 0)
        while true {
            if inputPosition == inputSize && !inputEnded {
                let n = try compressed.read(into: input, capacity: inputCapacity)
                if n == 0 { inputEnded = true }
                inputSize = n
                inputPosition = 0
            }
            // A finished decoder asked again would report a missing frame header.
            if inputPosition == inputSize && inputEnded && frameComplete {
                finished = true
                return 0
            }
            var inBuffer = ZSTD_inBuffer(src: input, size: inputSize, pos: inputPosition)
            let rc = ZSTD_decompressStream(context, &output, &inBuffer)
            inputPosition = inBuffer.pos
            if ZSTD_isError(rc) != 0 {
                let name = String(cString: ZSTD_getErrorName(rc))
                throw MemscanError.input(SourceLocation(file: displayName, line: 0), "corrupt zstd data: \(name)")
            }
            // 0 means a frame was completed and fully flushed.
            frameComplete = rc == 0
            if output.pos > 0 { return output.pos }
            if inputPosition == inputSize && inputEnded && !frameComplete {
                throw MemscanError.input(SourceLocation(file: displayName, line: 0),
                                         "truncated zstd data (unexpected end of file)")
            }
        }
    }

    func close() { compressed.close() }
}
