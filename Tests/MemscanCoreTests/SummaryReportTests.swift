import Foundation
import Testing
@testable import MemscanCore

/// `memscan report`: loading a summary written by `ScanSummary.json()` and rendering it.
@Suite struct SummaryReportTests {
    /// Writes `text` to a fresh temporary file and returns its path.
    static func write(_ text: String, name: String = "summary.json") -> String {
        let url = TestScratch.directory("report").appendingPathComponent(name)
        try! Data(text.utf8).write(to: url)
        return url.path
    }

    static func span(newTokens: Int, record: String, rarity: Rarity, risk: Risk, sensitive: [String] = []) -> Span {
        Span(start: 4, end: 4 + newTokens, newTokens: newTokens, record: record, recordIndex: 0,
             recordStart: 0, recordEnd: newTokens, records: rarity == .unique ? 1 : rarity == .rare ? 3 : 40,
             recordsCapped: false, recordIDs: [record], isSelf: false, inReference: nil,
             sensitive: sensitive, rarity: rarity, risk: risk)
    }

    static func generation(_ id: String, arm: String, level: Int, spans: [Span]) -> GenerationResult {
        GenerationResult(
            id: id, location: SourceLocation(file: "gens.jsonl", line: 1),
            groups: [GroupValue(field: "arm", json: "\"" + arm + "\""), GroupValue(field: "level", json: String(level))],
            tokens: 100, promptTokens: 4, spans: spans,
            longest: spans.map(\.newTokens).max() ?? 0,
            coverage: spans.isEmpty ? 0 : Double(spans.map(\.newTokens).reduce(0, +)) / 96,
            maxRisk: spans.map(\.risk).max(), patientID: nil)
    }

    /// Four generations, one of them with a unique, high-risk, sensitive 40-token span
    /// and a common 20-token span. The arm `<b>&` needs HTML escaping.
    static func sampleSummaryJSON() -> String {
        var summary = ScanSummary(minLength: 16)
        summary.inputs = ["gens.jsonl"]
        summary.parameters = [
            ("index", "\"train.index\""), ("tokenizer", "\"codes\""), ("k", "8"), ("w", "9"),
            ("guaranteed_length", "16"), ("min_length", "16"), ("near", "true"), ("min_similarity", "0.8"),
            ("rare_max", "5"), ("reference", "null"), ("sensitive", "\"sensitive.txt\""),
            ("group_by", "[\"level\",\"arm\"]"),
        ]
        summary.add(generation("g1", arm: "<b>&", level: 10, spans: [
            span(newTokens: 40, record: "patient-7", rarity: .unique, risk: .high, sensitive: ["hiv"]),
            span(newTokens: 20, record: "template", rarity: .common, risk: .low),
        ]))
        summary.add(generation("g2", arm: "<b>&", level: 0, spans: []))
        summary.add(generation("g3", arm: "control", level: 10, spans: []))
        summary.add(generation("g4", arm: "control", level: 0, spans: []))
        summary.seconds = 0.5
        return summary.json()
    }

    @Test func loadsEveryFieldOfAScanSummary() throws {
        let path = Self.write(Self.sampleSummaryJSON())
        let doc = try SummaryReport.load(path: path)
        #expect(doc.path == path)
        #expect(doc.version == memscanVersion)
        #expect(doc.inputs == ["gens.jsonl"])
        #expect(doc.parameter("index")?.value == "train.index")
        #expect(doc.parameter("reference")?.isNull == true)
        #expect(doc.parameter("group_by")?.value == "level, arm")
        #expect(doc.counts.generations == 4)
        #expect(doc.counts.spans == 2)
        #expect(doc.counts.generationsWithSpan == 1)
        #expect(doc.counts.generationsWithHighRisk == 1)
        #expect(doc.rates.spanRate == 0.25)
        #expect(doc.rates.extractionRate == 0.25)
        // Fields in --group-by order; numeric values ordered numerically.
        #expect(doc.groups.map(\.field) == ["level", "arm"])
        #expect(doc.groups[0].rows.map(\.value) == ["0", "10"])
        #expect(doc.groups[1].rows.map(\.value) == ["<b>&", "control"])
        #expect(doc.groups[1].rows[0].spanRate == 0.5)
        #expect(doc.categories?.map(\.name) == ["hiv"])
        #expect(doc.categories?.first?.leakRate == 0.25)
        #expect(doc.risks.map(\.name) == ["high", "medium", "low"])
        #expect(doc.risks.map(\.spans) == [1, 0, 1])
        #expect(doc.rarities.map(\.name) == ["unique", "rare", "common"])
        #expect(doc.histogram.count == ScanSummary.lengthBins.count)
        #expect(doc.histogram.first { $0.min == 16 }?.spans == 1)
        #expect(doc.histogram.first { $0.min == 32 }?.spans == 1)
        #expect(doc.histogram.last?.max == nil)
        #expect(doc.topRecords.map(\.record) == ["patient-7"])
        #expect(doc.topRecords.first?.longest == 40)
        #expect(doc.throughput?.generationsPerSecond == 8)
    }

    @Test func textShowsHeadlineFiguresAndTables() throws {
        let doc = try SummaryReport.load(path: Self.write(Self.sampleSummaryJSON()))
        let text = SummaryReport.text(doc, color: false)
        #expect(!text.contains("\u{1B}["))
        #expect(text.contains("train.index"))
        #expect(text.contains("k=8  w=9  G=16"))
        #expect(text.contains("min length 16"))
        #expect(text.contains("gens.jsonl"))
        #expect(text.contains("25.0%"))                  // 1 of 4 generations
        #expect(text.contains("BY LEVEL"))
        #expect(text.contains("BY ARM"))
        #expect(text.contains("<b>&"))                   // terminal text is not escaped
        #expect(text.contains("50.0%"))                  // span rate of arm <b>& and level 10
        #expect(text.contains("hiv"))
        #expect(text.contains("patient-7"))
        #expect(text.contains("█"))                      // histogram bars
        #expect(text.contains("32–47"))
        #expect(text.contains("generations/s"))
        let headline = text.split(separator: "\n").first { $0.contains("Generations with any span") }
        #expect(headline?.contains("25.0%") == true)
        let arm = text.split(separator: "\n").first { $0.hasPrefix("  <b>&") }
        #expect(arm?.contains("50.0%") == true)
    }

    @Test func colorOnlyWhenAsked() throws {
        let doc = try SummaryReport.load(path: Self.write(Self.sampleSummaryJSON()))
        #expect(SummaryReport.text(doc, color: true).contains("\u{1B}[1m"))
        #expect(!SummaryReport.text(doc, color: false).contains("\u{1B}"))
    }

    @Test func controlCharactersNeverReachTheTerminal() throws {
        var json = Self.sampleSummaryJSON()
        json = json.replacingOccurrences(of: "\"patient-7\"", with: "\"evil\\u001b[2Jid\"")
        let doc = try SummaryReport.load(path: Self.write(json))
        let text = SummaryReport.text(doc, color: false)
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("evil\u{FFFD}[2Jid"))
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        let doc = try SummaryReport.load(path: Self.write(Self.sampleSummaryJSON()))
        let html = SummaryReport.html(doc)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("&lt;b&gt;&amp;"))
        #expect(!html.contains("<b>&"))
        #expect(html.contains("25.0%"))
        #expect(html.contains("patient-7"))
        #expect(html.contains("hiv"))
    }

    @Test func toleratesAbsentOptionalSections() throws {
        let path = Self.write("""
            {"counts":{"generations":8,"spans":3,"generations_with_span":2,"generations_with_high_risk":0}}
            """)
        let doc = try SummaryReport.load(path: path)
        #expect(doc.rates.spanRate == 0.25)          // derived from the counts
        #expect(doc.rates.extractionRate == nil)
        #expect(doc.groups.isEmpty && doc.categories == nil && doc.throughput == nil)
        let text = SummaryReport.text(doc, color: false)
        #expect(text.contains("25.0%"))
        #expect(!text.contains("Extraction rate"))
        #expect(SummaryReport.html(doc).contains("25.0%"))
    }

    @Test func missingFieldIsNamed() throws {
        let json = Self.sampleSummaryJSON().replacingOccurrences(of: "\"generations_with_span\":1,", with: "")
        let path = Self.write(json)
        let error = #expect(throws: MemscanError.self) { try SummaryReport.load(path: path) }
        #expect(error == .input(SourceLocation(file: path, line: 0), "missing field \"counts.generations_with_span\""))
        #expect(error?.description.hasPrefix(path) == true)
    }

    @Test func mistypedFieldIsNamed() throws {
        let json = Self.sampleSummaryJSON().replacingOccurrences(of: "\"span_rate\":0.5,", with: "\"span_rate\":\"half\",")
        let path = Self.write(json)
        let error = #expect(throws: MemscanError.self) { try SummaryReport.load(path: path) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix(path))
        #expect(message.contains("by_group.arm[0].span_rate"))
        #expect(message.contains("a number"))
    }

    /// A hand-edited or damaged summary: numbers beyond Int render as text, and numbers
    /// JSON cannot hold (1e999 reads as infinity) are refused naming the field, never a trap.
    @Test func extremeNumbersRenderOrAreRefused() throws {
        let huge = Self.write("""
            {"counts":{"generations":8,"spans":3,"generations_with_span":2,"generations_with_high_risk":0},
             "throughput":{"seconds":1e300,"generations_per_second":1e300,"tokens_per_second":1e300},
             "by_sensitive_category":{"hiv":{"spans":1,"generations":1,"leak_rate":1e300},
                                      "pregnancy":{"spans":1,"generations":1,"leak_rate":-1e300}}}
            """)
        let doc = try SummaryReport.load(path: huge)
        #expect(SummaryReport.text(doc, color: false).contains("1e+300 tokens/s"))
        #expect(SummaryReport.html(doc).contains("width=\"200\""))

        for (field, value) in [("throughput.tokens_per_second", "1e999"), ("by_sensitive_category.hiv.leak_rate", "-1e999")] {
            let json = field.hasPrefix("throughput")
                ? "{\"counts\":{\"generations\":1,\"spans\":0,\"generations_with_span\":0,\"generations_with_high_risk\":0},\"throughput\":{\"tokens_per_second\":\(value)}}"
                : "{\"counts\":{\"generations\":1,\"spans\":0,\"generations_with_span\":0,\"generations_with_high_risk\":0},\"by_sensitive_category\":{\"hiv\":{\"leak_rate\":\(value)}}}"
            let path = Self.write(json, name: "infinite.json")
            let error = #expect(throws: MemscanError.self) { try SummaryReport.load(path: path) }
            #expect(error?.description == "\(path): field \"\(field)\" should be a finite number, found \(value)")
        }
    }

    @Test func notJSONOrNotASummary() throws {
        let broken = Self.write("{\"counts\": {\"generations\": 4,,}}")
        let e1 = #expect(throws: MemscanError.self) { try SummaryReport.load(path: broken) }
        #expect(e1?.description.hasPrefix(broken + ":1:") == true)

        let spans = Self.write("{\"id\":\"g1\",\"spans\":[]}\n{\"id\":\"g2\",\"spans\":[]}\n", name: "spans.jsonl")
        let e2 = #expect(throws: MemscanError.self) { try SummaryReport.load(path: spans) }
        #expect(e2?.description.contains("scan --summary") == true)

        let other = Self.write("{\"id\":\"g1\",\"spans\":[]}\n")
        let e3 = #expect(throws: MemscanError.self) { try SummaryReport.load(path: other) }
        #expect(e3?.description.contains("missing field \"counts\"") == true)

        let empty = Self.write("")
        let e4 = #expect(throws: MemscanError.self) { try SummaryReport.load(path: empty) }
        #expect(e4?.description.contains("empty") == true)
    }

    @Test func unreadableFileIsAnIOError() {
        let path = "/nonexistent/memscan/summary.json"
        let error = #expect(throws: MemscanError.self) { try SummaryReport.load(path: path) }
        guard case .io(let p, _)? = error else {
            Issue.record("expected an io error, got \(String(describing: error))")
            return
        }
        #expect(p == path)
    }

    @Test func formatting() {
        #expect(SummaryReport.percent(0.25) == "25.0%")
        #expect(SummaryReport.percent(0.7125) == "71.3%")
        #expect(SummaryReport.percent(0) == "0.0%")
        #expect(SummaryReport.percent(1) == "100.0%")
        #expect(SummaryReport.grouped(1234567) == "1,234,567")
        #expect(SummaryReport.grouped(999) == "999")
        #expect(SummaryReport.decimal(0.0005, 3) == "0.001")
        #expect(SummaryReport.bar(1, of: 2, width: 4) == "██")
        #expect(SummaryReport.bar(0, of: 2, width: 4) == "")
        #expect(SummaryReport.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }
}
