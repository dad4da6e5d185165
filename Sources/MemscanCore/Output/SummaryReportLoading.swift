#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loading a summary: reads the file, parses it with `SummaryJSONParser` and turns the
/// result into a `Document`, with errors that name the file and the place at fault.
extension SummaryReport {
    /// Reads and validates a summary. Unreadable files give `MemscanError.io`;
    /// malformed JSON or a missing or mistyped field gives `MemscanError.input`
    /// naming the file and the field (e.g. `counts.generations`).
    public static func load(path: String) throws -> Document {
        let bytes = try readFile(path)
        let root: SummaryJSONValue
        do throws(SummaryJSONParser.Failure) {
            var parser = SummaryJSONParser(bytes: bytes)
            root = try parser.document()
        } catch {
            let (line, column) = position(of: error.offset, in: bytes)
            var message = "not a valid summary: \(error.message) (column \(column))"
            if error.trailingData {
                message += "; memscan report reads the single JSON document written by scan --summary, not the spans JSONL"
            }
            throw MemscanError.input(SourceLocation(file: path, line: line), message)
        }
        return try DocumentReader(path: path).document(root)
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MemscanError.io(path: path, "cannot open: \(errnoText())") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MemscanError.io(path: path, "read failed: \(errnoText())")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0 ..< n])
        }
        return bytes
    }

    private static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for b in bytes[0 ..< min(offset, bytes.count)] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}

/// Turns the parsed JSON into a `Document`, naming the field at fault.
private struct DocumentReader {
    typealias Document = SummaryReport.Document
    let path: String

    func fail(_ message: String) -> MemscanError {
        .input(SourceLocation(file: path, line: 0), message)
    }

    func mistyped(_ field: String, _ expected: String, _ value: SummaryJSONValue) -> MemscanError {
        fail("field \"\(field)\" should be \(expected), found \(value.kindName)")
    }

    func object(_ value: SummaryJSONValue, _ field: String) throws -> [(String, SummaryJSONValue)] {
        guard case .object(let members) = value else { throw mistyped(field, "an object", value) }
        return members
    }

    /// The member, or nil when absent or null.
    func optional(_ parent: SummaryJSONValue, _ key: String) -> SummaryJSONValue? {
        guard let v = parent[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func required(_ parent: SummaryJSONValue, _ key: String, _ field: String) throws -> SummaryJSONValue {
        guard let v = parent[key] else { throw fail("missing field \"\(field)\"") }
        return v
    }

    func int(_ value: SummaryJSONValue, _ field: String) throws -> Int {
        guard case .number(let d, _) = value, d >= 0, d == d.rounded(), d < 9e15 else {
            throw mistyped(field, "a non-negative integer", value)
        }
        return Int(d)
    }

    func double(_ value: SummaryJSONValue, _ field: String) throws -> Double {
        guard case .number(let d, let text) = value else { throw mistyped(field, "a number", value) }
        // JSON has no infinities: 1e999 reads as one, and a rate or throughput that is not
        // finite is a damaged summary, not something to draw.
        guard d.isFinite else { throw fail("field \"\(field)\" should be a finite number, found \(text)") }
        return d
    }

    func string(_ value: SummaryJSONValue, _ field: String) throws -> String {
        switch value {
        case .string(let s): return s
        case .number(_, let text): return text  // record ids written as numbers
        default: throw mistyped(field, "a string", value)
        }
    }

    func requiredInt(_ parent: SummaryJSONValue, _ key: String, _ prefix: String) throws -> Int {
        try int(try required(parent, key, prefix + key), prefix + key)
    }

    func optionalInt(_ parent: SummaryJSONValue, _ key: String, _ prefix: String) throws -> Int? {
        try optional(parent, key).map { try int($0, prefix + key) }
    }

    func optionalDouble(_ parent: SummaryJSONValue, _ key: String, _ prefix: String) throws -> Double? {
        try optional(parent, key).map { try double($0, prefix + key) }
    }

    func array(_ parent: SummaryJSONValue, _ key: String) throws -> [SummaryJSONValue]? {
        guard let v = optional(parent, key) else { return nil }
        guard case .array(let items) = v else { throw mistyped(key, "an array", v) }
        return items
    }

    func document(_ root: SummaryJSONValue) throws -> Document {
        guard case .object = root else { throw fail("a summary is a JSON object, found \(root.kindName)") }
        guard let countsValue = root["counts"] else {
            throw fail("missing field \"counts\" (is this a summary written by scan --summary?)")
        }
        _ = try object(countsValue, "counts")

        // Counts.
        let p = "counts."
        let counts = Document.Counts(
            generations: try requiredInt(countsValue, "generations", p),
            tokens: try optionalInt(countsValue, "tokens", p),
            promptTokens: try optionalInt(countsValue, "prompt_tokens", p),
            continuationTokens: try optionalInt(countsValue, "continuation_tokens", p),
            skippedLines: try optionalInt(countsValue, "skipped_lines", p),
            skipMessages: try (array(countsValue, "skip_messages") ?? []).enumerated().map {
                try string($1, "counts.skip_messages[\($0)]")
            },
            spans: try requiredInt(countsValue, "spans", p),
            generationsWithSpan: try requiredInt(countsValue, "generations_with_span", p),
            generationsWithHighRisk: try requiredInt(countsValue, "generations_with_high_risk", p),
            selfSpans: try optionalInt(countsValue, "self_spans", p),
            otherRecordSpans: try optionalInt(countsValue, "other_record_spans", p),
            inReferenceSpans: try optionalInt(countsValue, "in_reference_spans", p),
            nearSpans: try optionalInt(countsValue, "near_spans", p))

        // Rates: derived from the counts when absent.
        func ratio(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
        var rates = Document.Rates(spanRate: ratio(counts.generationsWithSpan, counts.generations),
                                   highRiskRate: ratio(counts.generationsWithHighRisk, counts.generations))
        if let r = optional(root, "rates") {
            _ = try object(r, "rates")
            rates.spanRate = try optionalDouble(r, "span_rate", "rates.") ?? rates.spanRate
            rates.highRiskRate = try optionalDouble(r, "high_risk_rate", "rates.") ?? rates.highRiskRate
            rates.extractionRate = try optionalDouble(r, "extraction_rate", "rates.")
            rates.continuationCoverage = try optionalDouble(r, "continuation_coverage", "rates.")
        }

        var doc = Document(path: path, counts: counts, rates: rates)
        if let v = optional(root, "memscan_version") { doc.version = try string(v, "memscan_version") }
        doc.inputs = try (array(root, "inputs") ?? []).enumerated().map { try string($1, "inputs[\($0)]") }
        if let params = optional(root, "parameters") {
            doc.parameters = try object(params, "parameters").map { name, value in
                let isNull: Bool
                if case .null = value { isNull = true } else { isNull = false }
                return Document.Parameter(name: name, value: value.display, isNull: isNull)
            }
        }

        // Group-by fields.
        if let groups = optional(root, "by_group") {
            for (field, value) in try object(groups, "by_group") {
                guard case .array(let items) = value else { throw mistyped("by_group.\(field)", "an array", value) }
                var rows: [Document.GroupRow] = []
                for (n, item) in items.enumerated() {
                    let prefix = "by_group.\(field)[\(n)]."
                    _ = try object(item, String(prefix.dropLast()))
                    let raw = try required(item, "value", prefix + "value")
                    var number: Double?
                    if case .number(let d, _) = raw { number = d }
                    let generations = try requiredInt(item, "generations", prefix)
                    let withSpan = try optionalInt(item, "generations_with_span", prefix)
                    let withHigh = try optionalInt(item, "generations_with_high_risk", prefix)
                    guard let spanRate = try optionalDouble(item, "span_rate", prefix) ?? withSpan.map({ ratio($0, generations) }) else {
                        throw fail("missing field \"\(prefix)span_rate\"")
                    }
                    guard let highRate = try optionalDouble(item, "high_risk_rate", prefix) ?? withHigh.map({ ratio($0, generations) }) else {
                        throw fail("missing field \"\(prefix)high_risk_rate\"")
                    }
                    let display: String
                    if case .null = raw { display = "null" } else { display = raw.display }
                    rows.append(Document.GroupRow(
                        value: display, number: number, generations: generations,
                        spans: try optionalInt(item, "spans", prefix),
                        generationsWithSpan: withSpan, generationsWithHighRisk: withHigh,
                        spanRate: spanRate, highRiskRate: highRate,
                        extractionRate: try optionalDouble(item, "extraction_rate", prefix)))
                }
                rows.sort { a, b in
                    switch (a.number, b.number) {
                    case let (x?, y?): return x < y
                    case (_?, nil): return true
                    case (nil, _?): return false
                    case (nil, nil): return a.value.unicodeScalars.lexicographicallyPrecedes(b.value.unicodeScalars)
                    }
                }
                doc.groups.append(Document.GroupTable(field: field, rows: rows))
            }
            // Fields in the order they were given to --group-by.
            if case .array(let names)? = optional(optional(root, "parameters") ?? .null, "group_by") {
                let order = names.compactMap { if case .string(let s) = $0 { s } else { nil } }
                func rank(_ field: String) -> Int { order.firstIndex(of: field) ?? order.count }
                doc.groups = doc.groups.enumerated().sorted { (rank($0.element.field), $0.offset) < (rank($1.element.field), $1.offset) }.map(\.element)
            }
        }

        // Sensitive categories.
        if let cats = optional(root, "by_sensitive_category") {
            doc.categories = try object(cats, "by_sensitive_category").map { name, value in
                let prefix = "by_sensitive_category.\(name)."
                _ = try object(value, String(prefix.dropLast()))
                return Document.Category(name: name, spans: try optionalInt(value, "spans", prefix),
                                         generations: try optionalInt(value, "generations", prefix),
                                         leakRate: try optionalDouble(value, "leak_rate", prefix))
            }
        }

        // Risk classes, most severe first.
        if let risks = optional(root, "by_risk") {
            let members = try object(risks, "by_risk")
            let order = ["high", "medium", "low"]
            doc.risks = try members.map { name, value in
                let prefix = "by_risk.\(name)."
                _ = try object(value, String(prefix.dropLast()))
                return Document.RiskRow(name: name, spans: try requiredInt(value, "spans", prefix),
                                        generations: try optionalInt(value, "generations", prefix))
            }.sorted { (order.firstIndex(of: $0.name) ?? order.count) < (order.firstIndex(of: $1.name) ?? order.count) }
        }
        if let rarities = optional(root, "by_rarity") {
            let order = ["unique", "rare", "common"]
            doc.rarities = try object(rarities, "by_rarity").map { name, value in
                Document.RarityRow(name: name, spans: try int(value, "by_rarity.\(name)"))
            }.sorted { (order.firstIndex(of: $0.name) ?? order.count) < (order.firstIndex(of: $1.name) ?? order.count) }
        }

        // Histogram.
        doc.histogram = try (array(root, "span_length_histogram") ?? []).enumerated().map { n, bin in
            let prefix = "span_length_histogram[\(n)]."
            _ = try object(bin, String(prefix.dropLast()))
            return Document.Bin(min: try requiredInt(bin, "min", prefix), max: try optionalInt(bin, "max", prefix),
                                spans: try requiredInt(bin, "spans", prefix))
        }

        // Top exposed records.
        doc.topRecords = try (array(root, "top_exposed_records") ?? []).enumerated().map { n, item in
            let prefix = "top_exposed_records[\(n)]."
            _ = try object(item, String(prefix.dropLast()))
            return Document.ExposedRecord(
                record: try string(try required(item, "record", prefix + "record"), prefix + "record"),
                generations: try requiredInt(item, "generations", prefix),
                spans: try optionalInt(item, "spans", prefix),
                longest: try optionalInt(item, "longest", prefix))
        }

        if let t = optional(root, "throughput") {
            _ = try object(t, "throughput")
            doc.throughput = Document.Throughput(
                seconds: try optionalDouble(t, "seconds", "throughput."),
                generationsPerSecond: try optionalDouble(t, "generations_per_second", "throughput."),
                tokensPerSecond: try optionalDouble(t, "tokens_per_second", "throughput."))
        }
        return doc
    }
}
