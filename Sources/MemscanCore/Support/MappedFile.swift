#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file. Opening costs O(1): pages are
/// brought in by the kernel on first touch.
public final class MappedFile: @unchecked Sendable {
    // Immutable after init and never written through: safe to share between threads.
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MemscanError.io(path: path, "cannot open: \(errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MemscanError.io(path: path, "cannot stat: \(errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw MemscanError.io(path: path, "not a regular file") }
        let size = Int(info.st_size)
        mappedLength = size
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw MemscanError.io(path: path, "cannot map: \(errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if mappedLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }

    /// Tells the kernel the mapping will be accessed at random (no read-ahead).
    public func adviseRandom() {
        if mappedLength > 0, let base = bytes.baseAddress {
            madvise(UnsafeMutableRawPointer(mutating: base), mappedLength, MADV_RANDOM)
        }
    }
}
