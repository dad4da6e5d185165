#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous temporary file for data that does not fit the build's memory limit:
/// created 0600 and unlinked at once, so it holds patient-derived data only while
/// the build runs and disappears even if the process dies.
final class SpillFile {
    private let descriptor: Int32
    private let directory: String
    private(set) var size = 0

    init(directory: String) throws {
        self.directory = directory
        var template = Array("\(directory)/.memscan-spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw MemscanError.io(path: directory, "cannot create a temporary file: \(errnoText())") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try writeAll(descriptor, bytes, path: directory)
        size += bytes.count
    }

    /// Reads exactly `buffer.count` bytes at `offset`.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw MemscanError.io(path: directory, "cannot read a temporary file: \(errnoText())") }
            done += n
        }
    }

    /// The directory for spill files: $TMPDIR, else /tmp.
    static var defaultDirectory: String {
        if let dir = getenv("TMPDIR"), dir.pointee != 0 { return String(cString: dir) }
        return "/tmp"
    }
}
