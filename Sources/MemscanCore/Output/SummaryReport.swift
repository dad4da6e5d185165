#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    // MARK: Loading

    /// Reads and validates a summary. Unreadable files give `MemscanError.io`;
    /// malformed JSON or a missing or mistyped field gives `MemscanError.input`
    /// naming the file and the field (e.g. `counts.generations`).
    public static func load(path: String) throws -> Document {
        let bytes = try readFile(path)
        let root: JSONValue
        do throws(JSONParser.Failure) {
            var parser = JSONParser(bytes: bytes)
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

    // MARK: Terminal text

    /// The terminal report. `color` adds ANSI styles (pass `isatty(1) != 0`).
    public static func text(_ doc: Document, color: Bool) -> String {
        var out = TextOutput(color: color)
        let p = { (name: String) in doc.parameter(name) }

        // Header.
        var title = out.style("memscan report", .bold) + "  " + terminalSafe(doc.path)
        if let version = doc.version { title += out.style("  (memscan \(terminalSafe(version)))", .dim) }
        out.line(title)
        out.line()
        var header: [(String, String)] = []
        if let index = p("index") {
            var details: [String] = []
            if let t = p("tokenizer"), !t.isNull { details.append("\(t.value) tokenizer") }
            if let n = p("index_records"), let v = Int(n.value) { details.append("\(grouped(v)) records") }
            if let n = p("index_tokens"), let v = Int(n.value) { details.append("\(grouped(v)) tokens") }
            header.append(("Index", index.value + (details.isEmpty ? "" : "  (" + details.joined(separator: ", ") + ")")))
        } else if let t = p("tokenizer") {
            header.append(("Tokenizer", t.value))
        }
        if let detection = detectionLine(doc) { header.append(("Detection", detection)) }
        if let matching = matchingLine(doc) { header.append(("Matching", matching)) }
        if let r = p("reference") { header.append(("Reference", r.value)) }
        if let s = p("sensitive") { header.append(("Sensitive", s.value)) }
        if let g = p("group_by"), !g.value.isEmpty { header.append(("Group by", g.value)) }
        header.append(("Inputs", doc.inputs.isEmpty ? "none listed" : doc.inputs.joined(separator: ", ")))
        let others = doc.parameters.filter { !knownParameters.contains($0.name) }
        if !others.isEmpty { header.append(("Other", others.map { "\($0.name)=\($0.value)" }.joined(separator: "  "))) }
        for (label, value) in header {
            out.line(out.style(pad(label, 12), .dim) + terminalSafe(value))
        }

        // Headline figures.
        let c = doc.counts
        out.section("Headline")
        var headline: [[Cell]] = []
        func row(_ label: String, _ count: String, _ rate: String, _ note: String, rateStyle: Style? = nil) {
            headline.append([Cell(label), Cell(count, right: true), Cell(rate, right: true, style: rateStyle), Cell(note, style: .dim)])
        }
        row("Generations", grouped(c.generations), "",
            c.skippedLines.map { $0 > 0 ? "\(grouped($0)) input lines skipped" : "" } ?? "")
        if let tokens = c.tokens {
            var note: [String] = []
            if let pt = c.promptTokens { note.append("prompt \(grouped(pt))") }
            if let ct = c.continuationTokens { note.append("continuation \(grouped(ct))") }
            row("Tokens", grouped(tokens), "", note.joined(separator: " · "))
        }
        var spanNote: [String] = []
        if let s = c.selfSpans { spanNote.append("self \(grouped(s))") }
        if let o = c.otherRecordSpans { spanNote.append("other records \(grouped(o))") }
        if let n = c.nearSpans { spanNote.append("near-verbatim \(grouped(n))") }
        if let r = c.inReferenceSpans, p("reference").map({ !$0.isNull }) ?? true { spanNote.append("in reference \(grouped(r))") }
        row("Spans", grouped(c.spans), "", spanNote.joined(separator: " · "))
        row("Generations with any span", grouped(c.generationsWithSpan), percent(doc.rates.spanRate), "", rateStyle: .bold)
        row("Generations with high risk", grouped(c.generationsWithHighRisk), percent(doc.rates.highRiskRate), "",
            rateStyle: c.generationsWithHighRisk > 0 ? .red : .bold)
        if let e = doc.rates.extractionRate {
            let length = p("min_length").map { "verbatim span ≥ \($0.value) new tokens" } ?? "verbatim span at the minimum length"
            row("Extraction rate", "", percent(e), length, rateStyle: .bold)
        }
        if let cov = doc.rates.continuationCoverage {
            row("Continuation coverage", "", percent(cov), "continuation tokens inside spans")
        }
        out.table(headline, header: nil)
        if !c.skipMessages.isEmpty {
            out.line()
            out.line("  " + out.style("Skipped input:", .yellow))
            for message in c.skipMessages.prefix(10) { out.line("    " + truncate(terminalSafe(message), 110)) }
            if c.skipMessages.count > 10 { out.line(out.style("    … \(c.skipMessages.count - 10) more", .dim)) }
        }

        // Risk and rarity.
        if !doc.risks.isEmpty {
            out.section("By risk", note: "spans by class; generations by their highest-risk span")
            let total = doc.risks.reduce(0) { $0 + $1.spans }
            let rows = doc.risks.map { r in
                [Cell(r.name, style: riskStyle(r.name)), Cell(grouped(r.spans), right: true),
                 Cell(share(r.spans, total), right: true), Cell(r.generations.map(grouped) ?? "–", right: true)]
            }
            out.table(rows, header: ["Risk", "Spans", "Share", "Generations"])
        }
        if !doc.rarities.isEmpty {
            let rareMax = p("rare_max").map { " (rare: ≤ \($0.value) records)" } ?? ""
            out.section("By rarity", note: "spans by how many training records contain them" + rareMax)
            let total = doc.rarities.reduce(0) { $0 + $1.spans }
            let rows = doc.rarities.map { r in
                [Cell(r.name), Cell(grouped(r.spans), right: true), Cell(share(r.spans, total), right: true)]
            }
            out.table(rows, header: ["Rarity", "Spans", "Share"])
        }

        // Group-by fields.
        for table in doc.groups {
            out.section("By \(terminalSafe(table.field))")
            if table.rows.isEmpty { out.line(out.style("  no generations", .dim)); continue }
            let rows = table.rows.map { r in
                [Cell(truncate(terminalSafe(r.value), 40)),
                 Cell(grouped(r.generations), right: true),
                 Cell(r.spans.map(grouped) ?? "–", right: true),
                 Cell(r.generationsWithSpan.map(grouped) ?? "–", right: true),
                 Cell(percent(r.spanRate), right: true, style: .bold),
                 Cell(r.generationsWithHighRisk.map(grouped) ?? "–", right: true),
                 Cell(percent(r.highRiskRate), right: true, style: r.highRiskRate > 0 ? .red : nil),
                 Cell(r.extractionRate.map(percent) ?? "–", right: true),
                 Cell(bar(r.spanRate, of: 1, width: 20), style: .cyan)]
            }
            out.table(rows, header: [truncate(terminalSafe(table.field), 40), "Generations", "Spans", "With span", "Span rate",
                                     "High risk", "High-risk rate", "Extraction", ""])
        }

        // Sensitive categories.
        if let categories = doc.categories {
            out.section("Sensitive categories", note: "leak rate: generations with a span in the category")
            if categories.isEmpty {
                let none = p("sensitive").map { $0.isNull } ?? false
                out.line(out.style(none ? "  not checked (scan without --sensitive)" : "  no span contained sensitive content", .dim))
            } else {
                let rows = categories.map { cat in
                    [Cell(truncate(terminalSafe(cat.name), 40)), Cell(cat.spans.map(grouped) ?? "–", right: true),
                     Cell(cat.generations.map(grouped) ?? "–", right: true),
                     Cell(cat.leakRate.map(percent) ?? "–", right: true, style: .bold)]
                }
                out.table(rows, header: ["Category", "Spans", "Generations", "Leak rate"])
            }
        }

        // Span-length histogram.
        if !doc.histogram.isEmpty {
            out.section("Span length", note: "new tokens beyond the prompt")
            let top = doc.histogram.map(\.spans).max() ?? 0
            let labelWidth = doc.histogram.map(\.label.count).max() ?? 0
            let rows = doc.histogram.map { b in
                [Cell(pad(b.label, labelWidth, right: true) + " │"), Cell(grouped(b.spans), right: true),
                 Cell(bar(Double(b.spans), of: Double(top), width: 40), style: .cyan)]
            }
            out.table(rows, header: nil)
        }

        // Top exposed records.
        if !doc.topRecords.isEmpty {
            out.section("Top exposed records", note: "by generations reproducing them in unique or rare spans")
            let rows = doc.topRecords.enumerated().map { i, r in
                [Cell("\(i + 1)", right: true), Cell(truncate(terminalSafe(r.record), 40)),
                 Cell(grouped(r.generations), right: true), Cell(r.spans.map(grouped) ?? "–", right: true),
                 Cell(r.longest.map(grouped) ?? "–", right: true)]
            }
            out.table(rows, header: ["#", "Record", "Generations", "Spans", "Longest"])
        }

        // Throughput.
        if let t = doc.throughput, let summary = throughputLine(t) {
            out.section("Throughput")
            out.line("  " + summary)
        }
        return out.text
    }

    private static let knownParameters: Set<String> = [
        "index", "tokenizer", "k", "w", "guaranteed_length", "index_records", "index_tokens", "min_length",
        "near", "min_similarity", "records_cap", "rare_max", "threads", "reference", "sensitive", "group_by",
    ]

    private static func detectionLine(_ doc: Document) -> String? {
        var parts: [String] = []
        if let k = doc.parameter("k") { parts.append("k=\(k.value)") }
        if let w = doc.parameter("w") { parts.append("w=\(w.value)") }
        if let g = doc.parameter("guaranteed_length") {
            parts.append("G=\(g.value)")
            parts.append("(every verbatim span of ≥ \(g.value) tokens is found)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "  ")
    }

    private static func matchingLine(_ doc: Document) -> String? {
        var parts: [String] = []
        if let m = doc.parameter("min_length") {
            var text = "min length \(m.value)"
            if let g = doc.parameter("guaranteed_length"), let mv = Int(m.value), let gv = Int(g.value), mv < gv {
                text += " (best effort below G)"
            }
            parts.append(text)
        }
        if let near = doc.parameter("near") {
            if near.value == "true" {
                parts.append("near-verbatim on" + (doc.parameter("min_similarity").map { " (similarity ≥ \($0.value))" } ?? ""))
            } else {
                parts.append("near-verbatim off")
            }
        }
        if let r = doc.parameter("rare_max") { parts.append("rare ≤ \(r.value) records") }
        if let c = doc.parameter("records_cap") { parts.append("records cap \(c.value)") }
        if let t = doc.parameter("threads") { parts.append("\(t.value) threads") }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    private static func throughputLine(_ t: Document.Throughput) -> String? {
        var parts: [String] = []
        if let s = t.seconds { parts.append("\(decimal(s, 3)) s") }
        if let g = t.generationsPerSecond { parts.append("\(decimal(g, 1)) generations/s") }
        if let k = t.tokensPerSecond { parts.append("\(grouped(Int(k.rounded()))) tokens/s") }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    private static func riskStyle(_ name: String) -> Style? {
        switch name {
        case "high": return .red
        case "medium": return .yellow
        case "low": return .green
        default: return nil
        }
    }

    /// Unicode bar of `value / total` of `width` cells, with eighth-block resolution.
    static func bar(_ value: Double, of total: Double, width: Int) -> String {
        guard total > 0, value > 0, value.isFinite else { return "" }
        let eighths = Int((min(value / total, 1) * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let text = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        return text.isEmpty ? "▏" : text  // a non-zero count always shows
    }

    // MARK: HTML

    /// One self-contained HTML page (inline CSS and SVG, no scripts or external
    /// resources). Every string from the summary is HTML-escaped.
    public static func html(_ doc: Document) -> String {
        var h = ""
        let c = doc.counts
        let p = { (name: String) in doc.parameter(name) }
        h += """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>memscan report: \(escape(doc.path))</title>
        <style>\(css)</style>
        </head>
        <body>
        <main>
        <header>
        <h1>memscan report</h1>
        <p class="sub">\(escape(doc.path))\(doc.version.map { " · memscan " + escape($0) } ?? "")</p>

        """
        // Parameters.
        h += "<dl class=\"params\">\n"
        func param(_ label: String, _ value: String?) {
            guard let value else { return }
            h += "<dt>\(escape(label))</dt><dd>\(escape(value))</dd>\n"
        }
        if let index = p("index") {
            var details: [String] = []
            if let t = p("tokenizer"), !t.isNull { details.append("\(t.value) tokenizer") }
            if let n = p("index_records"), let v = Int(n.value) { details.append("\(grouped(v)) records") }
            if let n = p("index_tokens"), let v = Int(n.value) { details.append("\(grouped(v)) tokens") }
            param("Index", index.value + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")"))
        } else {
            param("Tokenizer", p("tokenizer")?.value)
        }
        param("Detection", detectionLine(doc))
        param("Matching", matchingLine(doc))
        param("Reference", p("reference")?.value)
        param("Sensitive", p("sensitive")?.value)
        if let g = p("group_by"), !g.value.isEmpty { param("Group by", g.value) }
        param("Inputs", doc.inputs.isEmpty ? "none listed" : doc.inputs.joined(separator: ", "))
        let others = doc.parameters.filter { !knownParameters.contains($0.name) }
        if !others.isEmpty { param("Other", others.map { "\($0.name)=\($0.value)" }.joined(separator: "  ")) }
        h += "</dl>\n</header>\n"

        // Headline cards.
        h += "<section class=\"cards\">\n"
        func card(_ label: String, _ value: String, _ note: String, _ cls: String = "") {
            h += "<div class=\"card \(cls)\"><div class=\"label\">\(escape(label))</div><div class=\"value\">\(escape(value))</div><div class=\"note\">\(escape(note))</div></div>\n"
        }
        card("Generations", grouped(c.generations), c.tokens.map { "\(grouped($0)) tokens" } ?? "")
        card("Spans", grouped(c.spans), [c.selfSpans.map { "self \(grouped($0))" }, c.otherRecordSpans.map { "other \(grouped($0))" },
                                       c.nearSpans.map { "near \(grouped($0))" }]
            .compactMap { $0 }.joined(separator: " · "))
        card("With any span", percent(doc.rates.spanRate), "\(grouped(c.generationsWithSpan)) of \(grouped(c.generations)) generations")
        card("With high risk", percent(doc.rates.highRiskRate), "\(grouped(c.generationsWithHighRisk)) of \(grouped(c.generations)) generations",
             c.generationsWithHighRisk > 0 ? "alert" : "")
        if let e = doc.rates.extractionRate {
            card("Extraction rate", percent(e), p("min_length").map { "verbatim ≥ \($0.value) new tokens" } ?? "verbatim at min length")
        }
        if let cov = doc.rates.continuationCoverage {
            card("Continuation coverage", percent(cov), "continuation tokens inside spans")
        }
        h += "</section>\n"
        if let skipped = c.skippedLines, skipped > 0 {
            h += "<section><h2>Skipped input</h2><p>\(grouped(skipped)) input lines were skipped.</p>"
            if !c.skipMessages.isEmpty {
                h += "<ul class=\"skips\">" + c.skipMessages.prefix(50).map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            }
            h += "</section>\n"
        }

        // Risk and rarity.
        if !doc.risks.isEmpty || !doc.rarities.isEmpty {
            h += "<section class=\"two\">\n"
            if !doc.risks.isEmpty {
                let total = doc.risks.reduce(0) { $0 + $1.spans }
                h += "<div><h2>By risk</h2><p class=\"hint\">Spans by class; generations by their highest-risk span.</p>\n"
                h += stackedBar(doc.risks.map { ($0.name, $0.spans, riskColor($0.name)) })
                h += "<table><thead><tr><th>Risk</th><th class=\"n\">Spans</th><th class=\"n\">Share</th><th class=\"n\">Generations</th></tr></thead><tbody>\n"
                for r in doc.risks {
                    h += "<tr><td><span class=\"dot\" style=\"background:\(riskColor(r.name))\"></span>\(escape(r.name))</td><td class=\"n\">\(grouped(r.spans))</td><td class=\"n\">\(share(r.spans, total))</td><td class=\"n\">\(r.generations.map(grouped) ?? "–")</td></tr>\n"
                }
                h += "</tbody></table></div>\n"
            }
            if !doc.rarities.isEmpty {
                let total = doc.rarities.reduce(0) { $0 + $1.spans }
                let rareMax = p("rare_max").map { " Rare: in at most \(escape($0.value)) records." } ?? ""
                h += "<div><h2>By rarity</h2><p class=\"hint\">Spans by how many training records contain them.\(rareMax)</p>\n"
                h += stackedBar(doc.rarities.map { ($0.name, $0.spans, rarityColor($0.name)) })
                h += "<table><thead><tr><th>Rarity</th><th class=\"n\">Spans</th><th class=\"n\">Share</th></tr></thead><tbody>\n"
                for r in doc.rarities {
                    h += "<tr><td><span class=\"dot\" style=\"background:\(rarityColor(r.name))\"></span>\(escape(r.name))</td><td class=\"n\">\(grouped(r.spans))</td><td class=\"n\">\(share(r.spans, total))</td></tr>\n"
                }
                h += "</tbody></table></div>\n"
            }
            h += "</section>\n"
        }

        // Span-length histogram.
        if !doc.histogram.isEmpty {
            h += "<section><h2>Span length</h2><p class=\"hint\">Spans by new tokens beyond the prompt.</p>\n"
            h += histogramSVG(doc.histogram)
            h += "</section>\n"
        }

        // Group-by fields.
        for table in doc.groups {
            h += "<section><h2>By \(escape(table.field))</h2>\n"
            if table.rows.isEmpty { h += "<p class=\"hint\">No generations.</p></section>\n"; continue }
            h += groupSVG(table)
            h += "<table><thead><tr><th>\(escape(table.field))</th><th class=\"n\">Generations</th><th class=\"n\">Spans</th><th class=\"n\">With span</th><th class=\"n\">Span rate</th><th class=\"n\">High risk</th><th class=\"n\">High-risk rate</th><th class=\"n\">Extraction rate</th></tr></thead><tbody>\n"
            for r in table.rows {
                h += "<tr><td class=\"v\">\(escape(r.value))</td><td class=\"n\">\(grouped(r.generations))</td><td class=\"n\">\(r.spans.map(grouped) ?? "–")</td><td class=\"n\">\(r.generationsWithSpan.map(grouped) ?? "–")</td><td class=\"n\">\(percent(r.spanRate))</td><td class=\"n\">\(r.generationsWithHighRisk.map(grouped) ?? "–")</td><td class=\"n\">\(percent(r.highRiskRate))</td><td class=\"n\">\(r.extractionRate.map(percent) ?? "–")</td></tr>\n"
            }
            h += "</tbody></table></section>\n"
        }

        // Sensitive categories.
        if let categories = doc.categories {
            h += "<section><h2>Sensitive categories</h2><p class=\"hint\">Leak rate: share of all generations with a span containing the category.</p>\n"
            if categories.isEmpty {
                let none = p("sensitive").map { $0.isNull } ?? false
                h += "<p class=\"empty\">\(none ? "Not checked (scan without --sensitive)." : "No span contained sensitive content.")</p>\n"
            } else {
                h += "<table><thead><tr><th>Category</th><th class=\"n\">Spans</th><th class=\"n\">Generations</th><th class=\"n\">Leak rate</th><th></th></tr></thead><tbody>\n"
                let top = categories.compactMap(\.leakRate).max() ?? 0
                for cat in categories {
                    let width = top > 0 ? (cat.leakRate ?? 0) / top * 200 : 0
                    h += "<tr><td class=\"v\">\(escape(cat.name))</td><td class=\"n\">\(cat.spans.map(grouped) ?? "–")</td><td class=\"n\">\(cat.generations.map(grouped) ?? "–")</td><td class=\"n\">\(cat.leakRate.map(percent) ?? "–")</td><td><svg width=\"204\" height=\"12\" role=\"img\" aria-label=\"leak rate\"><rect x=\"0\" y=\"1\" width=\"\(number(width))\" height=\"10\" rx=\"2\" fill=\"#c2410c\"/></svg></td></tr>\n"
                }
                h += "</tbody></table>\n"
            }
            h += "</section>\n"
        }

        // Top exposed records.
        if !doc.topRecords.isEmpty {
            h += "<section><h2>Top exposed records</h2><p class=\"hint\">Training records reproduced in unique or rare spans, by the number of generations reproducing them.</p>\n"
            h += "<table><thead><tr><th class=\"n\">#</th><th>Record</th><th class=\"n\">Generations</th><th class=\"n\">Spans</th><th class=\"n\">Longest</th></tr></thead><tbody>\n"
            for (i, r) in doc.topRecords.enumerated() {
                h += "<tr><td class=\"n\">\(i + 1)</td><td class=\"v mono\">\(escape(r.record))</td><td class=\"n\">\(grouped(r.generations))</td><td class=\"n\">\(r.spans.map(grouped) ?? "–")</td><td class=\"n\">\(r.longest.map(grouped) ?? "–")</td></tr>\n"
            }
            h += "</tbody></table></section>\n"
        }

        if let t = doc.throughput, let line = throughputLine(t) {
            h += "<footer>Throughput: \(escape(line))</footer>\n"
        }
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    private static let css = """
    :root{--fg:#1f2933;--muted:#6b7785;--line:#e3e7ec;--bg:#f6f7f9;--card:#fff;--accent:#2563eb}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
    main{max-width:1080px;margin:0 auto;padding:28px 24px 40px}
    h1{font-size:24px;margin:0}
    h2{font-size:16px;margin:0 0 4px}
    .sub{color:var(--muted);margin:2px 0 14px;overflow-wrap:anywhere}
    .params{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0 0 20px;font-size:13px}
    .params dt{color:var(--muted)}
    .params dd{margin:0;overflow-wrap:anywhere}
    section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 16px}
    section.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;border:0;padding:0}
    section.two{display:grid;grid-template-columns:1fr 1fr;gap:28px}
    @media (max-width:760px){section.two{grid-template-columns:1fr}}
    .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
    .card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
    .card .value{font-size:26px;font-weight:600;margin:2px 0;font-variant-numeric:tabular-nums}
    .card .note{color:var(--muted);font-size:12px}
    .card.alert .value{color:#b91c1c}
    .hint{color:var(--muted);font-size:12px;margin:0 0 10px}
    .empty{color:var(--muted)}
    table{border-collapse:collapse;width:100%;margin-top:8px;font-variant-numeric:tabular-nums}
    th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
    th{font-weight:600;font-size:12px;color:var(--muted);white-space:nowrap}
    td.n,th.n{text-align:right}
    td.v{overflow-wrap:anywhere}
    .mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
    .dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:7px}
    svg{display:block;max-width:100%;height:auto}
    td svg{display:inline-block}
    svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:11px;fill:#4b5563}
    .skips{font-size:12px;color:var(--muted)}
    footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
    """

    private static func riskColor(_ name: String) -> String {
        switch name {
        case "high": return "#dc2626"
        case "medium": return "#f59e0b"
        case "low": return "#16a34a"
        default: return "#94a3b8"
        }
    }

    private static func rarityColor(_ name: String) -> String {
        switch name {
        case "unique": return "#7c3aed"
        case "rare": return "#a78bfa"
        case "common": return "#cbd5e1"
        default: return "#94a3b8"
        }
    }

    /// A 100%-wide stacked bar of parts.
    private static func stackedBar(_ parts: [(name: String, count: Int, color: String)]) -> String {
        let total = parts.reduce(0) { $0 + $1.count }
        let width = 480.0
        var s = "<svg viewBox=\"0 0 \(number(width)) 22\" width=\"\(number(width))\" height=\"22\" role=\"img\" aria-label=\"share of spans\">"
        if total == 0 {
            s += "<rect x=\"0\" y=\"2\" width=\"\(number(width))\" height=\"18\" rx=\"3\" fill=\"#eef1f4\"/><text x=\"8\" y=\"15\">no spans</text>"
        } else {
            var x = 0.0
            for part in parts where part.count > 0 {
                let w = Double(part.count) / Double(total) * width
                s += "<rect x=\"\(number(x))\" y=\"2\" width=\"\(number(w))\" height=\"18\" fill=\"\(part.color)\"><title>\(escape(part.name)): \(grouped(part.count)) (\(share(part.count, total)))</title></rect>"
                x += w
            }
        }
        return s + "</svg>\n"
    }

    private static func histogramSVG(_ bins: [Document.Bin]) -> String {
        let top = bins.map(\.spans).max() ?? 0
        let left = 48.0, right = 12.0, topPad = 18.0, plot = 200.0, bottom = 40.0
        let slot = min(90.0, 940.0 / Double(max(bins.count, 1)))
        let width = left + slot * Double(bins.count) + right
        let height = topPad + plot + bottom
        let scale = niceMax(Double(top))
        var s = "<svg viewBox=\"0 0 \(number(width)) \(number(height))\" width=\"\(number(width))\" height=\"\(number(height))\" role=\"img\" aria-label=\"span length histogram\">\n"
        for i in 0 ... 4 {
            let v = scale * Double(i) / 4
            let y = topPad + plot - plot * Double(i) / 4
            s += "<line x1=\"\(number(left))\" x2=\"\(number(width - right))\" y1=\"\(number(y))\" y2=\"\(number(y))\" stroke=\"#e5e7eb\"/>"
            s += "<text x=\"\(number(left - 6))\" y=\"\(number(y + 4))\" text-anchor=\"end\">\(grouped(Int(v.rounded())))</text>\n"
        }
        for (i, b) in bins.enumerated() {
            let h = scale > 0 ? Double(b.spans) / scale * plot : 0
            let x = left + slot * Double(i) + slot * 0.15
            let w = slot * 0.7
            let y = topPad + plot - h
            s += "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(w))\" height=\"\(number(max(h, b.spans > 0 ? 1 : 0)))\" rx=\"2\" fill=\"#2563eb\"><title>\(escape(b.label)) tokens: \(grouped(b.spans)) spans</title></rect>"
            s += "<text x=\"\(number(x + w / 2))\" y=\"\(number(y - 5))\" text-anchor=\"middle\">\(grouped(b.spans))</text>"
            s += "<text x=\"\(number(x + w / 2))\" y=\"\(number(topPad + plot + 16))\" text-anchor=\"middle\">\(escape(b.label))</text>\n"
        }
        s += "<text x=\"\(number(left + (width - left - right) / 2))\" y=\"\(number(height - 6))\" text-anchor=\"middle\">new tokens per span</text>\n"
        return s + "</svg>\n"
    }

    /// Horizontal bars of span, high-risk and extraction rates per group value.
    private static func groupSVG(_ table: Document.GroupTable) -> String {
        let maxShown = 40
        let rows = table.rows.prefix(maxShown)
        let hasExtraction = rows.contains { $0.extractionRate != nil }
        let series: [(String, String, KeyPath<Document.GroupRow, Double?>)] = [
            ("span rate", "#2563eb", \.spanRateOptional),
            ("high-risk rate", "#dc2626", \.highRiskRateOptional),
        ] + (hasExtraction ? [("extraction rate", "#0d9488", \.extractionRate)] : [])
        let label = 170.0, plot = 720.0, right = 60.0, barH = 9.0, gap = 2.0, rowGap = 12.0, topPad = 30.0
        let rowH = Double(series.count) * (barH + gap) - gap + rowGap
        let width = label + plot + right
        let height = topPad + rowH * Double(rows.count) + 18
        var s = "<svg viewBox=\"0 0 \(number(width)) \(number(height))\" width=\"\(number(width))\" height=\"\(number(height))\" role=\"img\" aria-label=\"rates by \(escape(table.field))\">\n"
        // Legend.
        var lx = label
        for (name, color, _) in series {
            s += "<rect x=\"\(number(lx))\" y=\"4\" width=\"10\" height=\"10\" rx=\"2\" fill=\"\(color)\"/><text x=\"\(number(lx + 14))\" y=\"13\">\(name)</text>"
            lx += 14 + Double(name.count) * 6.2 + 18
        }
        s += "\n"
        // Grid.
        let plotBottom = topPad + rowH * Double(rows.count) - rowGap / 2
        for i in 0 ... 4 {
            let x = label + plot * Double(i) / 4
            s += "<line x1=\"\(number(x))\" x2=\"\(number(x))\" y1=\"\(number(topPad - 6))\" y2=\"\(number(plotBottom))\" stroke=\"#e5e7eb\"/>"
            s += "<text x=\"\(number(x))\" y=\"\(number(plotBottom + 13))\" text-anchor=\"middle\">\(i * 25)%</text>"
        }
        s += "\n"
        for (i, r) in rows.enumerated() {
            let y0 = topPad + rowH * Double(i)
            let mid = y0 + (rowH - rowGap) / 2
            s += "<text x=\"\(number(label - 8))\" y=\"\(number(mid + 4))\" text-anchor=\"end\"><title>\(escape(r.value))</title>\(escape(truncate(r.value, 26)))</text>"
            for (j, (name, color, path)) in series.enumerated() {
                let y = y0 + Double(j) * (barH + gap)
                guard let v = r[keyPath: path] else { continue }
                let w = max(0, min(v, 1)) * plot
                s += "<rect x=\"\(number(label))\" y=\"\(number(y))\" width=\"\(number(max(w, v > 0 ? 1 : 0)))\" height=\"\(number(barH))\" rx=\"1.5\" fill=\"\(color)\"><title>\(escape(r.value)): \(name) \(percent(v))</title></rect>"
                s += "<text x=\"\(number(label + w + 4))\" y=\"\(number(y + barH - 1))\" style=\"font-size:9px\">\(percent(v))</text>"
            }
            s += "\n"
        }
        s += "</svg>\n"
        if table.rows.count > maxShown {
            s += "<p class=\"hint\">Chart shows the first \(maxShown) of \(table.rows.count) values; the table lists them all.</p>\n"
        }
        return s
    }

    /// A round axis maximum at or above `value` whose quarter ticks are whole numbers.
    private static func niceMax(_ value: Double) -> Double {
        guard value > 0 else { return 0 }
        if value <= 4 { return 4 }
        var step = 1.0
        while step * 10 < value { step *= 10 }
        for m in [1.0, 2, 4, 5, 8, 10] {
            let candidate = step * m
            if candidate >= value && (candidate / 4).rounded() == candidate / 4 { return candidate }
        }
        return step * 12
    }

    // MARK: Formatting

    /// `0.25` → `"25.0%"`.
    static func percent(_ rate: Double) -> String { decimal(rate * 100, 1) + "%" }

    static func share(_ part: Int, _ total: Int) -> String {
        total == 0 ? "–" : percent(Double(part) / Double(total))
    }

    /// Fixed-point text with `digits` decimals.
    static func decimal(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0 ..< digits { scale *= 10 }
        guard abs(x) * scale < 9e15 else { return "\(x)" }
        let scaled = Int((abs(x) * scale).rounded())
        let sign = x < 0 && scaled != 0 ? "-" : ""
        let whole = scaled / Int(scale)
        guard digits > 0 else { return sign + grouped(whole) }
        var frac = String(scaled % Int(scale))
        while frac.count < digits { frac = "0" + frac }
        return sign + grouped(whole) + "." + frac
    }

    /// `13339` → `"13,339"`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// SVG coordinates: at most two decimals.
    private static func number(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" || (0x7F ... 0x9F).contains(ch.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }

    /// Replaces control characters (escape sequences in a hostile summary) for the terminal.
    static func terminalSafe(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F ... 0x9F).contains($0.value) }) else { return s }
        var out = String.UnicodeScalarView()
        for ch in s.unicodeScalars {
            out.append(ch.value < 0x20 || (0x7F ... 0x9F).contains(ch.value) ? "\u{FFFD}" : ch)
        }
        return String(out)
    }

    static func truncate(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(width - 1)) + "…"
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }

    // MARK: Terminal layout

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36"
    }

    struct Cell {
        var text: String
        var right = false
        var style: Style? = nil
        init(_ text: String, right: Bool = false, style: Style? = nil) {
            self.text = text
            self.right = right
            self.style = style
        }
    }

    struct TextOutput {
        let color: Bool
        var text = ""

        func style(_ s: String, _ style: Style?) -> String {
            guard color, let style, !s.isEmpty else { return s }
            return "\u{1B}[\(style.rawValue)m\(s)\u{1B}[0m"
        }

        mutating func line(_ s: String = "") { text += s + "\n" }

        mutating func section(_ title: String, note: String? = nil) {
            line()
            var s = style(title.uppercased(), .bold)
            if let note { s += "  " + style(note, .dim) }
            line(s)
        }

        /// Aligned columns; widths from the plain text, styles applied after padding.
        mutating func table(_ rows: [[Cell]], header: [String]?) {
            let separator = "  "
            let columns = max(rows.map(\.count).max() ?? 0, header?.count ?? 0)
            var widths = [Int](repeating: 0, count: columns)
            for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.text.count) } }
            if let header { for (i, h) in header.enumerated() { widths[i] = max(widths[i], h.count) } }
            // Right-aligned columns take the alignment of their cells.
            let rightColumns = (0 ..< columns).map { i in rows.contains { i < $0.count && $0[i].right } }
            // The last column needs no trailing padding when left-aligned.
            func render(_ cells: [(String, Style?)]) -> String {
                var parts: [String] = []
                for (i, (text, st)) in cells.enumerated() {
                    let last = i == cells.count - 1 && !rightColumns[i]
                    let padded = last ? text : pad(text, widths[i], right: rightColumns[i])
                    parts.append(style(padded, st))
                }
                var s = "  " + parts.joined(separator: separator)
                while s.hasSuffix(" ") { s.removeLast() }
                return s
            }
            if let header {
                line(render(header.map { ($0, .dim) }))
                // The rule stops at the last titled column.
                let titled = (header.lastIndex { !$0.isEmpty } ?? -1) + 1
                let total = widths.prefix(titled).reduce(0, +) + separator.count * max(0, titled - 1)
                line("  " + style(String(repeating: "─", count: total), .dim))
            }
            for row in rows { line(render(row.map { ($0.text, $0.style) })) }
        }
    }
}

extension SummaryReport.Document.GroupRow {
    fileprivate var spanRateOptional: Double? { spanRate }
    fileprivate var highRiskRateOptional: Double? { highRiskRate }
}

// MARK: - Reading the JSON document

/// A parsed JSON value; objects keep their members in file order.
private indirect enum JSONValue {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(Double, text: String)
    case bool(Bool)
    case null

    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Display text: strings unquoted, numbers as written, arrays joined with ", ".
    var display: String {
        switch self {
        case .string(let s): return s
        case .number(_, let text): return text
        case .bool(let b): return b ? "true" : "false"
        case .null: return "none"
        case .array(let items): return items.map(\.display).joined(separator: ", ")
        case .object: return compact
        }
    }

    /// Compact JSON text.
    var compact: String {
        switch self {
        case .string(let s): return JSONValue.quote(s)
        case .number(_, let text): return text
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.compact).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { JSONValue.quote($0.0) + ":" + $0.1.compact }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 {
                    let hex = String(ch.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }
}

/// A strict RFC 8259 parser for the (small) summary document.
private struct JSONParser {
    struct Failure: Error {
        var offset: Int
        var message: String
        var trailingData = false
    }

    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(Failure) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipSpace()
        guard i < bytes.count else { throw Failure(offset: i, message: "the file is empty") }
        let value = try parseValue(depth: 0)
        skipSpace()
        guard i == bytes.count else {
            throw Failure(offset: i, message: "unexpected data after the JSON document", trailingData: true)
        }
        return value
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func describeHere() -> String {
        guard i < bytes.count else { return "end of file" }
        let b = bytes[i]
        return b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard depth < 64 else { throw Failure(offset: i, message: "nesting deeper than 64 levels") }
        guard i < bytes.count else { throw Failure(offset: i, message: "expected a value, found end of file") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, JSONValue)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw Failure(offset: i, message: "expected a member name, found \(describeHere())")
                }
                let key = try parseString()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                    throw Failure(offset: i, message: "expected ':', found \(describeHere())")
                }
                i += 1
                skipSpace()
                members.append((key, try parseValue(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw Failure(offset: i, message: "unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw Failure(offset: i, message: "expected ',' or '}', found \(describeHere())")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw Failure(offset: i, message: "unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw Failure(offset: i, message: "expected ',' or ']', found \(describeHere())")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw Failure(offset: i, message: "expected a value, found \(describeHere())")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let w = Array(word.utf8)
        guard bytes.count - i >= w.count, Array(bytes[i ..< i + w.count]) == w else {
            throw Failure(offset: i, message: "expected a value, found \(describeHere())")
        }
        i += w.count
    }

    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        guard digits() > 0 else { throw Failure(offset: i, message: "malformed number") }
        if bytes[intStart] == UInt8(ascii: "0") && i - intStart > 1 { throw Failure(offset: intStart, message: "number with a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw Failure(offset: i, message: "malformed number") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw Failure(offset: i, message: "malformed number") }
        }
        let text = String(decoding: bytes[start ..< i], as: UTF8.self)
        guard let value = Double(text) else { throw Failure(offset: start, message: "malformed number") }
        return .number(value, text: text)
    }

    private mutating func parseString() throws(Failure) -> String {
        let open = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw Failure(offset: open, message: "unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw Failure(offset: i, message: "control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw Failure(offset: open, message: "unterminated string") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800 ..< 0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if (0xDC00 ..< 0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00 ..< 0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                throw Failure(offset: i - 2, message: "invalid escape in a string")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - i >= 4 else { throw Failure(offset: i, message: "invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0 ..< 4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw Failure(offset: i, message: "invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}

/// Turns the parsed JSON into a `Document`, naming the field at fault.
private struct DocumentReader {
    typealias Document = SummaryReport.Document
    let path: String

    func fail(_ message: String) -> MemscanError {
        .input(SourceLocation(file: path, line: 0), message)
    }

    func mistyped(_ field: String, _ expected: String, _ value: JSONValue) -> MemscanError {
        fail("field \"\(field)\" should be \(expected), found \(value.kindName)")
    }

    func object(_ value: JSONValue, _ field: String) throws -> [(String, JSONValue)] {
        guard case .object(let members) = value else { throw mistyped(field, "an object", value) }
        return members
    }

    /// The member, or nil when absent or null.
    func optional(_ parent: JSONValue, _ key: String) -> JSONValue? {
        guard let v = parent[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func required(_ parent: JSONValue, _ key: String, _ field: String) throws -> JSONValue {
        guard let v = parent[key] else { throw fail("missing field \"\(field)\"") }
        return v
    }

    func int(_ value: JSONValue, _ field: String) throws -> Int {
        guard case .number(let d, _) = value, d >= 0, d == d.rounded(), d < 9e15 else {
            throw mistyped(field, "a non-negative integer", value)
        }
        return Int(d)
    }

    func double(_ value: JSONValue, _ field: String) throws -> Double {
        guard case .number(let d, _) = value else { throw mistyped(field, "a number", value) }
        return d
    }

    func string(_ value: JSONValue, _ field: String) throws -> String {
        switch value {
        case .string(let s): return s
        case .number(_, let text): return text  // record ids written as numbers
        default: throw mistyped(field, "a string", value)
        }
    }

    func requiredInt(_ parent: JSONValue, _ key: String, _ prefix: String) throws -> Int {
        try int(try required(parent, key, prefix + key), prefix + key)
    }

    func optionalInt(_ parent: JSONValue, _ key: String, _ prefix: String) throws -> Int? {
        try optional(parent, key).map { try int($0, prefix + key) }
    }

    func optionalDouble(_ parent: JSONValue, _ key: String, _ prefix: String) throws -> Double? {
        try optional(parent, key).map { try double($0, prefix + key) }
    }

    func array(_ parent: JSONValue, _ key: String) throws -> [JSONValue]? {
        guard let v = optional(parent, key) else { return nil }
        guard case .array(let items) = v else { throw mistyped(key, "an array", v) }
        return items
    }

    func document(_ root: JSONValue) throws -> Document {
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
