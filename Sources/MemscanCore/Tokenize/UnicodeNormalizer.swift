/// NFKC followed by full case folding, one normalization segment at a time, from tables pinned
/// in `UnicodeTables.swift` (ICU 76.1, Unicode 16.0).
///
/// Why not the platform:
/// - Foundation on Linux (`precomposedStringWithCompatibilityMapping`,
///   `folding(options: .caseInsensitive, locale: nil)`) runs on CoreFoundation's own tables,
///   which are older and partly wrong: halfwidth `ｶﾞ` stays `カ` + U+3099 instead of composing
///   to `ガ`, Cherokee capitals fold to small letters (CaseFolding.txt folds the other way),
///   U+1C80-U+1C88 do not fold, some mark sequences come out misordered, and nothing from
///   Unicode 16 is known. It also allocates two Strings per call.
/// - ICU ships in the toolchain (`_FoundationICU`), but it is an underscored module that needs
///   an explicit link flag, and its Unicode version moves with the toolchain.
/// An index must tokenize at scan time exactly as it did at build time, possibly years and
/// toolchains later; data in the source guarantees that.
///
/// Regenerate the tables with `UnicodeTablesGenerator.swift` (instructions there) and compare
/// the result against ICU over every scalar before committing a new Unicode version.
struct UnicodeNormalizer: Sendable {
    static let shared: UnicodeNormalizer = {
        var normalizer = UnicodeNormalizer()
        normalizer.precomputeSingleScalarSegments()
        return normalizer
    }()

    private let combiningClasses: [UInt32: UInt8]
    /// Both map a scalar to `offset << 5 | count` in `store`.
    private let decompositions: [UInt32: UInt32]
    private let foldings: [UInt32: UInt32]
    private let store: [UInt32]
    private let compositions: [UInt64: UInt32]
    private let noBoundary: ScalarSet
    /// Scalars that, alone in a segment, do not come out as themselves, and what they come out
    /// as (`offset << 5 | count` in `aloneStore`). Most non-ASCII segments are one scalar, so
    /// this spares them the pipeline.
    private var changesAlone = ScalarSet()
    private var aloneMappings: [UInt32: UInt32] = [:]
    private var aloneStore: [UInt32] = []

    private init() {
        var combiningClasses: [UInt32: UInt8] = [:]
        UnicodeTableParser.ranges(UnicodeTableData.combiningClasses) { first, last, value in
            for scalar in first ... last { combiningClasses[scalar] = UInt8(value) }
        }
        var store: [UInt32] = []
        let decompositions = UnicodeTableParser.mappings(UnicodeTableData.compatibilityDecompositions, into: &store)
        let foldings = UnicodeTableParser.mappings(UnicodeTableData.caseFoldings, into: &store)
        var compositions: [UInt64: UInt32] = [:]
        UnicodeTableParser.compositions(UnicodeTableData.compositions) { first, second, composite in
            compositions[UInt64(first) << 21 | UInt64(second)] = composite
        }
        var noBoundary = ScalarSet()
        UnicodeTableParser.ranges(UnicodeTableData.noBoundaryBefore) { first, last, _ in
            for scalar in first ... last { noBoundary.insert(scalar) }
        }
        self.combiningClasses = combiningClasses
        self.decompositions = decompositions
        self.foldings = foldings
        self.store = store
        self.compositions = compositions
        self.noBoundary = noBoundary
    }

    /// Not in the tables because it follows from them.
    private mutating func precomputeSingleScalarSegments() {
        var output: [UInt32] = [], scratch: [UInt32] = []
        for scalar in Set(decompositions.keys).union(foldings.keys).sorted() {
            output.removeAll(keepingCapacity: true)
            runPipeline(CollectionOfOne(scalar), into: &output, scratch: &scratch)
            if output.count != 1 || output[0] != scalar {
                precondition(output.count < 32, "Unicode table mapping too long")
                changesAlone.insert(scalar)
                aloneMappings[scalar] = UInt32(aloneStore.count) << 5 | UInt32(output.count)
                aloneStore.append(contentsOf: output)
            }
        }
    }

    /// Whether NFKC may reorder or compose `scalar` with what precedes it: if not, the text
    /// can be cut before it and each piece normalized on its own.
    @inline(__always)
    func hasBoundaryBefore(_ scalar: UInt32) -> Bool {
        scalar < 0x300 || !noBoundary.contains(scalar)
    }

    /// Whether a segment made of `scalar` alone normalizes to `scalar`.
    @inline(__always)
    func isUnchangedAlone(_ scalar: UInt32) -> Bool {
        !changesAlone.contains(scalar)
    }

    /// `fold(NFKC(scalar))` for a scalar alone in its segment that `isUnchangedAlone` rejects.
    @inline(__always)
    func mappingAlone(_ scalar: UInt32) -> ArraySlice<UInt32> {
        guard let mapping = aloneMappings[scalar] else { return [scalar] }
        let offset = Int(mapping >> 5)
        return aloneStore[offset ..< offset + Int(mapping & 31)]
    }

    /// Appends `fold(NFKC(segment))` to `output`. `segment` must start at a boundary and contain
    /// no other one; `scratch` is working space kept between calls to avoid allocations.
    func normalize(_ segment: [UInt32], into output: inout [UInt32], scratch: inout [UInt32]) {
        if segment.count == 1 {
            output.append(contentsOf: mappingAlone(segment[0]))
        } else {
            runPipeline(segment, into: &output, scratch: &scratch)
        }
    }

    private func runPipeline<S: Sequence>(_ segment: S, into output: inout [UInt32], scratch: inout [UInt32])
    where S.Element == UInt32 {
        scratch.removeAll(keepingCapacity: true)
        for scalar in segment { decompose(scalar, into: &scratch) }
        reorder(&scratch)
        compose(&scratch)
        for scalar in scratch { fold(scalar, into: &output) }
    }

    @inline(__always)
    private func combiningClass(_ scalar: UInt32) -> UInt8 {
        scalar < 0x300 ? 0 : combiningClasses[scalar] ?? 0
    }

    private func decompose(_ scalar: UInt32, into buffer: inout [UInt32]) {
        let sIndex = scalar &- Hangul.sBase
        if sIndex < Hangul.sCount {
            buffer.append(Hangul.lBase + sIndex / Hangul.nCount)
            buffer.append(Hangul.vBase + (sIndex % Hangul.nCount) / Hangul.tCount)
            let t = sIndex % Hangul.tCount
            if t != 0 { buffer.append(Hangul.tBase + t) }
        } else if scalar >= 0xA0, let mapping = decompositions[scalar] {
            let offset = Int(mapping >> 5)
            buffer.append(contentsOf: store[offset ..< offset + Int(mapping & 31)])
        } else {
            buffer.append(scalar)
        }
    }

    /// Canonical ordering: a stable sort by combining class of each run of non-starters.
    private func reorder(_ buffer: inout [UInt32]) {
        var i = 1
        while i < buffer.count {
            let cc = combiningClass(buffer[i])
            if cc != 0 {
                var j = i
                while j > 0 && combiningClass(buffer[j - 1]) > cc {
                    buffer.swapAt(j, j - 1)
                    j -= 1
                }
            }
            i += 1
        }
    }

    /// Canonical composition (UAX #15): a mark composes with the last starter unless a
    /// character in between has class 0 or a class at least its own.
    private func compose(_ buffer: inout [UInt32]) {
        guard buffer.count > 1 else { return }
        var starter = combiningClass(buffer[0]) == 0 ? 0 : -1
        var lastClass = starter == 0 ? 0 : 256
        var out = 1
        for i in 1 ..< buffer.count {
            let scalar = buffer[i]
            let cc = Int(combiningClass(scalar))
            if starter >= 0, lastClass < cc || lastClass == 0,
               let composite = composePair(buffer[starter], scalar) {
                buffer[starter] = composite
                continue
            }
            if cc == 0 { starter = out }
            lastClass = cc
            buffer[out] = scalar
            out += 1
        }
        buffer.removeLast(buffer.count - out)
    }

    private func composePair(_ first: UInt32, _ second: UInt32) -> UInt32? {
        let lIndex = first &- Hangul.lBase, vIndex = second &- Hangul.vBase
        if lIndex < Hangul.lCount && vIndex < Hangul.vCount {
            return Hangul.sBase + (lIndex * Hangul.vCount + vIndex) * Hangul.tCount
        }
        let sIndex = first &- Hangul.sBase, tIndex = second &- Hangul.tBase
        if sIndex < Hangul.sCount && sIndex % Hangul.tCount == 0 && tIndex &- 1 < Hangul.tCount - 1 {
            return first + tIndex
        }
        return compositions[UInt64(first) << 21 | UInt64(second)]
    }

    @inline(__always)
    private func fold(_ scalar: UInt32, into output: inout [UInt32]) {
        if scalar < 0x80 {
            output.append(scalar &- 0x41 < 26 ? scalar | 0x20 : scalar)
        } else if let mapping = foldings[scalar] {
            let offset = Int(mapping >> 5)
            output.append(contentsOf: store[offset ..< offset + Int(mapping & 31)])
        } else {
            output.append(scalar)
        }
    }
}

/// Hangul syllables compose and decompose arithmetically (Unicode §3.12), so they are not in
/// the tables.
private enum Hangul {
    static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100, vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
    static let lCount: UInt32 = 19, vCount: UInt32 = 21, tCount: UInt32 = 28
    static let nCount: UInt32 = vCount * tCount, sCount: UInt32 = lCount * nCount
}

/// A set of scalars with a bitmap for the BMP, where nearly all text lives, so that the
/// per-scalar questions of the tokenizer cost a shift and a mask rather than a hash.
struct ScalarSet: Sendable {
    private var bmp = [UInt64](repeating: 0, count: 1024)
    private var astral = Set<UInt32>()

    mutating func insert(_ scalar: UInt32) {
        if scalar < 0x10000 {
            bmp[Int(scalar >> 6)] |= 1 << UInt64(scalar & 63)
        } else {
            astral.insert(scalar)
        }
    }

    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool {
        scalar < 0x10000 ? bmp[Int(scalar >> 6)] & (1 << UInt64(scalar & 63)) != 0 : astral.contains(scalar)
    }
}
