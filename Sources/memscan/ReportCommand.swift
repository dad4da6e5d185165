import ArgumentParser
import MemscanCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a scan summary for people.",
        discussion: """
            Prints the summary written by `scan --summary` as terminal tables (colored when \
            standard output is a terminal and NO_COLOR is unset). With --html, also writes one \
            self-contained HTML page with charts (no scripts or external resources).
            """
    )

    @Argument(help: "Summary JSON written by scan --summary.")
    var summary: String

    @Option(help: ArgumentHelp("Also write a self-contained HTML page here.", valueName: "OUT.html"))
    var html: String?

    func run() throws {
        let document = try SummaryReport.load(path: summary)
        let color = isatty(1) != 0 && getenv("NO_COLOR") == nil
        try OutputSink(path: nil).write(SummaryReport.text(document, color: color))
        if let html {
            try writeFileAtomically(SummaryReport.html(document), to: html)
            StandardError.write("memscan: wrote HTML report to \(html)\n")
        }
    }
}
