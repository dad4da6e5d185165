/// Kind of a reported span (§4).
public enum SpanKind: String, Sendable {
    case verbatim, near
}

/// Edit counts of a near-verbatim span (all zero for verbatim spans).
public struct EditCounts: Sendable, Equatable {
    public var substitutions = 0
    public var insertions = 0
    public var deletions = 0
    public var total: Int { substitutions + insertions + deletions }
    public init(substitutions: Int = 0, insertions: Int = 0, deletions: Int = 0) {
        self.substitutions = substitutions
        self.insertions = insertions
        self.deletions = deletions
    }
}

/// One reported span of a generation that reproduces training records (§4, §5).
/// Positions are 0-based original token indices, end-exclusive.
public struct Span: Sendable, Equatable {
    public var start: Int
    public var end: Int
    /// Matching tokens beyond the prompt (the length --min-length applies to).
    public var newTokens: Int
    public var kind: SpanKind = .verbatim
    public var similarity: Double = 1
    public var edits = EditCounts()
    /// External id of the representative record, and the span's place in it.
    public var record: String
    public var recordIndex: Int
    public var recordStart: Int
    public var recordEnd: Int
    /// Distinct records containing the span, exact up to the cap.
    public var records: Int
    /// True when `records` is a lower bound (more records than the cap, or a shingle
    /// too common to enumerate).
    public var recordsCapped: Bool
    public var recordIDs: [String]
    /// Whether the representative is the prompting patient's record; nil without a patient.
    public var isSelf: Bool?
    /// Whether the reference corpus holds the span too; nil without --reference.
    public var inReference: Bool?
    public var sensitive: [String] = []
    public var rarity: Rarity
    public var risk: Risk = .low
    /// Character offsets in the generation text (text mode).
    public var charStart: Int?
    public var charEnd: Int?
    /// Near spans: the longest exact match inside the region (original generation
    /// positions); verbatim spans inside a near span are reported only as this.
    public var coreStart: Int?
    public var coreEnd: Int?
    /// The span in matching coordinates (ignored tokens removed).
    var matchingRange: Range<Int> = 0 ..< 0

    public var length: Int { end - start }
}

/// The scan result of one generation (§5).
public struct GenerationResult: Sendable {
    public var id: String
    public var location: SourceLocation
    public var groups: [GroupValue]
    public var tokens: Int
    public var promptTokens: Int
    public var spans: [Span]
    /// Longest new-token span.
    public var longest: Int
    /// Fraction of continuation tokens inside spans.
    public var coverage: Double
    public var maxRisk: Risk?
    public var patientID: String?
}
