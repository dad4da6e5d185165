import Foundation

/// Splits CSV/TSV text into rows of fields (RFC 4180 quoting: quoted fields may hold the
/// delimiter, newlines and doubled quotes).
///
/// A row's fields are stored back to back in one byte buffer, reused from row to row.
/// A quote inside an unquoted field is kept as a literal character, as most CSV writers
/// and readers do; a quoted field must be followed by a delimiter or the end of the line.
final class CSVRowReader {
    enum Outcome {
        case row
        case malformed(String)
        case end
    }

    let lines: LineReader
    let delimiter: UInt8
    private(set) var bytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    /// Physical line where the last row started.
    private(set) var startLine = 0

    init(lines: LineReader, delimiter: UInt8) {
        self.lines = lines
        self.delimiter = delimiter
    }

    var fieldCount: Int { fieldEnds.count }

    func fieldRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : fieldEnds[i - 1]) ..< fieldEnds[i] }

    func fieldIsEmpty(_ i: Int) -> Bool { fieldRange(i).isEmpty }

    func string(_ i: Int) -> String { String(decoding: bytes[fieldRange(i)], as: UTF8.self) }

    /// The field without surrounding spaces and tabs (header names, numbers, MEDS times).
    func trimmedRange(_ i: Int) -> Range<Int> {
        var range = fieldRange(i)
        while let first = range.first, bytes[first] == 0x20 || bytes[first] == 0x09 { range = range.dropFirst() }
        while let last = range.last, bytes[last] == 0x20 || bytes[last] == 0x09 { range = range.dropLast() }
        return range
    }

    func trimmedString(_ i: Int) -> String { String(decoding: bytes[trimmedRange(i)], as: UTF8.self) }

    /// Reads the next row; blank lines between rows are skipped.
    func nextRow() throws -> Outcome {
        bytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        var line: UnsafeBufferPointer<UInt8>
        repeat {
            guard let next = try lines.nextLine() else { return .end }
            line = next
        } while line.isEmpty
        startLine = lines.lineNumber

        var i = 0
        while true {
            if i < line.count && line[i] == UInt8(ascii: "\"") {
                i += 1
                quoted: while true {
                    if let q = find(UInt8(ascii: "\""), in: line, from: i) {
                        append(line, i ..< q)
                        i = q + 1
                        if i < line.count && line[i] == UInt8(ascii: "\"") {
                            bytes.append(UInt8(ascii: "\""))
                            i += 1
                            continue quoted
                        }
                        break quoted
                    }
                    // The quoted field goes on past the end of the physical line.
                    append(line, i ..< line.count)
                    bytes.append(0x0A)
                    guard let next = try lines.nextLine() else {
                        return .malformed("unterminated quoted field in column \(fieldEnds.count + 1)")
                    }
                    line = next
                    i = 0
                }
                fieldEnds.append(bytes.count)
                if i == line.count { return validated() }
                if line[i] != delimiter {
                    return .malformed("unexpected character after the closing quote of column \(fieldEnds.count)")
                }
                i += 1
            } else {
                let stop = find(delimiter, in: line, from: i)
                append(line, i ..< (stop ?? line.count))
                fieldEnds.append(bytes.count)
                guard let stop else { return validated() }
                i = stop + 1
            }
        }
    }

    private func validated() -> Outcome {
        let bad = bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidByte($0) }
        guard let bad else { return .row }
        let column = (fieldEnds.firstIndex { $0 > bad } ?? fieldEnds.count - 1) + 1
        return .malformed("invalid UTF-8 in column \(column)")
    }

    @inline(__always)
    private func append(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        if !range.isEmpty { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: line[range])) }
    }

    @inline(__always)
    private func find(_ byte: UInt8, in line: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < line.count, let base = line.baseAddress,
              let hit = memchr(base + start, Int32(byte), line.count - start) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }
}
