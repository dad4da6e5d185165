/// Numbers and text as both renderers show them, and the parameter lines they share.
extension SummaryReport {
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

    /// Unicode bar of `value / total` of `width` cells, with eighth-block resolution.
    static func bar(_ value: Double, of total: Double, width: Int) -> String {
        guard total > 0, value > 0, value.isFinite else { return "" }
        let eighths = Int((min(value / total, 1) * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let text = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        return text.isEmpty ? "▏" : text  // a non-zero count always shows
    }

    // MARK: Parameter lines (terminal and HTML)

    static let knownParameters: Set<String> = [
        "index", "tokenizer", "k", "w", "guaranteed_length", "index_records", "index_tokens", "min_length",
        "near", "min_similarity", "records_cap", "rare_max", "threads", "reference", "sensitive", "group_by",
    ]

    static func detectionLine(_ doc: Document) -> String? {
        var parts: [String] = []
        if let k = doc.parameter("k") { parts.append("k=\(k.value)") }
        if let w = doc.parameter("w") { parts.append("w=\(w.value)") }
        if let g = doc.parameter("guaranteed_length") {
            parts.append("G=\(g.value)")
            parts.append("(every verbatim span of ≥ \(g.value) tokens is found)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "  ")
    }

    static func matchingLine(_ doc: Document) -> String? {
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

    static func throughputLine(_ t: Document.Throughput) -> String? {
        var parts: [String] = []
        if let s = t.seconds { parts.append("\(decimal(s, 3)) s") }
        if let g = t.generationsPerSecond { parts.append("\(decimal(g, 1)) generations/s") }
        if let k = t.tokensPerSecond { parts.append("\(decimal(k, 0)) tokens/s") }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }
}
