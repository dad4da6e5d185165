/// Parameters of `memscan synth`: a deterministic generator of EHR-like training records,
/// held-out records, model generations with planted memorized spans, and their ground truth.
public struct SynthOptions: Sendable {
    /// Folder for records.jsonl, held_out.jsonl, generations.jsonl and truth.jsonl (created).
    public var outputDirectory: String
    public var mode: TokenizerKind = .codes
    /// Training records to write; ignored when `tokens` is set.
    public var records: Int = 1000
    /// Write training records until this many corpus tokens (the record reaching it is the last).
    public var tokens: Int? = nil
    /// Held-out records (patients not in training); default a tenth of the training records.
    public var heldOut: Int? = nil
    public var generations: Int = 1000
    public var seed: UInt64 = 1
    /// Edit rates of near copies (one drawn per copy): edits = rate x copied length.
    public var nearRates: [Double] = [0.02, 0.05, 0.1, 0.15, 0.2]
    /// Lengths of near copies, in source tokens (uniform over the range).
    public var nearLengths: ClosedRange<Int> = 20 ... 200
    /// Prompt lengths in tokens, drawn uniformly per generation.
    public var promptLevels: [Int] = [0, 10, 20, 50]
    /// Value of the `experiment` field of every generation.
    public var experiment: String = "synth"
    public var threads: Int = 1
    /// Progress lines on standard error.
    public var progress: Bool = false

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }

    func validate() throws {
        if let tokens, tokens < 1 { throw MemscanError.usage("--tokens must be at least 1") }
        if tokens == nil && records < 1 { throw MemscanError.usage("--records must be at least 1") }
        if let heldOut, heldOut < 0 { throw MemscanError.usage("--held-out must not be negative") }
        if generations < 0 { throw MemscanError.usage("--generations must not be negative") }
        if nearRates.isEmpty || nearRates.contains(where: { !($0 > 0 && $0 <= 0.5) }) {
            throw MemscanError.usage("--near-rates must be rates in (0, 0.5]")
        }
        if nearLengths.lowerBound < 10 || nearLengths.upperBound > 10_000 {
            throw MemscanError.usage("--near-lengths must lie within 10...10000 tokens")
        }
        if promptLevels.isEmpty || promptLevels.contains(where: { $0 < 0 || $0 > 10_000 }) {
            throw MemscanError.usage("--prompt-levels must be token counts in 0...10000")
        }
        try validateThreads(threads)
        if let tokens, tokens > 40_000_000_000 { throw MemscanError.usage("--tokens is too large") }
        if records > 40_000_000 { throw MemscanError.usage("--records is too large (at most 40000000)") }
        if let heldOut, heldOut > 40_000_000 { throw MemscanError.usage("--held-out is too large (at most 40000000)") }
        if generations > 1_000_000_000 { throw MemscanError.usage("--generations is too large (at most 1000000000)") }
    }
}

/// What a synth run wrote, and how fast.
public struct SynthReport: Sendable {
    public var mode: TokenizerKind = .codes
    public var directory = ""
    public var records = 0
    public var recordTokens = 0
    public var heldOutRecords = 0
    public var heldOutTokens = 0
    public var generations = 0
    public var generationTokens = 0
    /// Planted spans by class: verbatim_self, verbatim_other, near_self, near_other, template.
    public var spanCounts: [String: Int] = [:]
    /// Generation tokens inside planted spans, by the same classes.
    public var spanTokens: [String: Int] = [:]
    /// Generations by scenario (novel, template, self, other, near, mixed).
    public var scenarioCounts: [String: Int] = [:]
    /// Near copies by requested edit rate.
    public var nearRateCounts: [String: Int] = [:]
    /// Planted spans whose generation tokens include a sensitive (rare) condition.
    public var sensitiveSpans = 0
    public var rareSpans = 0
    public var bytesWritten = 0
    public var recordSeconds = 0.0
    public var heldOutSeconds = 0.0
    public var generationSeconds = 0.0
    public var seconds = 0.0

    public init() {}

    public var spans: Int { spanCounts.values.reduce(0, +) }
    public var recordTokensPerSecond: Double { recordSeconds > 0 ? Double(recordTokens) / recordSeconds : 0 }
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(generationTokens) / generationSeconds : 0
    }
}
