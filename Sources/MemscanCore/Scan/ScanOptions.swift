/// Risk classes of §4, ordered.
public enum Risk: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case low = 0, medium = 1, high = 2
    public static func < (a: Risk, b: Risk) -> Bool { a.rawValue < b.rawValue }
    public var description: String { ["low", "medium", "high"][rawValue] }
    public init?(name: String) {
        guard let r = Risk.allCases.first(where: { $0.description == name }) else { return nil }
        self = r
    }
}

/// How widely a span is shared across training records.
public enum Rarity: String, Sendable, CaseIterable {
    case unique, rare, common

    /// §4: one record is unique, at most `rareMax` rare; a capped (lower-bound) count is common.
    init(records: Int, capped: Bool, rareMax: Int) {
        self = capped ? .common : (records == 1 ? .unique : (records <= rareMax ? .rare : .common))
    }
}

/// Options of `memscan scan` that shape matching and reporting (§4, §5).
public struct ScanOptions: Sendable {
    /// Minimum new (beyond-prompt) matching tokens; nil means the index's G.
    public var minLength: Int? = nil
    /// Stop counting records containing a span at this many (reported as ">= cap").
    public var recordsCap: Int = 1000
    public var maxRecordIDs: Int = 5
    /// Spans in at most this many records are "rare" (1 is "unique").
    public var rareMax: Int = 5
    /// A shingle (or chain of shingles) held more often than this is sampled rather
    /// than enumerated: templates cost a few verifications instead of thousands, at
    /// the price of the detection guarantee for spans made only of such shingles.
    /// Spans whose record count could not be made exact report `records_capped`.
    /// The default enumerates everything (exhaustive: the guarantee holds).
    public var maxOccurrences: Int = .max
    /// In an exhaustive scan, take the occurrences of very common shingles (templates)
    /// as classes of equal extensions through their context orders instead of one match
    /// per occurrence (see docs/SCAN_DESIGN.md). Same spans; off only to compare.
    public var grouping: Bool = true
    /// Context orders: for shingles held at least this often, built once this many times
    /// their occurrences were extended one at a time (tests lower both).
    var contextMinimum = ContextOrder.minimumOccurrences
    var contextBuildAfter: Int? = nil
    /// Near record counting filters candidates through trigram postings once it has
    /// checked this many windows (nil: a tenth of the corpus tokens). Tests set 0 (every
    /// region with a candidate) or .max (never, even once another scan built them).
    var trigramFilterAfter: Int? = nil
    /// Report near-verbatim spans (§4) as well as verbatim ones.
    public var near: Bool = true
    /// Near-verbatim threshold: 1 - edit distance / longer length.
    public var minSimilarity: Double = 0.8
    /// Near alignment band: the largest drift (insertions minus deletions) between the
    /// generation and the record inside one near span.
    public var nearBand: Int = 12
    /// Near extension crosses at most this many consecutive differences (in edits
    /// net of the matches around them) before it stops.
    public var nearMaxGap: Int = 6
    /// `high` risk needs sensitive content or at least this multiple of minLength new tokens.
    public var highRiskLengthFactor: Int = 2
    /// Emit generations without spans too.
    public var all: Bool = false
    public var threads: Int = 1

    public init() {}

    public func validate() throws {
        // Upper bounds keep arithmetic on them (a cap plus one, a multiple of the minimum
        // length) in range; an index holds fewer than 2^31 records and tokens anyway.
        if let minLength, !(1 ... Int(Int32.max)).contains(minLength) {
            throw MemscanError.usage("--min-length must be in 1...\(Int32.max) (got \(minLength))")
        }
        guard (1 ... Int(Int32.max)).contains(recordsCap) else {
            throw MemscanError.usage("--records-cap must be in 1...\(Int32.max) (got \(recordsCap))")
        }
        guard maxRecordIDs >= 0 else { throw MemscanError.usage("--max-record-ids must not be negative") }
        guard rareMax >= 1 else { throw MemscanError.usage("--rare-max must be at least 1") }
        guard maxOccurrences >= 1 else { throw MemscanError.usage("--max-occurrences must be at least 1") }
        guard (0 ... 1).contains(minSimilarity) else { throw MemscanError.usage("--min-similarity must be between 0 and 1 (got \(minSimilarity))") }
        guard (0 ... 1000).contains(nearBand) else { throw MemscanError.usage("--near-band must be in 0...1000 (got \(nearBand))") }
        guard (1 ... 1000).contains(nearMaxGap) else { throw MemscanError.usage("--near-max-gap must be in 1...1000 (got \(nearMaxGap))") }
        try validateThreads(threads)
    }
}
