import Foundation

/// Splits a byte stream into lines without copying them.
///
/// Lines end at `\n`; a `\r` before it is dropped (CRLF files), as is a UTF-8 byte order
/// mark at the start of the stream. The returned buffer points into internal storage and
/// is valid only until the next call.
final class LineReader {
    static let initialCapacity = 1 << 20
    /// Longer lines are refused rather than growing memory without bound (and so that
    /// every offset fits the Int32 ends of a TokenList).
    static let maxLineLength = 1 << 30

    let displayName: String
    private let source: InputByteSource
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    /// Bytes in `start ..< scanned` are known to hold no newline: long lines are searched once.
    private var scanned = 0
    private var sourceEnded = false
    private var atStreamStart = true
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// Decompressed bytes handed out so far, newlines included.
    private(set) var bytesConsumed = 0

    init(source: InputByteSource, displayName: String) {
        self.source = source
        self.displayName = displayName
        capacity = Self.initialCapacity
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    func close() { source.close() }

    func nextLine() throws -> UnsafeBufferPointer<UInt8>? {
        while true {
            if scanned < end, let hit = memchr(buffer + scanned, 0x0A, end - scanned) {
                let newline = hit.assumingMemoryBound(to: UInt8.self) - buffer
                let line = takeLine(upTo: newline)
                start = newline + 1
                scanned = start
                bytesConsumed += 1
                return line
            }
            scanned = end
            if sourceEnded {
                guard start < end else { return nil }
                let line = takeLine(upTo: end)
                start = end
                scanned = end
                return line
            }
            try fill()
        }
    }

    private func takeLine(upTo lineEnd: Int) -> UnsafeBufferPointer<UInt8> {
        bytesConsumed += lineEnd - start
        lineNumber += 1
        var first = start
        var last = lineEnd
        if last > first && buffer[last - 1] == 0x0D { last -= 1 }
        if atStreamStart {
            atStreamStart = false
            if last - first >= 3 && buffer[first] == 0xEF && buffer[first + 1] == 0xBB && buffer[first + 2] == 0xBF {
                first += 3
            }
        }
        return UnsafeBufferPointer(start: buffer + first, count: last - first)
    }

    private func fill() throws {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer, buffer + start, pending) }
            end = pending
            scanned -= start
            start = 0
        }
        // Grow before the free space gets small, so a long line never degrades into tiny reads.
        if capacity - end < capacity / 4 {
            guard capacity < Self.maxLineLength else {
                throw MemscanError.input(SourceLocation(file: displayName, line: lineNumber + 1),
                                         "line longer than \(Self.maxLineLength >> 20) MiB")
            }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity *= 2
        }
        let n = try source.read(into: buffer + end, capacity: capacity - end)
        if n == 0 { sourceEnded = true } else { end += n }
    }
}
