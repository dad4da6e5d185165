#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMemscanShims

/// Writes a file atomically: a temporary file (mode 0600) in the destination's
/// folder, fsync, rename over the destination, fsync of the folder. A crash or
/// error leaves either the old file or none, never a partial index.
final class AtomicFileWriter {
    let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private(set) var offset: Int = 0
    private var committed = false

    init(path: String) throws {
        self.path = path
        let directory = AtomicFileWriter.directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw MemscanError.io(path: path, "cannot create temporary file in \(directory): \(errnoText())") }
        descriptor = fd
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkstemp already uses 0600; make it explicit in case of an unusual umask.
        fchmod(fd, 0o600)
    }

    deinit {
        if let sectionHash { ms_xxh3_stream_free(sectionHash) }
        if !committed {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try writeAll(descriptor, bytes, path: path)
        offset += bytes.count
        if let sectionHash { ms_xxh3_stream_update(sectionHash, bytes.baseAddress, bytes.count) }
    }

    /// The section being written in pieces: its start and running checksum.
    private var sectionStart = 0
    private var sectionHash: UnsafeMutableRawPointer? = nil

    /// Starts a section at the next 64-byte boundary; every write until `endSection`
    /// belongs to it.
    func beginSection() throws {
        precondition(sectionHash == nil, "sections do not nest")
        try pad(to: IndexFormat.alignment)
        sectionStart = offset
        guard let state = ms_xxh3_stream_new() else { throw MemscanError.io(path: path, "out of memory") }
        sectionHash = state
    }

    /// Ends the section: its offset, length and XXH3 checksum.
    func endSection() -> (offset: Int, length: Int, checksum: UInt64) {
        let state = sectionHash!
        sectionHash = nil
        defer { ms_xxh3_stream_free(state) }
        return (sectionStart, offset - sectionStart, ms_xxh3_stream_digest(state))
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func pad(to alignment: Int) throws {
        let rest = (alignment - offset % alignment) % alignment
        if rest > 0 { try write([UInt8](repeating: 0, count: rest)) }
    }

    /// Overwrites bytes at `position` (used for the header, written last).
    func write(_ bytes: [UInt8], at position: Int) throws {
        let n = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(position)) }
        guard n == bytes.count else { throw MemscanError.io(path: path, "write failed: \(errnoText())") }
    }

    func commit() throws {
        guard fsync(descriptor) == 0 else { throw MemscanError.io(path: path, "fsync failed: \(errnoText())") }
        close(descriptor)
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            committed = true
            throw MemscanError.io(path: path, "cannot rename temporary file into place: \(errnoText())")
        }
        committed = true
        let dir = open(AtomicFileWriter.directory(of: path), O_RDONLY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// write(2) until every byte is out, retrying on EINTR; errors name `path`.
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    var done = 0
    while done < bytes.count {
        let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            throw MemscanError.io(path: path, "write failed: \(errnoText())")
        }
        done += n
    }
}
