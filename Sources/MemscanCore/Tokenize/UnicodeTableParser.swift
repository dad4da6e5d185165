/// Reads the compact text format of `UnicodeTables.swift`: space- or newline-separated entries
/// of hex scalars. The tables are generated, so malformed input is a programming error.
enum UnicodeTableParser {
    /// `START[-END][:DECIMAL]`; the value is 0 when absent.
    static func ranges(_ table: String, _ body: (UInt32, UInt32, UInt32) -> Void) {
        forEachEntry(table) { entry in
            var cursor = Cursor(entry)
            let first = cursor.hex()
            let last = cursor.skip(UInt8(ascii: "-")) ? cursor.hex() : first
            let value = cursor.skip(UInt8(ascii: ":")) ? cursor.decimal() : 0
            body(first, last, value)
        }
    }

    /// `S:D.D.D` or `S*N/K:D` (S+iK -> D+iK for i < N); values appended to `store`.
    static func mappings(_ table: String, into store: inout [UInt32]) -> [UInt32: UInt32] {
        var index: [UInt32: UInt32] = [:]
        forEachEntry(table) { entry in
            var cursor = Cursor(entry)
            let source = cursor.hex()
            if cursor.skip(UInt8(ascii: "*")) {
                let count = cursor.decimal()
                _ = cursor.skip(UInt8(ascii: "/"))
                let stride = cursor.decimal()
                _ = cursor.skip(UInt8(ascii: ":"))
                let target = cursor.hex()
                for i in 0 ..< count {
                    index[source + i * stride] = UInt32(store.count) << 5 | 1
                    store.append(target + i * stride)
                }
            } else {
                _ = cursor.skip(UInt8(ascii: ":"))
                let offset = store.count
                repeat { store.append(cursor.hex()) } while cursor.skip(UInt8(ascii: "."))
                precondition(store.count - offset < 32, "Unicode table mapping too long")
                index[source] = UInt32(offset) << 5 | UInt32(store.count - offset)
            }
        }
        return index
    }

    /// `FIRST.SECOND:COMPOSITE`.
    static func compositions(_ table: String, _ body: (UInt32, UInt32, UInt32) -> Void) {
        forEachEntry(table) { entry in
            var cursor = Cursor(entry)
            let first = cursor.hex()
            _ = cursor.skip(UInt8(ascii: "."))
            let second = cursor.hex()
            _ = cursor.skip(UInt8(ascii: ":"))
            body(first, second, cursor.hex())
        }
    }

    private static func forEachEntry(_ table: String, _ body: (ArraySlice<UInt8>) -> Void) {
        let bytes = Array(table.utf8)
        var i = 0
        while i < bytes.count {
            while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x0A) { i += 1 }
            let start = i
            while i < bytes.count && bytes[i] != 0x20 && bytes[i] != 0x0A { i += 1 }
            if i > start { body(bytes[start ..< i]) }
        }
    }

    private struct Cursor {
        let bytes: ArraySlice<UInt8>
        var i: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.i = bytes.startIndex
        }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard i < bytes.endIndex && bytes[i] == byte else { return false }
            i += 1
            return true
        }

        mutating func hex() -> UInt32 {
            var value: UInt32 = 0
            while i < bytes.endIndex, let digit = Cursor.hexDigit(bytes[i]) {
                value = value << 4 | digit
                i += 1
            }
            return value
        }

        mutating func decimal() -> UInt32 {
            var value: UInt32 = 0
            while i < bytes.endIndex && bytes[i] &- 0x30 < 10 {
                value = value * 10 + UInt32(bytes[i] &- 0x30)
                i += 1
            }
            return value
        }

        private static func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case 0x30 ... 0x39: return UInt32(byte - 0x30)
            case 0x41 ... 0x46: return UInt32(byte - 0x41 + 10)
            default: return nil
            }
        }
    }
}
