import Foundation

/// A stream of (already decompressed) input bytes.
///
/// Readers pull large chunks and split lines themselves, so that a file of any size is
/// read in bounded memory and compressed input needs no temporary file.
protocol InputByteSource: AnyObject {
    /// Fills `buffer` with up to `capacity` bytes. Returns 0 only at the end of the data.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
    /// Releases the descriptor early; also done on deinit.
    func close()
}

/// How input sources are opened: by suffix and by magic bytes, so that a compressed
/// stream piped into stdin is decompressed as transparently as a `.gz` / `.zst` file.
enum InputSourceOpener {
    /// Read size of the raw file (compressed or not).
    static let chunkSize = 1 << 20

    /// Opens `path` (or stdin for "-"). `displayName` is the name used in messages.
    static func open(path: String, displayName: String) throws -> InputByteSource {
        let raw: FileDescriptorSource
        if path == "-" {
            raw = FileDescriptorSource(descriptor: 0, closesDescriptor: false, displayName: displayName)
        } else {
            raw = try FileDescriptorSource(path: path, displayName: displayName)
        }
        return try decompressing(raw, path: path, displayName: displayName)
    }

    /// Puts a decompressor in front of `raw` when its first bytes or the suffix of `path`
    /// say it is compressed.
    static func decompressing(_ raw: InputByteSource, path: String, displayName: String) throws -> InputByteSource {
        // Sniff the first bytes, then hand them back in front of the rest of the stream.
        var magic = [UInt8](repeating: 0, count: 4)
        var have = 0
        while have < magic.count {
            let n = try magic.withUnsafeMutableBufferPointer {
                try raw.read(into: $0.baseAddress! + have, capacity: $0.count - have)
            }
            if n == 0 { break }
            have += n
        }
        magic.removeSubrange(have...)
        let source = PrefixedSource(prefix: magic, rest: raw)

        let name = path.lowercased()
        let gzipMagic = magic.count >= 2 && magic[0] == 0x1F && magic[1] == 0x8B
        let zstdMagic = magic.count >= 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD
        if zstdMagic || (name.hasSuffix(".zst") && !gzipMagic) {
            return try ZstdSource(compressed: source, displayName: displayName)
        }
        if gzipMagic || name.hasSuffix(".gz") {
            return try GzipSource(compressed: source, displayName: displayName)
        }
        return source
    }

    /// The name with a compression suffix removed, for format inference and ids.
    static func stripCompressionSuffix(_ name: String) -> String {
        let lower = name.lowercased()
        if lower.hasSuffix(".gz") { return String(name.dropLast(3)) }
        if lower.hasSuffix(".zst") { return String(name.dropLast(4)) }
        return name
    }
}

func inputErrnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

/// Plain reads from a file descriptor (a file, a pipe or stdin).
final class FileDescriptorSource: InputByteSource {
    private var descriptor: Int32
    private let closesDescriptor: Bool
    private let displayName: String

    init(descriptor: Int32, closesDescriptor: Bool, displayName: String) {
        self.descriptor = descriptor
        self.closesDescriptor = closesDescriptor
        self.displayName = displayName
    }

    convenience init(path: String, displayName: String) throws {
        let fd = posixOpen(path)
        guard fd >= 0 else {
            throw MemscanError.io(path: displayName, "cannot open: \(inputErrnoText())")
        }
        self.init(descriptor: fd, closesDescriptor: true, displayName: displayName)
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard descriptor >= 0 else { return 0 }
        while true {
            let n = posixRead(descriptor, buffer, capacity)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            throw MemscanError.io(path: displayName, "read failed: \(inputErrnoText(code))")
        }
    }

    func close() {
        if closesDescriptor && descriptor >= 0 { _ = posixClose(descriptor) }
        descriptor = -1
    }

    deinit { close() }
}

// Free functions: inside the class, `read` / `close` would resolve to the methods.
private func posixOpen(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    read(fd, buffer, count)
}
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// Replays the sniffed magic bytes before the rest of the stream.
final class PrefixedSource: InputByteSource {
    private var prefix: [UInt8]
    private var prefixOffset = 0
    private let rest: InputByteSource

    init(prefix: [UInt8], rest: InputByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if prefixOffset < prefix.count {
            let n = min(capacity, prefix.count - prefixOffset)
            prefix.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + prefixOffset, count: n) }
            prefixOffset += n
            return n
        }
        return try rest.read(into: buffer, capacity: capacity)
    }

    func close() { rest.close() }
}
