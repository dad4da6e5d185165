import ArgumentParser
import MemscanCore

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic EHR records, model generations and the ground truth of planted spans.",
        discussion: """
            Writes DIR/records.jsonl (training records), DIR/held_out.jsonl (other patients from \
            the same distribution, for --reference), DIR/generations.jsonl (prompts of \
            --prompt-levels tokens from a patient's record and continuations that are novel, \
            population-typical, verbatim or near copies of that patient or another) and \
            DIR/truth.jsonl (one line per planted span). Deterministic: the same seed gives \
            byte-identical files whatever --threads. Everything is synthetic; no real patient \
            is represented.
            """
    )

    @Option(name: .customLong("out"), help: ArgumentHelp("Output folder (created).", valueName: "DIR"))
    var output: String

    @Option(help: "codes (MEDS-style code sequences) or text (clinical notes).")
    var mode: String = "codes"

    @Option(parsing: .unconditional, help: "Training records to write.")
    var records: Int = 1000

    @Option(parsing: .unconditional, help: "Write training records until this many corpus tokens instead (overrides --records).")
    var tokens: Int?

    @Option(name: .customLong("held-out"), parsing: .unconditional, help: "Held-out records (default: a tenth of the training records).")
    var heldOut: Int?

    @Option(parsing: .unconditional, help: "Model generations to write.")
    var generations: Int = 1000

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("near-rates"), help: "Edit rates of near copies, comma-separated.")
    var nearRates: String = "0.02,0.05,0.1,0.15,0.2"

    @Option(name: .customLong("near-lengths"), help: ArgumentHelp("Lengths of near copies in tokens.", valueName: "MIN,MAX"))
    var nearLengths: String = "20,200"

    @Option(name: .customLong("prompt-levels"), help: "Prompt lengths in tokens, comma-separated.")
    var promptLevels: String = "0,10,20,50"

    @Option(help: "Value of the experiment field of every generation.")
    var experiment: String = "synth"

    @Option(parsing: .unconditional, help: "Worker threads; defaults to the number of cores. Output does not depend on it.")
    var threads: Int = defaultThreads()

    func run() throws {
        guard let kind = TokenizerKind(rawValue: mode) else {
            throw MemscanError.usage("--mode must be codes or text (got '\(mode)')")
        }
        var options = SynthOptions(outputDirectory: output)
        options.mode = kind
        options.records = records
        options.tokens = tokens
        options.heldOut = heldOut
        options.generations = generations
        options.seed = seed
        options.nearRates = try list(nearRates, "--near-rates").map { text in
            guard let rate = Double(text) else { throw MemscanError.usage("--near-rates: '\(text)' is not a number") }
            return rate
        }
        let lengths = try integers(nearLengths, "--near-lengths")
        guard lengths.count == 2 || lengths.count == 1, lengths[0] <= lengths[lengths.count - 1] else {
            throw MemscanError.usage("--near-lengths must be MIN,MAX with MIN <= MAX")
        }
        options.nearLengths = lengths[0] ... lengths[lengths.count - 1]
        options.promptLevels = try integers(promptLevels, "--prompt-levels")
        options.experiment = experiment
        options.threads = threads
        options.progress = StandardError.isTerminal
        let report = try Synthesizer.run(options: options)
        StandardError.write(summary(report))
    }

    private func list(_ text: String, _ option: String) throws -> [String] {
        let parts = text.split(separator: ",").map { String($0).trimmingSpaces }
        if parts.isEmpty || parts.contains(where: \.isEmpty) { throw MemscanError.usage("\(option): empty list item") }
        return parts
    }

    private func integers(_ text: String, _ option: String) throws -> [Int] {
        try list(text, option).map { item in
            guard let value = Int(item) else { throw MemscanError.usage("\(option): '\(item)' is not an integer") }
            return value
        }
    }

    private func summary(_ r: SynthReport) -> String {
        var s = "memscan synth (\(r.mode.rawValue)) wrote \(r.directory):\n"
        s += "  records.jsonl      \(r.records) records, \(r.recordTokens) tokens in \(format(r.recordSeconds, 2)) s"
        s += " (\(format(r.recordTokensPerSecond / 1e6, 2)) M tokens/s)\n"
        s += "  held_out.jsonl     \(r.heldOutRecords) records, \(r.heldOutTokens) tokens\n"
        s += "  generations.jsonl  \(r.generations) generations, \(r.generationTokens) tokens in \(format(r.generationSeconds, 2)) s"
        s += " (\(format(r.generationTokensPerSecond / 1e6, 2)) M tokens/s)\n"
        let classes = ["verbatim_self", "verbatim_other", "near_self", "near_other", "template"]
        s += "  truth.jsonl        \(r.spans) planted spans: "
        s += classes.map { "\(r.spanCounts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        s += "; \(r.sensitiveSpans) with a sensitive condition, \(r.rareSpans) with a rare one\n"
        s += "  mean span length: " + classes.map { name in
            let count = r.spanCounts[name] ?? 0
            return "\(name) " + (count > 0 ? format(Double(r.spanTokens[name] ?? 0) / Double(count), 1) : "-")
        }.joined(separator: ", ") + " tokens\n"
        let rates = r.nearRateCounts.keys.sorted { Double($0)! < Double($1)! }
        s += "  near copies by edit rate: " + rates.map { "\($0): \(r.nearRateCounts[$0]!)" }.joined(separator: ", ") + "\n"
        let scenarios = ["novel", "template", "self", "other", "near", "mixed"]
        s += "  scenarios: " + scenarios.map { "\($0) \(r.scenarioCounts[$0] ?? 0)" }.joined(separator: ", ") + "\n"
        s += "  total \(format(r.seconds, 2)) s, \(r.bytesWritten) bytes\n"
        return s
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
