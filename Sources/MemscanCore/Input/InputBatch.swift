/// A batch of input read by one thread and parsed by another: the reading thread only
/// splits lines and copies bytes, so JSON parsing scales with the scanning threads.
public struct InputBatch: Sendable {
    enum Storage: Sendable {
        /// Formats parsed while reading (CSV, text, MEDS, directories).
        case records([InputRecord])
        /// Raw JSONL lines: `bytes[lineStarts[i] ..< lineStarts[i + 1]]`.
        case jsonLines(bytes: [UInt8], lineStarts: [Int], lineNumbers: [Int], file: String, plan: InputFieldPlan)
    }

    let storage: Storage

    public var count: Int {
        switch storage {
        case .records(let records): return records.count
        case .jsonLines(_, _, let lineNumbers, _, _): return lineNumbers.count
        }
    }

    /// What item `i` holds once parsed.
    public enum Item: Sendable {
        case record(InputRecord)
        /// A blank line: neither a record nor an error.
        case blank
        case malformed(SourceLocation, String)
    }

    /// Parses every item; safe to call from any thread.
    public func parseAll() -> [Item] {
        switch storage {
        case .records(let records):
            return records.map { .record($0) }
        case .jsonLines(let bytes, let lineStarts, let lineNumbers, let file, let plan):
            var parser = JSONLRecordParser(file: file, plan: plan)
            var items: [Item] = []
            items.reserveCapacity(lineNumbers.count)
            bytes.withUnsafeBufferPointer { all in
                for i in lineNumbers.indices {
                    let line = UnsafeBufferPointer(rebasing: all[lineStarts[i] ..< lineStarts[i + 1]])
                    switch parser.parse(line, lineNumber: lineNumbers[i]) {
                    case .record(let record): items.append(.record(record))
                    case .blank: items.append(.blank)
                    case .malformed(let message):
                        items.append(.malformed(SourceLocation(file: file, line: lineNumbers[i]), message))
                    }
                }
            }
            return items
        }
    }
}
