/// The HTML page: one self-contained file with inline CSS and SVG charts.
extension SummaryReport {
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
                    let width = top > 0 ? min(200, max(0, (cat.leakRate ?? 0) / top * 200)) : 0
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

    /// SVG coordinates: at most two decimals.
    private static func number(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        // Whole numbers without ".0"; one beyond Int (a hand-made summary's rate) as is.
        return r == r.rounded() && abs(r) < 9e15 ? String(Int(r)) : String(r)
    }
}

extension SummaryReport.Document.GroupRow {
    fileprivate var spanRateOptional: Double? { spanRate }
    fileprivate var highRiskRateOptional: Double? { highRiskRate }
}
