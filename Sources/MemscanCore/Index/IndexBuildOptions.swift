/// Parameters of `memscan index build` (§6, §7). All of them are stored in the
/// index header so that a scan tokenizes and samples exactly as the build did.
public struct IndexBuildOptions: Sendable {
    public var tokenizer: TokenizerKind = .codes
    /// Shingle size in matching tokens.
    public var k: Int = 8
    /// Winnowing window in shingles; 1 indexes every shingle.
    public var w: Int = 9
    /// POSIX extended regex of tokens that are skipped for matching.
    public var ignore: String? = nil
    /// Tokens per zstd block of the record token store: smaller blocks make
    /// verification cheaper, larger ones compress better.
    public var blockTokens: Int = 1024
    public var zstdLevel: Int = 3
    public var threads: Int = 1
    /// Bytes the build's corpus-sized buffers may hold (nil: no limit). Past it the token
    /// stream, the sorted shingle runs, the table's buckets and postings spill to temporary
    /// files; the vocabulary and the per-record tables stay in memory.
    public var memoryLimit: Int? = nil
    /// Where spill files go (nil: $TMPDIR, else /tmp). They are unlinked on creation.
    public var temporaryDirectory: String? = nil
    /// Fixed seeds: changing them changes every hash, so they are format constants
    /// recorded in the header rather than options.
    public static let tokenSeed: UInt64 = 0x6D65_6D73_6361_6E31   // "memscan1"
    public static let shingleSeed: UInt64 = 0x7368_696E_676C_6531 // "shingle1"

    public init() {}

    /// Checks parameter ranges; G = k + w - 1 must stay meaningful.
    public func validate() throws {
        guard (1 ... 64).contains(k) else { throw MemscanError.usage("-k must be between 1 and 64 (got \(k))") }
        guard (1 ... 1024).contains(w) else { throw MemscanError.usage("-w must be between 1 and 1024 (got \(w))") }
        guard (16 ... 1 << 24).contains(blockTokens) else {
            throw MemscanError.usage("--block-tokens must be between 16 and 16777216 (got \(blockTokens))")
        }
        guard (1 ... 22).contains(zstdLevel) else { throw MemscanError.usage("--zstd-level must be between 1 and 22 (got \(zstdLevel))") }
        try validateThreads(threads)
        if let memoryLimit, memoryLimit < 1 << 20 { throw MemscanError.usage("--memory-limit must be at least 1M") }
        // The header stores "no pattern" as an empty one: an empty pattern would be read
        // back as none, with the position sections of one.
        if let ignore, ignore.isEmpty { throw MemscanError.usage("--ignore: the pattern is empty") }
    }
}

/// What a build produced, for the CLI and benchmarks.
public struct IndexBuildReport: Sendable {
    public var records: Int
    public var corpusTokens: Int
    public var matchTokens: Int
    public var vocabulary: Int
    public var sampledShingles: Int
    public var distinctShingles: Int
    public var fileBytes: Int
    public var seconds: Double
    public var bytesPerToken: Double { corpusTokens == 0 ? 0 : Double(fileBytes) / Double(corpusTokens) }
    public var tokensPerSecond: Double { seconds > 0 ? Double(corpusTokens) / seconds : 0 }
}
