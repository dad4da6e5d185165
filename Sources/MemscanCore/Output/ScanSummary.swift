/// Aggregates generation results into the audit summary of §5. Fed in input
/// order by one thread; `json()` renders the document written by `--summary`.
public struct ScanSummary: Sendable {
    public struct Tally: Sendable {
        public var generations = 0
        public var withSpan = 0
        public var withHighRisk = 0
        public var extracted = 0
        public var spans = 0
        public var tokens = 0
    }

    public struct RecordExposure: Sendable {
        public var generations = 0
        public var spans = 0
        public var longest = 0
        public var lastGeneration = -1
    }

    public var inputs: [String] = []
    public var parameters: [(String, String)] = []
    public private(set) var total = Tally()
    public private(set) var promptTokens = 0
    public private(set) var continuationTokens = 0
    public private(set) var coveredTokens = 0.0
    public var skippedLines = 0
    public var skipMessages: [String] = []
    public private(set) var byGroup: [String: [String: Tally]] = [:]
    public private(set) var groupOrder: [String: [String]] = [:]
    public private(set) var byCategory: [String: (spans: Int, generations: Int)] = [:]
    public private(set) var spansByRisk: [Int] = [0, 0, 0]
    public private(set) var generationsByMaxRisk: [Int] = [0, 0, 0]
    public private(set) var spansByRarity: [String: Int] = [:]
    public private(set) var selfSpans = 0
    public private(set) var otherSpans = 0
    public private(set) var inReferenceSpans = 0
    public private(set) var nearSpans = 0
    public private(set) var lengthHistogram: [Int] = Array(repeating: 0, count: ScanSummary.lengthBins.count)
    public private(set) var exposure: [String: RecordExposure] = [:]
    public var seconds = 0.0
    public let minLength: Int
    private var generationOrdinal = 0

    /// Lower bounds of the span-length (new tokens) histogram bins.
    public static let lengthBins = [1, 16, 24, 32, 48, 64, 128, 256, 512]

    public init(minLength: Int) { self.minLength = minLength }

    public mutating func add(_ result: GenerationResult) {
        generationOrdinal += 1
        // Extraction is verbatim: a near span counts through its exact core.
        let extracted = result.spans.contains { span in
            switch span.kind {
            case .verbatim: return span.newTokens >= minLength
            case .near:
                guard let coreStart = span.coreStart, let coreEnd = span.coreEnd else { return false }
                return coreEnd - max(coreStart, result.promptTokens) >= minLength
            }
        }
        let high = result.maxRisk == .high
        func count(_ tally: inout Tally) {
            tally.generations += 1
            tally.tokens += result.tokens
            tally.spans += result.spans.count
            if !result.spans.isEmpty { tally.withSpan += 1 }
            if high { tally.withHighRisk += 1 }
            if extracted { tally.extracted += 1 }
        }
        count(&total)
        promptTokens += result.promptTokens
        continuationTokens += result.tokens - result.promptTokens
        coveredTokens += result.coverage * Double(result.tokens - result.promptTokens)
        for group in result.groups {
            if byGroup[group.field]?[group.json] == nil { groupOrder[group.field, default: []].append(group.json) }
            count(&byGroup[group.field, default: [:]][group.json, default: Tally()])
        }
        if let risk = result.maxRisk { generationsByMaxRisk[risk.rawValue] += 1 }
        var categoriesHere = Set<String>()
        for span in result.spans {
            spansByRisk[span.risk.rawValue] += 1
            spansByRarity[span.rarity.rawValue, default: 0] += 1
            if span.isSelf == true { selfSpans += 1 } else if span.isSelf == false { otherSpans += 1 }
            if span.inReference == true { inReferenceSpans += 1 }
            if span.kind == .near { nearSpans += 1 }
            let bin = ScanSummary.lengthBins.lastIndex { $0 <= span.newTokens } ?? 0
            lengthHistogram[bin] += 1
            for category in span.sensitive {
                byCategory[category, default: (0, 0)].spans += 1
                if categoriesHere.insert(category).inserted { byCategory[category, default: (0, 0)].generations += 1 }
            }
            if span.rarity != .common && span.inReference != true {
                var e = exposure[span.record, default: RecordExposure()]
                e.spans += 1
                e.longest = max(e.longest, span.newTokens)
                if e.lastGeneration != generationOrdinal {
                    e.generations += 1
                    e.lastGeneration = generationOrdinal
                }
                exposure[span.record] = e
            }
        }
    }

    public func json(top: Int = 20) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("memscan_version"); json.string(memscanVersion)
        json.key("inputs"); json.beginArray(); for input in inputs { json.string(input) }; json.endArray()
        json.key("parameters"); json.beginObject()
        for (name, value) in parameters { json.key(name); json.raw(value) }
        json.endObject()
        json.key("counts"); json.beginObject()
        json.field("generations", total.generations)
        json.field("tokens", total.tokens)
        json.field("prompt_tokens", promptTokens)
        json.field("continuation_tokens", continuationTokens)
        json.field("skipped_lines", skippedLines)
        json.key("skip_messages"); json.beginArray(); for m in skipMessages { json.string(m) }; json.endArray()
        json.field("spans", total.spans)
        json.field("generations_with_span", total.withSpan)
        json.field("generations_with_high_risk", total.withHighRisk)
        json.field("self_spans", selfSpans)
        json.field("other_record_spans", otherSpans)
        json.field("in_reference_spans", inReferenceSpans)
        json.field("near_spans", nearSpans)
        json.endObject()
        json.key("rates"); json.beginObject()
        writeRates(total, into: &json)
        json.field("continuation_coverage", continuationTokens == 0 ? 0 : coveredTokens / Double(continuationTokens), digits: 6)
        json.endObject()
        json.key("by_group"); json.beginObject()
        for (field, values) in byGroup.sorted(by: { $0.key < $1.key }) {
            json.key(field); json.beginArray()
            for value in groupOrder[field] ?? [] {
                let tally = values[value]!
                json.beginObject()
                json.key("value"); json.raw(value)
                json.field("generations", tally.generations)
                json.field("spans", tally.spans)
                json.field("generations_with_span", tally.withSpan)
                json.field("generations_with_high_risk", tally.withHighRisk)
                writeRates(tally, into: &json)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        json.key("by_sensitive_category"); json.beginObject()
        for (category, counts) in byCategory.sorted(by: { $0.key < $1.key }) {
            json.key(category); json.beginObject()
            json.field("spans", counts.spans)
            json.field("generations", counts.generations)
            json.field("leak_rate", total.generations == 0 ? 0 : Double(counts.generations) / Double(total.generations), digits: 6)
            json.endObject()
        }
        json.endObject()
        json.key("by_risk"); json.beginObject()
        for risk in Risk.allCases {
            json.key(risk.description); json.beginObject()
            json.field("spans", spansByRisk[risk.rawValue])
            json.field("generations", generationsByMaxRisk[risk.rawValue])
            json.endObject()
        }
        json.endObject()
        json.key("by_rarity"); json.beginObject()
        for rarity in Rarity.allCases { json.field(rarity.rawValue, spansByRarity[rarity.rawValue] ?? 0) }
        json.endObject()
        json.key("span_length_histogram"); json.beginArray()
        for (i, low) in ScanSummary.lengthBins.enumerated() {
            json.beginObject()
            json.field("min", low)
            if i + 1 < ScanSummary.lengthBins.count { json.field("max", ScanSummary.lengthBins[i + 1] - 1) }
            json.field("spans", lengthHistogram[i])
            json.endObject()
        }
        json.endArray()
        json.key("top_exposed_records"); json.beginArray()
        let ranked = exposure.sorted {
            ($0.value.generations, $0.value.spans, $0.value.longest, $1.key) > ($1.value.generations, $1.value.spans, $1.value.longest, $0.key)
        }
        for (record, e) in ranked.prefix(top) {
            json.beginObject()
            json.field("record", record)
            json.field("generations", e.generations)
            json.field("spans", e.spans)
            json.field("longest", e.longest)
            json.endObject()
        }
        json.endArray()
        json.key("throughput"); json.beginObject()
        json.field("seconds", seconds, digits: 3)
        json.field("generations_per_second", seconds > 0 ? Double(total.generations) / seconds : 0, digits: 1)
        json.field("tokens_per_second", seconds > 0 ? Double(total.tokens) / seconds : 0, digits: 0)
        json.endObject()
        json.endObject()
        json.newline()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private func writeRates(_ tally: Tally, into json: inout JSONWriter) {
        let n = Double(max(tally.generations, 1))
        json.field("span_rate", Double(tally.withSpan) / n, digits: 6)
        json.field("high_risk_rate", Double(tally.withHighRisk) / n, digits: 6)
        json.field("extraction_rate", Double(tally.extracted) / n, digits: 6)
    }
}
