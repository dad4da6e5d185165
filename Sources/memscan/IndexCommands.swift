import ArgumentParser
import MemscanCore

struct IndexBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build an index from training records.")

    @Option(name: .shortAndLong, help: "Index file to write (mode 0600, written atomically).")
    var output: String

    @Option(help: "Tokenizer: codes (structured EHR codes) or text (clinical notes).")
    var tokenizer: String = "codes"

    @Option(name: .short, parsing: .unconditional, help: "Shingle size in tokens.")
    var k: Int = 8

    @Option(name: .short, parsing: .unconditional, help: "Winnowing window in shingles (1 indexes every shingle). Spans of k+w-1 tokens are always found.")
    var w: Int = 9

    @Option(help: "POSIX extended regex of tokens to skip for matching (e.g. '^TIME//').")
    var ignore: String?

    @OptionGroup var fields: InputFieldOptions

    @Option(parsing: .unconditional, help: "Worker threads; defaults to the number of cores.")
    var threads: Int = defaultThreads()

    @Option(name: .customLong("memory-limit"), help: "Memory for the build's corpus-sized buffers (e.g. 8G); past it they spill to $TMPDIR.")
    var memoryLimit: String?

    @Option(name: .customLong("block-tokens"), parsing: .unconditional, help: "Tokens per compressed block of the record store.")
    var blockTokens: Int = 1024

    @Option(name: .customLong("zstd-level"), parsing: .unconditional, help: "zstd level of the record store.")
    var zstdLevel: Int = 3

    @Argument(help: "Record files, directories, or - for standard input.")
    var inputs: [String] = []

    func run() throws {
        var options = IndexBuildOptions()
        guard let kind = TokenizerKind(rawValue: tokenizer) else {
            throw MemscanError.usage("--tokenizer must be codes or text (got '\(tokenizer)')")
        }
        options.tokenizer = kind
        options.k = k
        options.w = w
        options.ignore = ignore
        options.threads = threads
        options.blockTokens = blockTokens
        options.zstdLevel = zstdLevel
        options.memoryLimit = try memoryLimit.map(parseSize)
        let builder = try IndexBuilder(options: options)
        let inputs = self.inputs.isEmpty ? ["-"] : self.inputs
        let reader = try RecordReader(paths: inputs, options: fields.inputOptions(preferText: kind == .text))
        let progress = ProgressReporter(label: "index build", totalBytes: plainInputSize(inputs))
        while let record = try reader.next() {
            try builder.add(record)
            if builder.recordCount % 1024 == 0 {
                progress?.update(generations: builder.recordCount, tokens: builder.tokenCount, bytesRead: reader.bytesRead)
            }
        }
        progress?.finish()
        let report = try builder.write(to: output)
        var line = "memscan: indexed \(report.records) records, \(report.corpusTokens) tokens (\(report.vocabulary) distinct) in \(format(report.seconds, 2)) s"
        line += ", \(format(report.tokensPerSecond / 1e6, 2)) M tokens/s; \(report.fileBytes) bytes, \(format(report.bytesPerToken, 3)) bytes/token"
        if reader.skippedCount > 0 { line += "; skipped \(reader.skippedCount) malformed lines" }
        StandardError.write(line + "\n")
    }
}

struct IndexInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print an index's parameters and counts.")

    @Argument(help: "Index file.")
    var index: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let index = try MemscanIndex(path: index)
        print(json ? IndexDescription.json(index) : IndexDescription.text(index), terminator: "")
    }
}

struct IndexVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check every checksum and the structure of an index.")

    @Argument(help: "Index file.")
    var index: String

    func run() throws {
        let report = try IndexVerifier.verify(path: index)
        print("\(index): OK (\(report.sections) sections, \(report.blocks) token blocks, \(report.bytes) bytes)")
    }
}

func defaultThreads() -> Int {
    #if canImport(Glibc)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 1
    #endif
}

func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}

#if canImport(Glibc)
import Glibc
#endif
