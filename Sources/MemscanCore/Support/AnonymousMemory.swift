#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zero-filled anonymous memory whose pages are only backed once touched, for the
/// decompressed token caches: reserving a whole corpus's worth costs nothing until
/// used. With `hugePages`, transparent huge pages are asked for where the kernel allows:
/// verification jumps between thousands of blocks per generation, and with 4 KiB pages
/// nearly every jump was a TLB miss as well as a cache miss.
enum AnonymousMemory {
    /// Nil when the kernel refuses the mapping.
    static func map(bytes: Int, hugePages: Bool) -> UnsafeMutableRawPointer? {
        guard bytes > 0, let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else { return nil }
        if hugePages { _ = madvise(memory, bytes, 14 /* MADV_HUGEPAGE */) }
        return memory
    }

    static func unmap(_ memory: UnsafeMutableRawPointer, bytes: Int) { munmap(memory, bytes) }
}
