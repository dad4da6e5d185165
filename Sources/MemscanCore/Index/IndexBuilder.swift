import CMemscanShims

#if _endian(big)
#error("memscan writes its index in little-endian order by memory copy")
#endif

/// Builds an index from training records held in memory.
///
/// Records are tokenized and interned as they arrive; `write(to:)` then ranks the
/// vocabulary, samples shingles by winnowing, groups them into the shingle table
/// and compresses the token store. The file format does not depend on the corpus
/// being in memory: an external-sort build can produce the same sections.
public final class IndexBuilder {
    public let options: IndexBuildOptions
    private let tokenizer: Tokenizer
    private var vocabulary: VocabularyBuilder
    /// Matching tokens of all records, provisional ids.
    private var stream: [UInt32] = []
    /// With --ignore: original in-record index of each matching token.
    private var positions: [UInt32]? = nil
    private var recordStarts: [UInt64] = [0]
    private var recordLengths: [UInt32] = []
    private var recordIdBytes: [UInt8] = []
    private var recordIdOffsets: [UInt64] = [0]
    private var corpusTokens = 0
    private let startTime = MonotonicClock.now()

    public init(options: IndexBuildOptions) throws {
        try options.validate()
        self.options = options
        tokenizer = Tokenizer(kind: options.tokenizer)
        let ignore = try options.ignore.map { try IgnorePattern($0) }
        vocabulary = VocabularyBuilder(seed: IndexBuildOptions.tokenSeed, ignore: ignore)
        if ignore != nil { positions = [] }
    }

    public var recordCount: Int { recordLengths.count }

    /// Approximate peak memory of `write(to:)`: the token streams, record tables,
    /// and the sampled shingles (sorted with a copy) at the window's density.
    public var estimatedPeakBytes: Int {
        let density = 2.0 / Double(options.w + 1)
        let occurrences = Int(Double(stream.count) * density)
        return stream.count * (positions == nil ? 8 : 12) + recordLengths.count * 28 + recordIdBytes.count
            + vocabulary.bytes.count + vocabulary.count * 48 + occurrences * 40
    }
    public var tokenCount: Int { corpusTokens }

    public func add(_ record: InputRecord) throws {
        let tokens = tokenizer.tokenize(record.content)
        try add(id: record.id, tokens: tokens, location: record.location)
    }

    public func add(id: String, tokens: TokenList, location: SourceLocation = SourceLocation(file: "<memory>", line: 0)) throws {
        guard tokens.count < Int(UInt32.max) else { throw MemscanError.input(location, "record has too many tokens (\(tokens.count))") }
        tokens.bytes.withUnsafeBytes { all in
            for i in 0 ..< tokens.count {
                let s = tokens.start(i), e = tokens.end(i)
                let id = vocabulary.intern(UnsafeRawBufferPointer(rebasing: all[s ..< e]))
                if vocabulary.isIgnored(id) { continue }
                stream.append(id)
                positions?.append(UInt32(i))
            }
        }
        guard UInt64(stream.count) <= IndexFormat.maxMatchTokens else {
            throw MemscanError.input(location, "corpus exceeds \(IndexFormat.maxMatchTokens) matching tokens, the limit of index format \(IndexFormat.version)")
        }
        corpusTokens += tokens.count
        recordStarts.append(UInt64(stream.count))
        recordLengths.append(UInt32(tokens.count))
        recordIdBytes.append(contentsOf: id.utf8)
        recordIdOffsets.append(UInt64(recordIdBytes.count))
    }

    /// Writes the index atomically to `path` (mode 0600).
    public func write(to path: String) throws -> IndexBuildReport {
        let ranked = vocabulary.rankedOrder()
        var newId = [UInt32](repeating: 0, count: ranked.count)
        for (rank, old) in ranked.enumerated() { newId[Int(old)] = UInt32(rank) }
        for i in stream.indices { stream[i] = newId[Int(stream[i])] }
        let tokenHashes = ranked.map { vocabulary.hash(of: $0) }

        var header = IndexHeader()
        header.tokenizer = options.tokenizer
        header.k = options.k
        header.w = options.w
        header.blockTokens = options.blockTokens
        header.tokenSeed = IndexBuildOptions.tokenSeed
        header.shingleSeed = IndexBuildOptions.shingleSeed
        header.recordCount = recordLengths.count
        header.corpusTokens = corpusTokens
        header.matchTokens = stream.count
        header.vocabCount = ranked.count
        header.zstdLevel = options.zstdLevel
        header.ignorePattern = options.ignore

        let occurrences = sampleShingles(tokenHashes: tokenHashes)
        let table = ShingleTableBuilder.build(occurrences: occurrences, recordStarts: recordStarts, matchTokens: stream.count)
        header.bucketCount = table.bucketCount
        header.maxDisplacement = table.maxDisplacement
        header.tableGeometry = table.geometry
        header.tableEntries = table.entries
        header.sampledOccurrences = occurrences.count
        header.multiEntryCount = table.multiEntries.count / 3

        let model = SuccessorModel(stream: stream, vocabCount: ranked.count, blockTokens: options.blockTokens)
        let tokenBlocks = try BlockCompressor.compress(stream, blockTokens: options.blockTokens, level: options.zstdLevel,
                                                       threads: options.threads, model: model, trainDictionary: true, path: path)
        header.blockCount = tokenBlocks.offsets.count - 1
        let positionBlocks = try positions.map {
            try BlockCompressor.compress($0, blockTokens: options.blockTokens, level: options.zstdLevel,
                                         threads: options.threads, model: nil, trainDictionary: false, path: path)
        }

        var vocabBytes: [UInt8] = []
        var vocabOffsets: [UInt64] = [0]
        var vocabFlags: [UInt8] = []
        for old in ranked {
            vocabBytes.append(contentsOf: vocabulary.bytes[vocabulary.offsets[Int(old)] ..< vocabulary.offsets[Int(old) + 1]])
            vocabOffsets.append(UInt64(vocabBytes.count))
            vocabFlags.append(vocabulary.isIgnored(old) ? IndexFormat.vocabFlagIgnored : 0)
        }
        let vocabTable = VocabularyTable.build(hashes: tokenHashes)

        var sections: [(SectionKind, UnsafeRawBufferPointer)] = []
        let writer = try AtomicFileWriter(path: path)
        var entries: [SectionEntry] = []
        // Keep every array alive while its bytes are written.
        try withExtendedLifetime((tokenHashes, vocabOffsets, vocabBytes, vocabFlags, vocabTable, table, model, tokenBlocks, positionBlocks)) {
            func raw<T>(_ array: [T]) -> UnsafeRawBufferPointer {
                array.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) }
            }
            sections = [
                (.vocabHashes, raw(tokenHashes)), (.vocabOffsets, raw(vocabOffsets)), (.vocabBytes, raw(vocabBytes)),
                (.vocabFlags, raw(vocabFlags)), (.vocabTable, raw(vocabTable)),
                (.recordStarts, raw(recordStarts)), (.recordLengths, raw(recordLengths)),
                (.recordIdOffsets, raw(recordIdOffsets)), (.recordIdBytes, raw(recordIdBytes)),
                (.shingleTable, raw(table.words)), (.multiEntries, raw(table.multiEntries)), (.postings, raw(table.postings)),
                (.tokenBlockOffsets, raw(tokenBlocks.offsets)), (.tokenBlocks, raw(tokenBlocks.data)),
                (.tokenSuccessorOffsets, raw(model.offsets)), (.tokenSuccessors, raw(model.successors)),
                (.tokenDictionary, raw(tokenBlocks.dictionary)),
            ]
            if let positionBlocks {
                sections.append((.positionBlockOffsets, raw(positionBlocks.offsets)))
                sections.append((.positionBlocks, raw(positionBlocks.data)))
            }
            // The header's size is known before its contents: reserve it, write it last.
            let placeholder = HeaderCodec.encode(header, sections: sections.map {
                SectionEntry(kind: $0.0, offset: 0, length: 0, checksum: 0)
            })
            try writer.write([UInt8](repeating: 0, count: placeholder.count))
            for (kind, bytes) in sections {
                try writer.pad(to: IndexFormat.alignment)
                let offset = writer.offset
                try writer.write(bytes)
                entries.append(SectionEntry(kind: kind, offset: offset, length: bytes.count,
                                            checksum: ms_xxh3(bytes.baseAddress, bytes.count, 0)))
            }
            try writer.pad(to: IndexFormat.alignment)
            try writer.write(HeaderCodec.encode(header, sections: entries), at: 0)
        }
        let fileBytes = writer.offset
        try writer.commit()
        return IndexBuildReport(records: header.recordCount, corpusTokens: corpusTokens, matchTokens: stream.count,
                                vocabulary: ranked.count, sampledShingles: occurrences.count,
                                distinctShingles: table.entries, fileBytes: fileBytes,
                                seconds: MonotonicClock.now() - startTime)
    }

    /// Winnows every record in parallel chunks; returns the selected shingle
    /// occurrences (table key and matching-token position).
    private func sampleShingles(tokenHashes: [UInt64]) -> [ShingleOccurrence] {
        let recordCount = recordLengths.count
        let chunks = max(1, min(recordCount, options.threads * 8))
        let slots = ResultSlots<[ShingleOccurrence]>(count: chunks)
        let k = options.k, w = options.w
        let stream = self.stream, starts = self.recordStarts
        parallelFor(count: chunks, threads: options.threads) { chunk in
            let first = recordCount * chunk / chunks, last = recordCount * (chunk + 1) / chunks
            var result: [ShingleOccurrence] = []
            var hashes: [UInt64] = []
            var shingles: [UInt64] = []
            var selected: [Int32] = []
            for record in first ..< last {
                let start = Int(starts[record]), end = Int(starts[record + 1])
                hashes.removeAll(keepingCapacity: true)
                for i in start ..< end { hashes.append(tokenHashes[Int(stream[i])]) }
                hashes.withUnsafeBufferPointer {
                    Winnowing.shingleHashes(tokenHashes: $0, ids: nil, k: k, seed: IndexBuildOptions.shingleSeed, into: &shingles)
                }
                shingles.withUnsafeBufferPointer { Winnowing.select(hashes: $0, w: w, into: &selected) }
                for p in selected {
                    result.append(ShingleOccurrence(key: ms_fmix64(shingles[Int(p)]), position: UInt32(start + Int(p))))
                }
            }
            slots[chunk] = result
        }
        var all: [ShingleOccurrence] = []
        all.reserveCapacity(slots.take().reduce(0) { $0 + $1.count })
        for part in slots.take() { all.append(contentsOf: part) }
        return all
    }
}

/// A sampled shingle: its table key (fmix64 of the shingle hash) and where it starts.
struct ShingleOccurrence: Sendable {
    var key: UInt64
    var position: UInt32
}
