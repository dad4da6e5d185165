/// The text-mode tokenizer (§2): NFKC, full case folding, maximal runs of letters and digits,
/// with each token's offsets in the original string counted in Unicode scalars.
///
/// Most clinical notes are ASCII, so ASCII is handled byte by byte (lowercase, split on
/// non-alphanumerics) without decoding. Everything else goes through `UnicodeNormalizer` one
/// normalization segment at a time, so that each output scalar can be charged to the original
/// scalars it came from. A token's offsets span the whole segments that contributed to it;
/// one segment that normalizes into several tokens (`½` -> `1`, `2`) gives them all the same
/// offsets, so starts are non-decreasing rather than strictly increasing in that one case.
enum TextTokenizer {
    static func tokenize(_ string: String) -> TokenList {
        var string = string
        return string.withUTF8 { tokenize(utf8: $0) }
    }

    /// An array in text mode reads as its elements joined by single spaces.
    static func tokenize(joining tokens: TokenList) -> TokenList {
        var joined: [UInt8] = []
        joined.reserveCapacity(tokens.bytes.count + tokens.count)
        for index in 0 ..< tokens.count {
            if index > 0 { joined.append(0x20) }
            joined.append(contentsOf: tokens.bytes[tokens.start(index) ..< tokens.end(index)])
        }
        // Decoding repairs any invalid UTF-8, which the scalar decoder below relies on.
        return tokenize(String(decoding: joined, as: UTF8.self))
    }

    /// `input` must be valid UTF-8, as a native String's storage always is.
    static func tokenize(utf8 input: UnsafeBufferPointer<UInt8>) -> TokenList {
        var builder = TokenBuilder(capacity: input.count)
        guard let base = input.baseAddress else { return builder.finish() }
        let n = input.count
        var normalizer: UnicodeNormalizer?, classes: ScalarClasses?
        var segment: [UInt32] = [], normalized: [UInt32] = [], scratch: [UInt32] = []
        var i = 0, char = 0

        while i < n {
            let byte = base[i]
            // An ASCII character followed by non-ASCII may compose with it (e + U+0301), so it
            // starts a segment on the slow path instead.
            if byte < 0x80 && (i + 1 == n || base[i + 1] < 0x80) {
                if isASCIIAlphanumeric(byte) {
                    var j = i + 1
                    while j < n && isASCIIAlphanumeric(base[j]) { j += 1 }
                    if j < n && base[j] >= 0x80 { j -= 1 }  // j > i + 1 here, so j - 1 > i
                    builder.extend(charStart: char, charEnd: char + (j - i))
                    builder.appendLowercasedASCII(UnsafeBufferPointer(start: base + i, count: j - i))
                    char += j - i
                    i = j
                } else {
                    builder.close()
                    i += 1
                    char += 1
                }
                continue
            }

            if normalizer == nil {
                normalizer = UnicodeNormalizer.shared
                classes = ScalarClasses.shared
            }
            let segmentStart = char
            var (scalar, length) = decodeScalar(base, i)
            i += length
            char += 1
            var next: UInt32 = 0
            if i < n && base[i] >= 0x80 { (next, length) = decodeScalar(base, i) }
            // Nearly every non-ASCII segment is one scalar, most often one that normalizes to
            // itself: no buffers for those.
            if i == n || base[i] < 0x80 || normalizer!.hasBoundaryBefore(next) {
                if normalizer!.isUnchangedAlone(scalar) {
                    builder.add(scalar, classes!.classify(scalar), segmentStart: segmentStart, segmentEnd: char)
                } else {
                    for mapped in normalizer!.mappingAlone(scalar) {
                        builder.add(mapped, classify(mapped, classes!), segmentStart: segmentStart, segmentEnd: char)
                    }
                }
                continue
            }
            segment.removeAll(keepingCapacity: true)
            segment.append(scalar)
            // ASCII always starts a new segment.
            while i < n && base[i] >= 0x80 && !normalizer!.hasBoundaryBefore(next) {
                segment.append(next)
                i += length
                char += 1
                if i < n && base[i] >= 0x80 { (next, length) = decodeScalar(base, i) }
            }
            normalized.removeAll(keepingCapacity: true)
            normalizer!.normalize(segment, into: &normalized, scratch: &scratch)
            for mapped in normalized {
                builder.add(mapped, classify(mapped, classes!), segmentStart: segmentStart, segmentEnd: char)
            }
        }
        return builder.finish()
    }

    @inline(__always)
    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10
    }

    /// Normalization often yields ASCII (fullwidth forms, ligatures, folded capitals).
    @inline(__always)
    private static func classify(_ scalar: UInt32, _ classes: ScalarClasses) -> ScalarClass {
        if scalar < 0x80 { return isASCIIAlphanumeric(UInt8(scalar)) ? .wordPart : .separator }
        return classes.classify(scalar)
    }

    /// Decodes the scalar starting at `i` of valid UTF-8; returns it and its length in bytes.
    @inline(__always)
    private static func decodeScalar(_ p: UnsafePointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
                | UInt32(p[i + 3] & 0x3F), 4)
    }
}

/// Accumulates tokens and their offsets in plain arrays (cheaper than `TokenList`'s optional
/// offset arrays in the loop), open token last.
private struct TokenBuilder {
    private var bytes: [UInt8] = []
    private var ends: [Int32] = []
    private var charStarts: [Int32] = []
    private var charEnds: [Int32] = []
    private(set) var isOpen = false
    private var openCharStart = 0
    private var openCharEnd = 0

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        let tokens = capacity / 6 + 1
        ends.reserveCapacity(tokens)
        charStarts.reserveCapacity(tokens)
        charEnds.reserveCapacity(tokens)
    }

    /// Opens a token at `charStart` if none is open, and moves its end to `charEnd`.
    @inline(__always)
    mutating func extend(charStart: Int, charEnd: Int) {
        if !isOpen {
            isOpen = true
            openCharStart = charStart
        }
        openCharEnd = charEnd
    }

    @inline(__always)
    mutating func close() {
        guard isOpen else { return }
        ends.append(Int32(bytes.count))
        charStarts.append(Int32(openCharStart))
        charEnds.append(Int32(openCharEnd))
        isOpen = false
    }

    /// For ASCII letters and digits, lowercasing is setting bit 5 (digits already have it).
    @inline(__always)
    mutating func appendLowercasedASCII(_ alphanumerics: UnsafeBufferPointer<UInt8>) {
        for byte in alphanumerics { bytes.append(byte | 0x20) }
    }

    /// Adds one normalized scalar that came from the original scalars
    /// `segmentStart ..< segmentEnd`.
    @inline(__always)
    mutating func add(_ scalar: UInt32, _ scalarClass: ScalarClass, segmentStart: Int, segmentEnd: Int) {
        switch scalarClass {
        case .wordPart:
            extend(charStart: segmentStart, charEnd: segmentEnd)
            appendScalar(scalar)
        case .mark where isOpen:
            extend(charStart: segmentStart, charEnd: segmentEnd)
            appendScalar(scalar)
        case .mark, .separator:
            close()
        }
    }

    @inline(__always)
    private mutating func appendScalar(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            bytes.append(UInt8(scalar))
        case ..<0x800:
            bytes.append(UInt8(0xC0 | scalar >> 6))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            bytes.append(UInt8(0xE0 | scalar >> 12))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | scalar >> 18))
            bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    mutating func finish() -> TokenList {
        close()
        var list = TokenList()
        list.bytes = bytes
        list.ends = ends
        list.charStarts = charStarts
        list.charEnds = charEnds
        return list
    }
}
