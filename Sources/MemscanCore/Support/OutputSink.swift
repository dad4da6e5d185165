#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where spans go: a file or standard output. Streamed rather than written
/// atomically, so that a pipeline downstream sees results as they are produced.
public final class OutputSink {
    public let name: String
    private let descriptor: Int32
    private let owned: Bool

    /// `path` nil or "-" writes to standard output.
    public init(path: String?) throws {
        if let path, path != "-" {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw MemscanError.io(path: path, "cannot create: \(errnoText())") }
            descriptor = fd
            owned = true
            name = path
        } else {
            descriptor = 1
            owned = false
            name = "<stdout>"
        }
    }

    deinit { if owned { close(descriptor) } }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll(descriptor, $0, path: name) }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }
}

/// Writes a whole small file atomically (summaries, reports).
public func writeFileAtomically(_ text: String, to path: String) throws {
    let writer = try AtomicFileWriter(path: path)
    try writer.write(Array(text.utf8))
    try writer.commit()
}

/// Standard error, for progress lines and messages.
public enum StandardError {
    public static var isTerminal: Bool { isatty(2) != 0 }
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
    }
}
