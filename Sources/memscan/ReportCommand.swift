import ArgumentParser
import MemscanCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Render a scan summary for people.")

    @Argument(help: "Summary JSON written by scan --summary.")
    var summary: String

    @Option(help: "Also write a self-contained HTML page here.")
    var html: String?

    func run() throws {
        throw MemscanError.usage("memscan report is not implemented yet; read the summary JSON directly (\(summary))")
    }
}
