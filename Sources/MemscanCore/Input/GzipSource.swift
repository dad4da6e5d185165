import CMemscanShims

/// Streaming gzip (and zlib) decompression.
///
/// Concatenated gzip members (`cat a.gz b.gz`, pigz, bgzip) are all read. The end of the
/// input is accepted only at a member boundary: a truncated file is an error, never a
/// silently shortened input.
final class GzipSource: InputByteSource {
    private let compressed: InputByteSource
    private let displayName: String
    // zlib keeps a back-pointer to its z_stream and checks it on every call, so the
    // stream must live at a stable address, not in a Swift stored property.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = InputSourceOpener.chunkSize
    private var inputEnded = false
    private var atMemberEnd = false
    private var finished = false
    private var initialized = false

    init(compressed: InputByteSource, displayName: String) throws {
        self.compressed = compressed
        self.displayName = displayName
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: inputCapacity)
        // 15 + 32: maximum window, and detect a gzip or zlib header automatically.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            throw MemscanError.io(path: displayName, "cannot initialize gzip decompression (zlib error \(rc))")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if finished || capacity == 0 { return 0 }
        let wanted = UInt32(clamping: capacity)
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = wanted
        while true {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let n = try compressed.read(into: input, capacity: inputCapacity)
                if n == 0 {
                    inputEnded = true
                } else {
                    stream.pointee.next_in = input
                    stream.pointee.avail_in = UInt32(n)
                }
            }
            if atMemberEnd {
                if stream.pointee.avail_in == 0 {
                    finished = true
                    return 0
                }
                // More bytes after a complete member: the next member of a multi-member file.
                inflateReset(stream)
                atMemberEnd = false
            }
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                atMemberEnd = true
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw MemscanError.input(SourceLocation(file: displayName, line: 0),
                                         "corrupt gzip data: \(detail)")
            }
            let produced = Int(wanted - stream.pointee.avail_out)
            if produced > 0 { return produced }
            if !atMemberEnd && stream.pointee.avail_in == 0 && inputEnded {
                throw MemscanError.input(SourceLocation(file: displayName, line: 0),
                                         "truncated gzip data (unexpected end of file)")
            }
        }
    }

    func close() { compressed.close() }
}
