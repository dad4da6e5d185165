/// Turns one line into one record (JSONL, plain text).
protocol LineRecordParser {
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) -> RecordOutcome
}

/// Reads a line-per-record format: each line is parsed on its own, so a malformed line
/// is reported and skipped without disturbing the next.
final class LineRecordReader<Parser: LineRecordParser>: FormatReader {
    private let lines: LineReader
    private var parser: Parser
    private let sink: InputErrorSink

    init(lines: LineReader, parser: Parser, sink: InputErrorSink) {
        self.lines = lines
        self.parser = parser
        self.sink = sink
    }

    var bytesRead: Int { lines.bytesConsumed }

    func next() throws -> InputRecord? {
        while let line = try lines.nextLine() {
            let lineNumber = lines.lineNumber
            switch parser.parse(line, lineNumber: lineNumber) {
            case .record(let record):
                return record
            case .blank:
                continue
            case .malformed(let message):
                try sink.report(SourceLocation(file: lines.displayName, line: lineNumber), message)
            }
        }
        return nil
    }

    func close() { lines.close() }

    /// Copies up to `maxLines` raw lines (or about `maxBytes`) for parsing elsewhere.
    func nextRawLines(maxLines: Int, maxBytes: Int) throws -> (bytes: [UInt8], lineStarts: [Int], lineNumbers: [Int])? {
        var bytes: [UInt8] = []
        var lineStarts = [0]
        var lineNumbers: [Int] = []
        bytes.reserveCapacity(min(maxBytes, 1 << 22))
        while lineNumbers.count < maxLines && bytes.count < maxBytes, let line = try lines.nextLine() {
            bytes.append(contentsOf: line)
            lineStarts.append(bytes.count)
            lineNumbers.append(lines.lineNumber)
        }
        return lineNumbers.isEmpty ? nil : (bytes, lineStarts, lineNumbers)
    }
}

/// Plain text: every non-blank line is a record whose id is its line number.
struct TextLineParser: LineRecordParser {
    let file: String
    let groups: [GroupValue]

    func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) -> RecordOutcome {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) {
            return .blank
        }
        if let bad = UTF8Validation.firstInvalidByte(line) {
            return .malformed("invalid UTF-8 at byte \(bad + 1)")
        }
        return .record(InputRecord(
            id: String(lineNumber),
            location: SourceLocation(file: file, line: lineNumber),
            content: .string(String(decoding: line, as: UTF8.self)),
            groups: groups))
    }
}
