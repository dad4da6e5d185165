/// Everything a scan needs that is shared, immutable and thread-safe.
public struct ScanContext: Sendable {
    public let index: MemscanIndex
    public let reference: MemscanIndex?
    public let sensitive: SensitiveCategories?
    public let options: ScanOptions
    /// The effective --min-length (the index's G unless given).
    public let minLength: Int

    public init(index: MemscanIndex, reference: MemscanIndex? = nil, sensitive: SensitiveCategories? = nil,
                options: ScanOptions = ScanOptions()) throws {
        try options.validate()
        if let reference, reference.header.tokenizer != index.header.tokenizer {
            throw MemscanError.usage("--reference \(reference.path) uses the \(reference.header.tokenizer.rawValue) tokenizer but \(index.path) uses \(index.header.tokenizer.rawValue)")
        }
        self.index = index
        self.reference = reference
        self.sensitive = sensitive
        self.options = options
        minLength = options.minLength ?? index.header.guaranteedLength
    }
}

/// Scans generations one at a time: tokenize, find matches, build spans, then
/// classify them. One per thread (it owns buffers and block caches).
public final class GenerationScanner {
    public let context: ScanContext
    private let tokenizer: Tokenizer
    private let finder: MatchFinder
    private let referenceFinder: MatchFinder?
    private let near: NearFinder?
    private var sensitiveCache = SensitiveCache()

    public init(context: ScanContext) {
        self.context = context
        tokenizer = Tokenizer(kind: context.index.header.tokenizer)
        // Grouped seeds need every span to hold a charged seed: spans at least G long.
        let grouping = context.options.grouping && context.minLength >= context.index.header.guaranteedLength
        let options = context.options
        finder = MatchFinder(index: context.index, maxOccurrences: options.maxOccurrences, contextMinimum: options.contextMinimum,
                             contextBuildAfter: options.contextBuildAfter, grouping: grouping, samplingForNear: options.near)
        referenceFinder = context.reference.map {
            MatchFinder(index: $0, maxOccurrences: options.maxOccurrences, contextMinimum: options.contextMinimum,
                        contextBuildAfter: options.contextBuildAfter,
                        grouping: options.grouping && context.minLength >= $0.header.guaranteedLength)
        }
        near = context.options.near
            ? NearFinder(index: context.index, options: context.options, minLength: context.minLength) : nil
    }

    /// Near record counting's trigram filter so far (tests).
    var nearFilterUse: (regions: Int, windows: Int) { (near?.regionsFiltered ?? 0, near?.windowsFiltered ?? 0) }

    public func scan(_ generation: InputRecord) throws -> GenerationResult {
        let (tokens, promptTokens) = try assemble(generation)
        try finder.run(on: tokens)
        let promptMatching = finder.sequence.matchingCount(before: promptTokens)
        let builder = SpanBuilder(index: context.index, options: context.options, minLength: context.minLength)
        let patientID = generation.patientID.map { Array($0.utf8) }
        var spans = try builder.spans(finder: finder, promptMatching: promptMatching, patientID: patientID)
        if let near {
            spans = try near.merge(near.find(finder: finder, verbatim: spans.map(\.matchingRange),
                                             promptMatching: promptMatching, patientID: patientID),
                                   into: spans, finder: finder, promptMatching: promptMatching)
        }
        if !spans.isEmpty, let referenceFinder {
            try referenceFinder.run(on: tokens)
            let sequence = referenceFinder.sequence
            let covered = (referenceFinder.matches.map { ($0.genStart, $0.genEnd) } + referenceFinder.groupIntervals.map { ($0.a, $0.b) })
                .map { Int(sequence.original[$0.0]) ..< Int(sequence.original[$0.1 - 1]) + 1 }
            for s in spans.indices {
                switch spans[s].kind {
                case .verbatim:
                    spans[s].inReference = covered.contains { $0.lowerBound <= spans[s].start && $0.upperBound >= spans[s].end }
                case .near:
                    // The reference may ignore other tokens: map through original positions.
                    let region = sequence.matchingCount(before: spans[s].start) ..< sequence.matchingCount(before: spans[s].end)
                    spans[s].inReference = try near?.hasSimilarRecord(region, ids: sequence.ids, finder: referenceFinder) ?? false
                }
            }
        }
        let options = context.options
        for s in spans.indices {
            if let sensitive = context.sensitive {
                // What the prompt already held is not a leak: only the continuation counts.
                let from = max(spans[s].start, promptTokens)
                spans[s].sensitive = sensitive.categories(in: tokens, range: from ..< max(from, spans[s].end), cache: &sensitiveCache)
            }
            if let starts = tokens.charStarts, let ends = tokens.charEnds {
                let first = max(spans[s].start, 0)
                spans[s].charStart = Int(starts[first])
                spans[s].charEnd = Int(ends[spans[s].end - 1])
            }
            spans[s].risk = risk(of: spans[s], options: options)
        }
        spans.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        return GenerationResult(
            id: generation.id, location: generation.location, groups: generation.groups, tokens: tokens.count,
            promptTokens: promptTokens, spans: spans, longest: spans.map(\.newTokens).max() ?? 0,
            coverage: coverage(spans, tokens: tokens.count, prompt: promptTokens),
            maxRisk: spans.map(\.risk).max(), patientID: generation.patientID)
    }

    /// §4: high = unique or rare, not in reference, and sensitive or long; medium =
    /// unique or rare otherwise; low = common or in reference.
    func risk(of span: Span, options: ScanOptions) -> Risk {
        if span.rarity == .common || span.inReference == true { return .low }
        if !span.sensitive.isEmpty || span.newTokens >= options.highRiskLengthFactor * context.minLength { return .high }
        return .medium
    }

    /// The generation's tokens with the prompt in front, and the prompt's length.
    /// A prompt given as content that the generation does not start with is
    /// prepended, so positions always count from the start of the prompt.
    private func assemble(_ generation: InputRecord) throws -> (TokenList, Int) {
        let tokens = tokenizer.tokenize(generation.content)
        switch generation.prompt {
        case nil:
            return (tokens, 0)
        case .length(let n):
            return (tokens, min(n, tokens.count))
        case .content(let content):
            let prompt = tokenizer.tokenize(content)
            if startsWith(tokens, prompt) { return (tokens, prompt.count) }
            var joined = prompt
            if tokens.charStarts != nil || prompt.charStarts != nil {
                // Prompt tokens are not in the generation text: they get empty offsets at 0.
                joined.charStarts = [Int32](repeating: 0, count: prompt.count)
                joined.charEnds = [Int32](repeating: 0, count: prompt.count)
            }
            for i in 0 ..< tokens.count {
                if let starts = tokens.charStarts, let ends = tokens.charEnds {
                    joined.append(bytes: tokens.bytes[tokens.start(i) ..< tokens.end(i)], charStart: Int(starts[i]), charEnd: Int(ends[i]))
                } else {
                    joined.append(bytes: tokens.bytes[tokens.start(i) ..< tokens.end(i)])
                }
            }
            return (joined, prompt.count)
        }
    }

    private func startsWith(_ tokens: TokenList, _ prefix: TokenList) -> Bool {
        guard prefix.count <= tokens.count else { return false }
        let prefixBytes = prefix.isEmpty ? 0 : prefix.end(prefix.count - 1)
        guard tokens.bytes.count >= prefixBytes else { return false }
        for i in 0 ..< prefix.count where tokens.ends[i] != prefix.ends[i] { return false }
        return tokens.bytes[0 ..< prefixBytes].elementsEqual(prefix.bytes[0 ..< prefixBytes])
    }

    private func coverage(_ spans: [Span], tokens: Int, prompt: Int) -> Double {
        let continuation = tokens - prompt
        guard continuation > 0 else { return 0 }
        var covered = 0
        var reach = prompt
        for span in spans.sorted(by: { $0.start < $1.start }) {
            let start = max(span.start, reach)
            if span.end > start {
                covered += span.end - start
                reach = span.end
            }
        }
        return Double(covered) / Double(continuation)
    }
}
