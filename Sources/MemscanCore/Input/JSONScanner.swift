/// A syntax error in JSON text.
struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// 0-based offset of the offending byte in the scanned buffer.
    var offset: Int
    var message: String

    /// Offsets are printed 1-based, like line numbers.
    var description: String { "invalid JSON at byte \(offset + 1): \(message)" }
}

/// The type of a JSON value, told from its first byte.
enum JSONKind: Sendable {
    case object, array, string, number, boolean, null, invalid

    init(firstByte c: UInt8) {
        switch c {
        case UInt8(ascii: "{"): self = .object
        case UInt8(ascii: "["): self = .array
        case UInt8(ascii: "\""): self = .string
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): self = .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): self = .boolean
        case UInt8(ascii: "n"): self = .null
        default: self = .invalid
        }
    }

    var name: String {
        switch self {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .number: return "number"
        case .boolean: return "boolean"
        case .null: return "null"
        case .invalid: return "invalid value"
        }
    }
}

/// A strict RFC 8259 scanner over bytes that are already known to be valid UTF-8.
///
/// It has no tree: callers walk the text, decode the values they want and skip the rest
/// (skipping still validates, so a line is accepted or refused whatever fields are read).
/// Nesting is limited to `maxDepth` so that hostile input cannot overflow the stack.
struct JSONScanner {
    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    @inline(__always) var atEnd: Bool { position >= bytes.count }

    /// The byte at `position`, or 0 past the end (0 is never valid JSON outside a string).
    @inline(__always) var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    var currentKind: JSONKind { JSONKind(firstByte: current) }

    @inline(__always) mutating func skipWhitespace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? position, message: message)
    }

    /// "expected X" at the current byte, or at the end of the input.
    func unexpected(_ expectation: String) -> JSONSyntaxError {
        if atEnd { return error("unexpected end of input, expected \(expectation)") }
        return error("expected \(expectation)")
    }

    @inline(__always) mutating func expect(_ byte: UInt8) throws(JSONSyntaxError) {
        guard current == byte else { throw unexpected("'\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    // MARK: Skipping

    /// Skips one value starting at `position` (no leading whitespace).
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        switch current {
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): try skipNumber()
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        default: throw unexpected("a value")
        }
    }

    private mutating func skipObject(depth: Int) throws(JSONSyntaxError) {
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw unexpected("a string key") }
            _ = try skipString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try skipValue(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return
            default:
                throw unexpected("',' or '}'")
            }
        }
    }

    private mutating func skipArray(depth: Int) throws(JSONSyntaxError) {
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try skipValue(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return
            default:
                throw unexpected("',' or ']'")
            }
        }
    }

    /// Skips a number, checking RFC 8259's grammar (no leading zeros, no bare '.', no '+').
    mutating func skipNumber() throws(JSONSyntaxError) {
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(current) {
            while isDigit(current) { position += 1 }
        } else {
            throw unexpected("a digit")
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard isDigit(current) else { throw unexpected("a digit after '.'") }
            while isDigit(current) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard isDigit(current) else { throw unexpected("a digit in the exponent") }
            while isDigit(current) { position += 1 }
        }
    }

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    private mutating func skipLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        guard position + count <= bytes.count else { throw error("expected '\(literal)'") }
        for k in 0 ..< count where bytes[position + k] != text[k] {
            throw error("expected '\(literal)'")
        }
        position += count
    }

    // MARK: Strings

    /// Skips a string at `position` (the opening quote). Returns whether it holds escapes,
    /// i.e. whether its raw bytes differ from its value.
    mutating func skipString() throws(JSONSyntaxError) -> Bool {
        let opening = position
        position += 1
        var escaped = false
        while true {
            scanStringRun()
            guard position < bytes.count else { throw error("unterminated string", at: opening) }
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                return escaped
            }
            if c == UInt8(ascii: "\\") {
                _ = try readEscape()
                escaped = true
                continue
            }
            throw error("unescaped control character in string")
        }
    }

    /// Decodes the string at `position` (the opening quote) and appends its UTF-8 bytes.
    mutating func appendString(to out: inout [UInt8]) throws(JSONSyntaxError) {
        let opening = position
        position += 1
        while true {
            let runStart = position
            scanStringRun()
            if position > runStart {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart ..< position]))
            }
            guard position < bytes.count else { throw error("unterminated string", at: opening) }
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                appendUTF8(try readEscape(), to: &out)
                continue
            }
            throw error("unescaped control character in string")
        }
    }

    /// Decodes the string at `position` into a Swift String.
    mutating func readString(scratch: inout [UInt8]) throws(JSONSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        try appendString(to: &scratch)
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Advances to the next byte that ends a plain run inside a string: '"', '\' or a
    /// control character. Eight bytes at a time: this loop is where long notes spend time.
    @inline(__always) private mutating func scanStringRun() {
        let n = bytes.count
        var p = position
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while p + 8 <= n {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                let quotes = word ^ (ones &* 0x22)
                let backslashes = word ^ (ones &* 0x5C)
                // Classic "has zero byte" / "has byte less than n" tricks: false positives can
                // only appear above a true hit, so the lowest flagged byte is exact.
                let hits = ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes
                    | (word &- ones &* 0x20) & ~word) & highs
                if hits != 0 {
                    position = p + hits.trailingZeroBitCount >> 3
                    return
                }
                p += 8
            }
        }
        while p < n {
            let c = bytes[p]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
            p += 1
        }
        position = p
    }

    /// Reads an escape at `position` (the backslash); a surrogate pair becomes one scalar.
    private mutating func readEscape() throws(JSONSyntaxError) -> UInt32 {
        let backslash = position
        guard position + 1 < bytes.count else { throw error("unterminated escape", at: backslash) }
        let c = bytes[position + 1]
        position += 2
        switch c {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): return 0x2F
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"):
            let unit = try readHex4(escapeAt: backslash)
            switch unit {
            case 0xD800 ... 0xDBFF:
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                      bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate \\u\(hex4(unit))", at: backslash)
                }
                let lowAt = position
                position += 2
                let low = try readHex4(escapeAt: lowAt)
                guard (0xDC00 ... 0xDFFF).contains(low) else {
                    throw error("unpaired surrogate \\u\(hex4(unit))", at: backslash)
                }
                return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            case 0xDC00 ... 0xDFFF:
                throw error("unpaired surrogate \\u\(hex4(unit))", at: backslash)
            default:
                return unit
            }
        default:
            throw error("invalid escape", at: backslash)
        }
    }

    private mutating func readHex4(escapeAt: Int) throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("invalid \\u escape", at: escapeAt) }
        var value: UInt32 = 0
        for k in 0 ..< 4 {
            let c = bytes[position + k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape", at: escapeAt)
            }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    private func hex4(_ value: UInt32) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    @inline(__always) private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0 ..< 0x80:
            out.append(UInt8(scalar))
        case 0x80 ..< 0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800 ..< 0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Scalars

    /// The raw text of a number at `position` (as written), after checking its grammar.
    mutating func readNumberText() throws(JSONSyntaxError) -> String {
        let start = position
        try skipNumber()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self)
    }

    /// The number at `position` when it is a plain non-negative integer literal that fits
    /// an Int (no sign, fraction or exponent); nil otherwise. Always skips the number.
    mutating func readNonNegativeInteger() throws(JSONSyntaxError) -> Int? {
        let start = position
        try skipNumber()
        var value = 0
        for k in start ..< position {
            let c = bytes[k]
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
            guard !o1 && !o2 else { return nil }
            value = sum
        }
        return value
    }

    // MARK: Canonical re-encoding

    /// Re-encodes the value at `position` compactly: no whitespace, strings with minimal
    /// escapes, numbers as written. Used to pass group-by values through unchanged in meaning.
    mutating func appendCanonical(to out: inout [UInt8], depth: Int = 0) throws(JSONSyntaxError) {
        switch current {
        case UInt8(ascii: "\""):
            try appendCanonicalString(to: &out)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = current == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
            out.append(current)
            position += 1
            skipWhitespace()
            if current == close {
                position += 1
                out.append(close)
                return
            }
            while true {
                if isObject {
                    guard current == UInt8(ascii: "\"") else { throw unexpected("a string key") }
                    try appendCanonicalString(to: &out)
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    out.append(UInt8(ascii: ":"))
                    skipWhitespace()
                }
                try appendCanonical(to: &out, depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    out.append(UInt8(ascii: ","))
                    position += 1
                    skipWhitespace()
                } else if current == close {
                    out.append(close)
                    position += 1
                    return
                } else {
                    throw unexpected(isObject ? "',' or '}'" : "',' or ']'")
                }
            }
        default:
            let start = position
            try skipValue(depth: depth)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start ..< position]))
        }
    }

    private mutating func appendCanonicalString(to out: inout [UInt8]) throws(JSONSyntaxError) {
        let start = position
        // Without escapes the raw text is already canonical (no quote, backslash or control byte).
        if try !skipString() {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start ..< position]))
            return
        }
        position = start
        var decoded: [UInt8] = []
        try appendString(to: &decoded)
        JSONCanonical.appendQuoted(decoded, to: &out)
    }
}
