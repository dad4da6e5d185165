/// The terminal report: aligned tables, with ANSI styles when asked for.
extension SummaryReport {
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

    private static func riskStyle(_ name: String) -> Style? {
        switch name {
        case "high": return .red
        case "medium": return .yellow
        case "low": return .green
        default: return nil
        }
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
