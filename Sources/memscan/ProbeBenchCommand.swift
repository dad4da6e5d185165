import ArgumentParser
import MemscanCore

/// `memscan probe-bench`: times the probe-only loop of §8 (hash + lookup, no
/// verification) on generations read and tokenized beforehand, so that the figure
/// is the local limit the end-to-end scan is compared against. Hidden: it is a
/// tool of the benchmark harness (scripts/bench.py), not of audits.
struct ProbeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-bench",
        abstract: "Time the probe-only loop (hash + lookup, no verification) on generations held in memory.",
        discussion: "Prints one JSON line: tokens (per run), seconds (fastest run), tokens_per_second, hits, and read_seconds (reading and tokenizing the input once, untimed in the loop).",
        shouldDisplay: false
    )

    @Option(help: "Index of the training records.")
    var index: String

    @Option(parsing: .unconditional, help: "Threads of the probe loop.")
    var threads: Int = 1

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Runs of the loop; the fastest is reported.")
    var repeats: Int = 3

    @Option(name: .customLong("prompt-field"), help: "Prompt field (array or string).")
    var promptField: String = "prompt"

    @Option(name: .customLong("prompt-length-field"), help: "Field giving the prompt length in tokens.")
    var promptLengthField: String = "prompt_length"

    @OptionGroup var fields: InputFieldOptions

    @Argument(help: "Generation file (JSONL or any scan input format).")
    var generations: String

    func run() throws {
        try validateThreads(threads)
        guard repeats >= 1 else { throw MemscanError.usage("--repeat must be at least 1") }
        // Checking the checksums reads every page once, as `scan` does by default,
        // so that the timed loop sees the same warm mapping as a scan.
        let main = try MemscanIndex(path: index, verifyChecksums: true)
        let readStart = MonotonicClock.now()
        let loaded = try loadGenerations(tokenizer: Tokenizer(kind: main.header.tokenizer))
        let readSeconds = MonotonicClock.now() - readStart
        var best: (tokens: Int, seconds: Double, hits: Int)? = nil
        for _ in 0 ..< repeats {
            let run = ProbeLoop.run(index: main, generations: loaded, threads: threads)
            if best == nil || run.seconds < best!.seconds { best = run }
        }
        let result = best!
        let rate = result.seconds > 0 ? Double(result.tokens) / result.seconds : 0
        // read_seconds: reading, parsing and tokenizing the input once on one thread (the
        // per-token input cost a scan spreads over its workers).
        print("{\"tokens\":\(result.tokens),\"seconds\":\(result.seconds),\"tokens_per_second\":\(rate.rounded()),\"hits\":\(result.hits),\"threads\":\(threads),\"repeat\":\(repeats),\"read_seconds\":\(readSeconds)}")
    }

    /// Reads and tokenizes every generation up front (untimed), with the prompt in
    /// front as `scan` assembles it, so token counts agree with the scan summary.
    private func loadGenerations(tokenizer: Tokenizer) throws -> [TokenList] {
        var options = try fields.inputOptions(preferText: tokenizer.kind == .text)
        options.readGenerationFields = true
        options.promptField = promptField
        options.promptLengthField = promptLengthField
        let reader = try RecordReader(paths: [generations], options: options)
        var loaded: [TokenList] = []
        while let record = try reader.next() {
            let tokens = tokenizer.tokenize(record.content)
            if case .content(let content)? = record.prompt {
                loaded.append(Self.prefixed(tokens, with: tokenizer.tokenize(content)))
            } else {
                loaded.append(tokens)
            }
        }
        return loaded
    }

    /// The generation with its prompt in front, unless it already starts with it.
    private static func prefixed(_ tokens: TokenList, with prompt: TokenList) -> TokenList {
        let startsWithPrompt = prompt.count <= tokens.count
            && (0 ..< prompt.count).allSatisfy { tokens.string(at: $0) == prompt.string(at: $0) }
        if startsWithPrompt { return tokens }
        var joined = TokenList()
        for i in 0 ..< prompt.count { joined.append(bytes: prompt.bytes[prompt.start(i) ..< prompt.end(i)]) }
        for i in 0 ..< tokens.count { joined.append(bytes: tokens.bytes[tokens.start(i) ..< tokens.end(i)]) }
        return joined
    }
}
