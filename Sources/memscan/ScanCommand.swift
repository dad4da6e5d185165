import ArgumentParser
import MemscanCore

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan model generations for spans that reproduce training records.",
        discussion: "Writes one JSON object per generation with spans (all with --all) to stdout or -o. Exit status: 0 done, 2 bad usage or input, 3 when --fail-on is reached."
    )

    @Option(help: "Index of the training records.")
    var index: String

    @Option(help: "Index of a held-out reference corpus: spans found there too are flagged in_reference.")
    var reference: String?

    @Option(help: ArgumentHelp(
        "Sensitive categories: a file ('category pattern' lines, POSIX regex per token) or a built-in list: \(DefaultSensitiveLists.names.joined(separator: ", ")) (ICD-10-CM codes, ICD-9-CM codes, note words, all three). A file of that name takes precedence.",
        valueName: "FILE|LIST"))
    var sensitive: String?

    @Option(name: .customLong("min-length"), parsing: .unconditional, help: "Minimum new (beyond-prompt) tokens of a span (default: the index's G; shorter is best effort).")
    var minLength: Int?

    @Option(name: .customLong("min-similarity"), parsing: .unconditional, help: "Near-verbatim similarity threshold.")
    var minSimilarity: Double = 0.8

    @Flag(name: .customLong("no-near"), help: "Report verbatim spans only.")
    var noNear = false

    @Option(name: .customLong("near-band"), parsing: .unconditional, help: "Near alignment band: the largest drift (insertions minus deletions) inside one near span.")
    var nearBand: Int = 12

    @Option(name: .customLong("near-max-gap"), parsing: .unconditional, help: "Near extension crosses at most this many consecutive differences.")
    var nearMaxGap: Int = 6

    @Option(name: .customLong("group-by"), help: "Field passed through to output and broken down in the summary; repeatable.")
    var groupBy: [String] = []

    @Option(name: .customLong("prompt-field"), help: "Prompt field (array or string).")
    var promptField: String = "prompt"

    @Option(name: .customLong("prompt-length-field"), help: "Field giving the prompt length in tokens.")
    var promptLengthField: String = "prompt_length"

    @Option(name: .customLong("patient-field"), help: "Field naming the patient whose record built the prompt.")
    var patientField: String = "patient_id"

    @OptionGroup var fields: InputFieldOptions

    @Option(parsing: .unconditional, help: "Worker threads; defaults to the number of cores.")
    var threads: Int = defaultThreads()

    @Flag(help: "Write every generation, also those without spans.")
    var all = false

    @Option(name: .shortAndLong, help: "Spans output (JSONL); - or absent: standard output.")
    var output: String?

    @Option(help: "Write the audit summary (JSON) here.")
    var summary: String?

    @Option(name: .customLong("fail-on"), help: "Exit 3 when a span of this risk or higher is found: low, medium or high.")
    var failOn: String?

    @Option(name: .customLong("records-cap"), parsing: .unconditional, help: "Count records containing a span up to this many.")
    var recordsCap: Int = 1000

    @Option(name: .customLong("max-record-ids"), parsing: .unconditional, help: "Example record ids per span.")
    var maxRecordIDs: Int = 5

    @Option(name: .customLong("rare-max"), parsing: .unconditional, help: "Spans in at most this many records are rare.")
    var rareMax: Int = 5

    @Option(name: .customLong("max-occurrences"), parsing: .unconditional, help: "Sample shingles held more often than this instead of enumerating them (faster on template-heavy corpora; spans made only of such shingles may be missed). Default: enumerate all.")
    var maxOccurrences: Int?

    @Flag(name: .customLong("trust-index"), help: "Skip checking the index's section checksums when opening it.")
    var trustIndex = false

    @Argument(help: "Generation files, or - for standard input (default).")
    var inputs: [String] = []

    func run() throws {
        let failThreshold = try failOn.map { name -> Risk in
            guard let risk = Risk(name: name) else { throw MemscanError.usage("--fail-on must be low, medium or high (got '\(name)')") }
            return risk
        }
        try requireFieldNames([("--prompt-field", [promptField]), ("--prompt-length-field", [promptLengthField]),
                               ("--patient-field", [patientField]), ("--group-by", groupBy)])
        let main = try MemscanIndex(path: index, verifyChecksums: !trustIndex)
        let referenceIndex = try reference.map { try MemscanIndex(path: $0, verifyChecksums: !trustIndex) }
        let categories = try sensitive.map { path -> SensitiveCategories in
            if !pathExists(path), let builtIn = DefaultSensitiveLists.text(named: path) {
                return try SensitiveCategories(text: builtIn, source: "built-in list \(path)")
            }
            return try SensitiveCategories(text: readTextFile(path), source: path)
        }
        var options = ScanOptions()
        options.minLength = minLength
        options.recordsCap = recordsCap
        options.maxRecordIDs = maxRecordIDs
        options.rareMax = rareMax
        options.maxOccurrences = maxOccurrences ?? .max
        options.near = !noNear
        options.minSimilarity = minSimilarity
        options.nearBand = nearBand
        options.nearMaxGap = nearMaxGap
        options.all = all
        options.threads = threads
        let context = try ScanContext(index: main, reference: referenceIndex, sensitive: categories, options: options)
        if context.minLength < main.header.guaranteedLength {
            StandardError.write("memscan: --min-length \(context.minLength) is below the index's guaranteed length G = \(main.header.guaranteedLength): shorter spans are found on a best-effort basis\n")
        }

        var inputOptions = try fields.inputOptions(preferText: main.header.tokenizer == .text)
        inputOptions.readGenerationFields = true
        inputOptions.promptField = promptField
        inputOptions.promptLengthField = promptLengthField
        inputOptions.patientField = patientField
        inputOptions.groupBy = groupBy

        let inputs = self.inputs.isEmpty ? ["-"] : self.inputs
        let sink = try OutputSink(path: output)
        let runner = ScanRunner(context: context, inputOptions: inputOptions)
        var outcome = try runner.run(inputs: inputs, output: sink,
                                     progress: ProgressReporter(label: "scan", totalBytes: plainInputSize(inputs)))
        if outcome.summary.skippedLines > 0 {
            StandardError.write("memscan: skipped \(outcome.summary.skippedLines) malformed lines (first: \(outcome.summary.skipMessages.first ?? "?"))\n")
        }
        if let summary {
            outcome.summary.inputs = inputs
            outcome.summary.parameters = summaryParameters(main: main, context: context)
            try writeFileAtomically(outcome.summary.json(), to: summary)
        }
        if let failThreshold, let found = outcome.maxRisk, found >= failThreshold {
            throw ExitCode(3)
        }
    }

    private func summaryParameters(main: MemscanIndex, context: ScanContext) -> [(String, String)] {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }
        var parameters: [(String, String)] = [
            ("index", quoted(index)),
            ("tokenizer", quoted(main.header.tokenizer.rawValue)),
            ("k", String(main.header.k)), ("w", String(main.header.w)),
            ("guaranteed_length", String(main.header.guaranteedLength)),
            ("index_records", String(main.header.recordCount)),
            ("index_tokens", String(main.header.corpusTokens)),
            ("min_length", String(context.minLength)),
            ("near", String(!noNear)),
            ("near_band", String(nearBand)),
            ("near_max_gap", String(nearMaxGap)),
            ("min_similarity", String(minSimilarity)),
            ("records_cap", String(recordsCap)),
            ("max_occurrences", maxOccurrences.map(String.init) ?? "null"),
            ("rare_max", String(rareMax)),
            ("threads", String(threads)),
        ]
        parameters.append(("reference", reference.map(quoted) ?? "null"))
        parameters.append(("sensitive", sensitive.map(quoted) ?? "null"))
        parameters.append(("group_by", "[" + groupBy.map(quoted).joined(separator: ",") + "]"))
        return parameters
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Whether anything (file, directory, ...) exists at `path`.
private func pathExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// Reads a whole (small) text file, with an error naming it.
func readTextFile(_ path: String) throws -> String {
    guard let fp = fopen(path, "rb") else { throw MemscanError.io(path: path, "cannot open: \(String(cString: strerror(errno)))") }
    defer { fclose(fp) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, fp)
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0 ..< n])
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { throw MemscanError.io(path: path, "not UTF-8 text") }
    return text
}

#if canImport(Glibc)
import Glibc
#endif
