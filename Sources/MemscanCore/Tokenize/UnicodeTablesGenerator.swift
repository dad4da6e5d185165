// Generator and checker for UnicodeTables.swift. Never part of a normal build: it needs ICU,
// which only the toolchain's underscored `_FoundationICU` module provides on Linux.
//
// Regenerate (from the package root):
//   swiftc -O -parse-as-library -D MEMSCAN_GENERATE_UNICODE_TABLES \
//     Sources/MemscanCore/Tokenize/UnicodeTablesGenerator.swift -l_FoundationICU -o /tmp/gen-tables
//   /tmp/gen-tables > Sources/MemscanCore/Tokenize/UnicodeTables.swift
// Check the normalizer and the text tokenizer against ICU (every scalar alone, millions of
// pairs, random strings); prints mismatches and exits 1 if there are any:
//   cd Sources/MemscanCore/Tokenize && swiftc -O -parse-as-library \
//     -D MEMSCAN_GENERATE_UNICODE_TABLES -D MEMSCAN_VERIFY_UNICODE_TABLES \
//     UnicodeTablesGenerator.swift UnicodeNormalizer.swift UnicodeTableParser.swift \
//     ScalarClasses.swift UnicodeTables.swift TextTokenizer.swift ../Input/TokenList.swift \
//     -l_FoundationICU -o /tmp/check-tables && /tmp/check-tables --verify
// A newer ICU means a new Unicode version: existing text indexes were built with the old
// tables, so bump the text tokenizer's version in the index header along with the data.
#if MEMSCAN_GENERATE_UNICODE_TABLES
import _FoundationICU
#if canImport(Glibc)
import Glibc
#endif

@main
enum UnicodeTablesGenerator {
    static func main() {
        #if MEMSCAN_VERIFY_UNICODE_TABLES
        if CommandLine.arguments.dropFirst().first == "--verify" { exit(verify() ? 0 : 1) }
        #endif
        generate()
    }

    static let icu = ICU()

    static func generate() {
        var ccc: [(UInt32, UInt32)] = []
        var decompositions: [(UInt32, [UInt32])] = []
        var foldings: [(UInt32, [UInt32])] = []
        var pairs: [(UInt32, UInt32, UInt32)] = []
        var noBoundary: [UInt32] = []
        var wordParts: [UInt32] = [], marks: [UInt32] = []
        for v in UInt32(0) ... 0x10FFFF {
            switch icu.scalarClass(v) {
            case 1: wordParts.append(v)
            case 2: marks.append(v)
            default: break
            }
        }
        for v in UInt32(0) ... 0x10FFFF where !(0xD800 ... 0xDFFF).contains(v) {
            let cc = UInt32(swift_u_getCombiningClass(Int32(v)))
            if cc != 0 { ccc.append((v, cc)) }
            if !(0xAC00 ... 0xD7A3).contains(v) {
                let d = icu.nfkd([v])
                if d != [v] { decompositions.append((v, d)) }
                let raw = icu.rawDecomposition(v)
                if raw.count == 2, swift_unorm2_composePair(icu.nfc, Int32(raw[0]), Int32(raw[1])) == Int32(v) {
                    pairs.append((raw[0], raw[1], v))
                }
            }
            let f = icu.fold([v])
            if f != [v] { foldings.append((v, f)) }
            if swift_unorm2_hasBoundaryBefore(icu.nfkc, Int32(v)) == 0 { noBoundary.append(v) }
        }
        print("""
        // GENERATED FILE, do not edit by hand. Source: ICU \(U_ICU_VERSION) (Unicode \(U_UNICODE_VERSION)), through
        // the toolchain's _FoundationICU, by UnicodeTablesGenerator.swift. Pinning the data here,
        // instead of asking the platform at run time, keeps text tokens identical across machines
        // and toolchains: an index must tokenize the same way at scan time as at build time.

        enum UnicodeTableData {
            /// The Unicode version of every table below, for index headers and messages.
            static let unicodeVersion = "\(U_UNICODE_VERSION)"

            /// Canonical combining classes other than 0: `START[-END]:CLASS`, hex scalars.
            static let combiningClasses = \(literal(valueRanges(ccc)))

            /// Full NFKD of every scalar it changes (Hangul syllables excluded: algorithmic).
            /// `S:D.D.D`, or `S*N/K:D` for the N mappings S+iK -> D+iK.
            static let compatibilityDecompositions = \(literal(mappings(decompositions)))

            /// Primary composites: `FIRST.SECOND:COMPOSITE` (Hangul excluded: algorithmic).
            static let compositions = \(literal(pairs.map { "\(hex($0.0)).\(hex($0.1)):\(hex($0.2))" }))

            /// Full case folding (CaseFolding.txt statuses C and F), same format as the
            /// decompositions.
            static let caseFoldings = \(literal(mappings(foldings)))

            /// Scalars before which NFKC has no boundary (they may reorder or compose with what
            /// precedes them): `START[-END]`.
            static let noBoundaryBefore = \(literal(ranges(noBoundary)))

            /// Letters and numbers (general categories L* and N*), which make tokens: `START[-END]`.
            static let lettersAndNumbers = \(literal(ranges(wordParts)))

            /// Marks (M*), which extend a token they follow: `START[-END]`.
            static let marks = \(literal(ranges(marks)))
        }
        """)
    }

    static func hex(_ v: UInt32) -> String { String(v, radix: 16, uppercase: true) }

    /// Space-separated entries wrapped into the lines of a multi-line string literal.
    static func literal(_ entries: [String]) -> String {
        var lines: [String] = [], line = ""
        for entry in entries {
            if line.count + entry.count + 1 > 96 { lines.append(line); line = "" }
            line += line.isEmpty ? entry : " " + entry
        }
        if !line.isEmpty { lines.append(line) }
        return "\"\"\"\n" + lines.map { "        " + $0 }.joined(separator: "\n") + "\n        \"\"\""
    }

    /// `S-E:V` for runs of consecutive scalars with equal values.
    static func valueRanges(_ items: [(UInt32, UInt32)]) -> [String] {
        var out: [String] = [], i = 0
        while i < items.count {
            var j = i
            while j + 1 < items.count && items[j + 1].0 == items[j].0 + 1 && items[j + 1].1 == items[i].1 { j += 1 }
            let range = i == j ? hex(items[i].0) : "\(hex(items[i].0))-\(hex(items[j].0))"
            out.append("\(range):\(items[i].1)")
            i = j + 1
        }
        return out
    }

    /// `S-E` for runs of consecutive scalars.
    static func ranges(_ scalars: [UInt32]) -> [String] {
        valueRanges(scalars.map { ($0, 0) }).map { String($0.dropLast(2)) }
    }

    /// `S:D.D.D`, or `S*N/K:D` for N >= 2 one-scalar mappings S+iK -> D+iK (K = 1 or 2).
    static func mappings(_ items: [(UInt32, [UInt32])]) -> [String] {
        var out: [String] = [], i = 0
        outer: while i < items.count {
            let (source, target) = items[i]
            if target.count == 1 {
                for stride in [UInt32(1), 2] {
                    var n: UInt32 = 1
                    while i + Int(n) < items.count, items[i + Int(n)].0 == source + n * stride,
                          items[i + Int(n)].1 == [target[0] + n * stride] { n += 1 }
                    if n >= 3 || (stride == 1 && n == 2) {
                        out.append("\(hex(source))*\(n)/\(stride):\(hex(target[0]))")
                        i += Int(n)
                        continue outer
                    }
                }
            }
            out.append("\(hex(source)):" + target.map(hex).joined(separator: "."))
            i += 1
        }
        return out
    }

    #if MEMSCAN_VERIFY_UNICODE_TABLES
    /// Compares fold(NFKC(x)) from the tables with ICU's, and the tables' boundaries with ICU's.
    static func verify() -> Bool {
        let normalizer = UnicodeNormalizer.shared
        var failures = 0, checked = 0
        var output: [UInt32] = [], scratch: [UInt32] = []
        func check(_ input: [UInt32]) {
            checked += 1
            output.removeAll()
            // Cut at boundaries exactly as the tokenizer does.
            var segment: [UInt32] = []
            for scalar in input {
                if !segment.isEmpty && normalizer.hasBoundaryBefore(scalar) {
                    normalizer.normalize(segment, into: &output, scratch: &scratch)
                    segment.removeAll()
                }
                segment.append(scalar)
            }
            if !segment.isEmpty { normalizer.normalize(segment, into: &output, scratch: &scratch) }
            let expected = icu.fold(icu.nfkc(input))
            if output != expected {
                failures += 1
                if failures <= 20 {
                    print("MISMATCH", input.map(hex), "tables:", output.map(hex), "icu:", expected.map(hex))
                }
            }
        }
        var assigned: [UInt32] = []
        for v in UInt32(0) ... 0x10FFFF where !(0xD800 ... 0xDFFF).contains(v) {
            let boundary = swift_unorm2_hasBoundaryBefore(icu.nfkc, Int32(v)) != 0
            if boundary != normalizer.hasBoundaryBefore(v) {
                failures += 1
                print("BOUNDARY", hex(v))
            }
            if UInt8(icu.scalarClass(v)) != ScalarClasses.shared.classify(v).rawValue {
                failures += 1
                print("CLASS", hex(v))
            }
            if swift_u_charType(Int32(v)) != Int8(U_UNASSIGNED.rawValue) { assigned.append(v) }
            check([v])
        }
        // Every starter-ish scalar below U+3100 or in the halfwidth block, followed by every
        // scalar that has no boundary before it: where composition and reordering happen.
        let joiners = assigned.filter { !normalizer.hasBoundaryBefore($0) }
        let starters = assigned.filter { $0 < 0x3100 || (0xFF00 ... 0xFFEF).contains($0) }
        for a in starters { for b in joiners { check([a, b]) } }
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 200_000 {
            let length = Int.random(in: 2 ... 6, using: &generator)
            check((0 ..< length).map { _ in
                Bool.random(using: &generator) ? joiners.randomElement(using: &generator)!
                    : assigned.randomElement(using: &generator)!
            })
        }
        // The tokenizer end to end, fast paths included, against ICU on the whole string.
        let ascii = (0x20 ... 0x7E).map { UInt32($0) } + [0x0A, 0x09]
        for _ in 0 ..< 200_000 {
            let length = Int.random(in: 1 ... 12, using: &generator)
            let input = (0 ..< length).map { _ -> UInt32 in
                switch Int.random(in: 0 ..< 3, using: &generator) {
                case 0: return ascii.randomElement(using: &generator)!
                case 1: return joiners.randomElement(using: &generator)!
                default: return assigned.randomElement(using: &generator)!
                }
            }
            checked += 1
            var expected: [[UInt32]] = [], current: [UInt32] = []
            for scalar in icu.fold(icu.nfkc(input)) {
                switch icu.scalarClass(scalar) {
                case 1: current.append(scalar)
                case 2 where !current.isEmpty: current.append(scalar)
                default:
                    if !current.isEmpty { expected.append(current) }
                    current = []
                }
            }
            if !current.isEmpty { expected.append(current) }
            let text = String(String.UnicodeScalarView(input.map { Unicode.Scalar($0)! }))
            let tokens = TextTokenizer.tokenize(text).strings.map { $0.unicodeScalars.map(\.value) }
            if tokens != expected {
                failures += 1
                if failures <= 40 {
                    print("TOKENS", input.map(hex), "tokenizer:", tokens.map { $0.map(hex) }, "icu:", expected.map { $0.map(hex) })
                }
            }
        }
        print("checked \(checked) sequences, \(failures) mismatches")
        return failures == 0
    }
    #endif
}

/// The ICU normalizers and case folding, on arrays of scalars.
struct ICU {
    let nfc: OpaquePointer, nfkc: OpaquePointer, nfkd: OpaquePointer

    init() {
        var error = U_ZERO_ERROR
        nfc = swift_unorm2_getNFCInstance(&error)
        nfkc = swift_unorm2_getNFKCInstance(&error)
        nfkd = swift_unorm2_getNFKDInstance(&error)
        precondition(error.rawValue <= 0, "ICU normalizers unavailable")
    }

    func nfkc(_ input: [UInt32]) -> [UInt32] { normalize(nfkc, input) }
    func nfkd(_ input: [UInt32]) -> [UInt32] { normalize(nfkd, input) }

    func fold(_ input: [UInt32]) -> [UInt32] {
        transform(input) { source, count, destination, capacity, error in
            swift_u_strFoldCase(destination, capacity, source, count, UInt32(U_FOLD_CASE_DEFAULT), error)
        }
    }

    /// 1 for letters and numbers, 2 for marks, 0 otherwise.
    func scalarClass(_ scalar: UInt32) -> Int {
        switch UInt32(swift_u_charType(Int32(scalar))) {
        case U_UPPERCASE_LETTER.rawValue, U_LOWERCASE_LETTER.rawValue, U_TITLECASE_LETTER.rawValue,
             U_MODIFIER_LETTER.rawValue, U_OTHER_LETTER.rawValue,
             U_DECIMAL_DIGIT_NUMBER.rawValue, U_LETTER_NUMBER.rawValue, U_OTHER_NUMBER.rawValue:
            return 1
        case U_NON_SPACING_MARK.rawValue, U_COMBINING_SPACING_MARK.rawValue, U_ENCLOSING_MARK.rawValue:
            return 2
        default:
            return 0
        }
    }

    func rawDecomposition(_ scalar: UInt32) -> [UInt32] {
        var buffer = [UInt16](repeating: 0, count: 64)
        var error = U_ZERO_ERROR
        let n = swift_unorm2_getRawDecomposition(nfc, Int32(scalar), &buffer, 64, &error)
        return n <= 0 ? [] : String(decoding: buffer[0 ..< Int(n)], as: UTF16.self).unicodeScalars.map(\.value)
    }

    private func normalize(_ normalizer: OpaquePointer, _ input: [UInt32]) -> [UInt32] {
        transform(input) { source, count, destination, capacity, error in
            swift_unorm2_normalize(normalizer, source, count, destination, capacity, error)
        }
    }

    private func transform(
        _ input: [UInt32],
        _ body: (UnsafePointer<UInt16>, Int32, UnsafeMutablePointer<UInt16>, Int32, UnsafeMutablePointer<UErrorCode>) -> Int32
    ) -> [UInt32] {
        let source = Array(String(String.UnicodeScalarView(input.map { Unicode.Scalar($0)! })).utf16)
        var destination = [UInt16](repeating: 0, count: 64 + 8 * source.count)
        var error = U_ZERO_ERROR
        let n = source.withUnsafeBufferPointer { s in
            destination.withUnsafeMutableBufferPointer { d in
                body(s.baseAddress!, Int32(s.count), d.baseAddress!, Int32(d.count), &error)
            }
        }
        precondition(error.rawValue <= 0, "ICU failed: \(error)")
        return String(decoding: destination[0 ..< Int(n)], as: UTF16.self).unicodeScalars.map(\.value)
    }
}

#endif
