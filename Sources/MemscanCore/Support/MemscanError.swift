/// Where a piece of input came from, for error messages: `file:line`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file name as given by the user (`-` or `<stdin>` for standard input).
    public var file: String
    /// 1-based line (JSONL, text, CSV row start) or record ordinal; 0 when not applicable.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// Every error memscan reports. `description` is the one line printed to the user;
/// it always names the file, line, field or index section at fault.
public enum MemscanError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Malformed or unusable input data (`file:line: message`). Exit code 2.
    case input(SourceLocation, String)
    /// An index file that cannot be used: truncated, corrupt, foreign or from a newer version.
    case index(path: String, String)
    /// Bad command-line usage or option values.
    case usage(String)
    /// Operating-system failures (open, read, write, rename).
    case io(path: String, String)

    public var description: String {
        switch self {
        case .input(let location, let message): return "\(location): \(message)"
        case .index(let path, let message): return "\(path): \(message)"
        case .usage(let message): return message
        case .io(let path, let message): return "\(path): \(message)"
        }
    }
}
