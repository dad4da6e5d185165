import ArgumentParser
import MemscanCore

struct MemscanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memscan",
        abstract: "Find training records that EHR model generations reproduce, verbatim or nearly.",
        version: memscanVersion,
        subcommands: [IndexCommand.self, ScanCommand.self, ReportCommand.self, ProbeBenchCommand.self, SynthCommand.self]
    )
}

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, inspect and verify index files.",
        subcommands: [IndexBuildCommand.self, IndexInfoCommand.self, IndexVerifyCommand.self]
    )
}
