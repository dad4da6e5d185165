/// Minimal JSON emitter into a byte buffer: memscan writes millions of small
/// objects, so it avoids Foundation's encoders and intermediate dictionaries.
struct JSONWriter {
    var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init() {}

    mutating func beginObject() { value(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma.removeLast() }
    mutating func beginArray() { value(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma.removeLast() }

    mutating func key(_ name: String) {
        comma()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
    }

    mutating func string(_ s: String) { value(); appendString(s) }
    mutating func int(_ n: Int) { value(); bytes.append(contentsOf: String(n).utf8) }
    mutating func bool(_ b: Bool) { value(); bytes.append(contentsOf: (b ? "true" : "false").utf8) }
    mutating func null() { value(); bytes.append(contentsOf: "null".utf8) }
    /// Pre-encoded JSON text (group-by values are passed through as read).
    mutating func raw(_ json: String) { value(); bytes.append(contentsOf: json.utf8) }

    /// A finite double with up to `digits` decimals, trailing zeros trimmed, rounded by `rule`.
    mutating func double(_ d: Double, digits: Int = 4, rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
        value()
        guard d.isFinite else { bytes.append(contentsOf: "null".utf8); return }
        var scale = 1.0
        for _ in 0 ..< digits { scale *= 10 }
        let rounded = (d * scale).rounded(rule) / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 {
            bytes.append(contentsOf: String(Int(rounded)).utf8)
        } else {
            bytes.append(contentsOf: String(rounded).utf8)
        }
    }

    mutating func field(_ name: String, _ s: String) { key(name); string(s) }
    mutating func field(_ name: String, _ n: Int) { key(name); int(n) }
    mutating func field(_ name: String, _ b: Bool) { key(name); bool(b) }
    mutating func field(_ name: String, _ d: Double, digits: Int = 4, rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
        key(name)
        double(d, digits: digits, rule: rule)
    }

    mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    /// `s` as a JSON string literal, escaped as every string memscan writes.
    static func quoted(_ s: String) -> String {
        var json = JSONWriter()
        json.string(s)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private mutating func value() { comma() }

    private mutating func comma() {
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func appendString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Field names and ids need no escapes: one copy instead of a byte at a time.
        let copied = s.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0 ..< 0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
