/// Renders the summary written by `scan --summary` (§5) for people: a terminal
/// report and a self-contained HTML page (inline CSS and SVG, no scripts).
///
/// The summary is parsed with a small order-preserving JSON reader rather than
/// Foundation's JSONSerialization, so that group values keep their exact JSON
/// text (`10` stays `10`, `true` is not confused with `1`) and parameters keep
/// the order `scan` wrote them in.
public enum SummaryReport {
    // MARK: Document

    /// A loaded summary. Counts that `scan` always writes are required; every
    /// other section is optional and is empty or nil when absent.
    public struct Document: Sendable {
        public struct Parameter: Sendable, Equatable {
            public var name: String
            /// Display text: strings unquoted, arrays joined with ", ", null as "none".
            public var value: String
            /// True when the JSON value was null.
            public var isNull: Bool
        }

        public struct Counts: Sendable, Equatable {
            public var generations: Int
            public var tokens: Int?
            public var promptTokens: Int?
            public var continuationTokens: Int?
            public var skippedLines: Int?
            public var skipMessages: [String] = []
            public var spans: Int
            public var generationsWithSpan: Int
            public var generationsWithHighRisk: Int
            public var selfSpans: Int?
            public var otherRecordSpans: Int?
            public var inReferenceSpans: Int?
            public var nearSpans: Int?
        }

        public struct Rates: Sendable, Equatable {
            public var spanRate: Double
            public var highRiskRate: Double
            public var extractionRate: Double?
            public var continuationCoverage: Double?
        }

        public struct GroupRow: Sendable, Equatable {
            /// Display text of the value: strings unquoted, other JSON as written.
            public var value: String
            /// The numeric value, for ordering, when the JSON value is a number.
            public var number: Double?
            public var generations: Int
            public var spans: Int?
            public var generationsWithSpan: Int?
            public var generationsWithHighRisk: Int?
            public var spanRate: Double
            public var highRiskRate: Double
            public var extractionRate: Double?
        }

        /// One group-by field; rows ordered numerically when every value is a
        /// number, otherwise numbers first and then strings in code-point order.
        public struct GroupTable: Sendable, Equatable {
            public var field: String
            public var rows: [GroupRow]
        }

        public struct Category: Sendable, Equatable {
            public var name: String
            public var spans: Int?
            public var generations: Int?
            public var leakRate: Double?
        }

        public struct RiskRow: Sendable, Equatable {
            public var name: String
            public var spans: Int
            /// Generations whose highest-risk span is of this class.
            public var generations: Int?
        }

        public struct RarityRow: Sendable, Equatable {
            public var name: String
            public var spans: Int
        }

        public struct Bin: Sendable, Equatable {
            public var min: Int
            /// Inclusive upper bound; nil for the open last bin.
            public var max: Int?
            public var spans: Int
            public var label: String { max.map { $0 == min ? "\(min)" : "\(min)–\($0)" } ?? "\(min)+" }
        }

        public struct ExposedRecord: Sendable, Equatable {
            public var record: String
            public var generations: Int
            public var spans: Int?
            public var longest: Int?
        }

        public struct Throughput: Sendable, Equatable {
            public var seconds: Double?
            public var generationsPerSecond: Double?
            public var tokensPerSecond: Double?
        }

        /// The summary file as given.
        public var path: String
        public var version: String?
        public var inputs: [String] = []
        public var parameters: [Parameter] = []
        public var counts: Counts
        public var rates: Rates
        public var groups: [GroupTable] = []
        /// Nil when the section is absent; empty when no span was sensitive.
        public var categories: [Category]?
        /// Ordered high, medium, low (then any other class names).
        public var risks: [RiskRow] = []
        /// Ordered unique, rare, common (then any other names).
        public var rarities: [RarityRow] = []
        public var histogram: [Bin] = []
        public var topRecords: [ExposedRecord] = []
        public var throughput: Throughput?

        public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }
    }
}
