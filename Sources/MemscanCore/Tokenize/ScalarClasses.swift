/// What a normalized scalar does in a text token.
enum ScalarClass: UInt8 {
    case separator = 0
    /// Letters (L*) and numbers (N*).
    case wordPart = 1
    /// Marks (M*): part of a token when they follow a letter, number or mark of it.
    case mark = 2
}

/// General categories from the pinned tables rather than `Unicode.Scalar.Properties`, whose
/// Unicode version moves with the toolchain (Swift 6.3 has 17.0, the tables 16.0): a scalar
/// assigned in between would otherwise be a separator at build time and a letter at scan time.
/// A packed table answers for the BMP; the rare astral scalars take a binary search.
struct ScalarClasses: Sendable {
    static let shared = ScalarClasses()

    /// Two bits per BMP scalar.
    private var bmp = [UInt8](repeating: 0, count: 0x10000 / 4)
    /// Sorted, disjoint astral ranges: starts, ends (inclusive) and classes.
    private var astralStarts: [UInt32] = []
    private var astralEnds: [UInt32] = []
    private var astralClasses: [ScalarClass] = []

    private init() {
        var astral: [(UInt32, UInt32, ScalarClass)] = []
        for (table, scalarClass) in [(UnicodeTableData.lettersAndNumbers, ScalarClass.wordPart),
                                     (UnicodeTableData.marks, ScalarClass.mark)] {
            UnicodeTableParser.ranges(table) { first, last, _ in
                var scalar = first
                while scalar <= last && scalar < 0x10000 {
                    bmp[Int(scalar >> 2)] |= scalarClass.rawValue << ((scalar & 3) * 2)
                    scalar += 1
                }
                if last >= 0x10000 { astral.append((max(first, 0x10000), last, scalarClass)) }
            }
        }
        astral.sort { $0.0 < $1.0 }
        astralStarts = astral.map(\.0)
        astralEnds = astral.map(\.1)
        astralClasses = astral.map(\.2)
    }

    @inline(__always)
    func classify(_ scalar: UInt32) -> ScalarClass {
        if scalar < 0x10000 {
            return ScalarClass(rawValue: bmp[Int(scalar >> 2)] >> ((scalar & 3) * 2) & 3) ?? .separator
        }
        // The last range starting at or before `scalar`.
        var low = 0, high = astralStarts.count
        while low < high {
            let mid = (low + high) / 2
            if astralStarts[mid] <= scalar { low = mid + 1 } else { high = mid }
        }
        return low > 0 && scalar <= astralEnds[low - 1] ? astralClasses[low - 1] : .separator
    }
}
