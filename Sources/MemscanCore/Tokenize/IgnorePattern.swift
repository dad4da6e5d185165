#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--ignore REGEX` (§2): a POSIX extended regular expression searched for in a token's bytes,
/// as `grep -E` would (`^TIME//` anchors at the start of the token). Matching is byte-wise:
/// the process never calls `setlocale`, so the C locale applies and `.` matches one byte.
///
/// `@unchecked Sendable`: after `regcomp` the compiled pattern is only read, and `regexec` is
/// thread-safe on glibc and Darwin. glibc serializes concurrent `regexec` calls on one pattern
/// with an internal lock, so callers on hot multi-threaded paths should cache decisions per
/// distinct token rather than match every occurrence.
public final class IgnorePattern: @unchecked Sendable {
    public let source: String
    private let regex: UnsafeMutablePointer<regex_t>

    public init(_ regex: String) throws {
        if regex.utf8.contains(0) {
            throw MemscanError.usage("--ignore: invalid regular expression '\(regex)': it contains a NUL character")
        }
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let status = regcomp(compiled, regex, REG_EXTENDED | REG_NOSUB)
        if status != 0 {
            var message = [CChar](repeating: 0, count: 512)
            regerror(status, compiled, &message, message.count)
            compiled.deallocate()  // regcomp frees its own partial state on failure
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw MemscanError.usage("--ignore: invalid regular expression '\(regex)': \(text)")
        }
        self.source = regex
        self.regex = compiled
    }

    /// Whether the pattern occurs in `token`. The bytes need no NUL terminator and may contain
    /// NULs: REG_STARTEND bounds the search by `rm_so`/`rm_eo` instead of `strlen`.
    public func matches(_ token: UnsafeRawBufferPointer) -> Bool {
        var range = regmatch_t()
        range.rm_so = 0
        range.rm_eo = regoff_t(token.count)
        // regexec wants a non-null pointer even for an empty token.
        let empty: CChar = 0
        if let base = token.baseAddress, token.count > 0 {
            return regexec(regex, base.assumingMemoryBound(to: CChar.self), 1, &range, REG_STARTEND) == 0
        }
        return withUnsafePointer(to: empty) { regexec(regex, $0, 1, &range, REG_STARTEND) == 0 }
    }

    deinit {
        regfree(regex)
        regex.deallocate()
    }
}
