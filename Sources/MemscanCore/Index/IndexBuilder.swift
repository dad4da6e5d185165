import CMemscanShims

#if _endian(big)
#error("memscan writes its index in little-endian order by memory copy")
#endif

/// Builds an index from training records.
///
/// Records are tokenized and interned as they arrive; their tokens go to a spool that
/// stays in memory unless `memoryLimit` says otherwise. `write(to:)` then ranks the
/// vocabulary, samples shingles by winnowing a chunk of records at a time (sorted runs
/// spill to disk past the limit), counts successor pairs, streams the compressed token
/// store into the file, and builds the shingle table from the merged runs through a
/// window of buckets. Only the vocabulary and the per-record tables are held whole in
/// memory.
public final class IndexBuilder {
    public let options: IndexBuildOptions
    private let tokenizer: Tokenizer
    // Interned once per corpus token: a run-time exclusivity check per access showed in
    // the build's profile. Only `add`, which is not reentrant, mutates it.
    @exclusivity(unchecked) private var vocabulary: VocabularyBuilder
    /// Matching tokens of all records, provisional ids.
    private let stream: ValueSpool
    /// With --ignore: original in-record index of each matching token.
    private let positions: ValueSpool?
    private var recordStarts: [UInt64] = [0]
    private var recordLengths: [UInt32] = []
    private var recordIdBytes: [UInt8] = []
    private var recordIdOffsets: [UInt64] = [0]
    private var corpusTokens = 0
    private let startTime = MonotonicClock.now()

    /// Shares of --memory-limit: the token spool, the occurrence runs, the records
    /// winnowed at once (tokens, their hashes and selected shingles), with --ignore the
    /// position spool, the window of shingle-table buckets being filled, each of the postings
    /// and multi-entry spools. The rest is left for the per-record tables and small structures.
    private static let streamShare = 0.25, occurrenceShare = 0.2, chunkShare = 0.1, positionShare = 0.1, tableShare = 0.1,
                              postingShare = 0.05
    /// Records winnowed at once without a limit (bounds the copy of their tokens).
    private static let defaultChunkTokens = 1 << 23

    public init(options: IndexBuildOptions) throws {
        try options.validate()
        self.options = options
        tokenizer = Tokenizer(kind: options.tokenizer)
        let ignore = try options.ignore.map { try IgnorePattern($0) }
        vocabulary = VocabularyBuilder(seed: IndexBuildOptions.tokenSeed, ignore: ignore)
        let directory = options.temporaryDirectory ?? SpillFile.defaultDirectory
        stream = ValueSpool(memoryValues: options.memoryLimit.map { Int(Double($0) * IndexBuilder.streamShare) / 4 },
                            directory: directory)
        positions = ignore == nil ? nil
            : ValueSpool(memoryValues: options.memoryLimit.map { Int(Double($0) * IndexBuilder.positionShare) / 4 },
                         directory: directory)
    }

    public var recordCount: Int { recordLengths.count }
    public var tokenCount: Int { corpusTokens }

    public func add(_ record: InputRecord) throws {
        let tokens = tokenizer.tokenize(record.content)
        try add(id: record.id, tokens: tokens, location: record.location)
    }

    public func add(id: String, tokens: TokenList, location: SourceLocation = SourceLocation(file: "<memory>", line: 0)) throws {
        guard tokens.count < Int(UInt32.max) else { throw MemscanError.input(location, "record has too many tokens (\(tokens.count))") }
        try tokens.bytes.withUnsafeBytes { all in
            for i in 0 ..< tokens.count {
                let s = tokens.start(i), e = tokens.end(i)
                let id = vocabulary.intern(UnsafeRawBufferPointer(rebasing: all[s ..< e]))
                if vocabulary.isIgnored(id) { continue }
                try stream.append(id)
                try positions?.append(UInt32(i))
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
        // A constant: a variable captured by `tokens` below was checked for exclusive
        // access on every read, once per corpus token.
        let newId = {
            var ids = [UInt32](repeating: 0, count: ranked.count)
            for (rank, old) in ranked.enumerated() { ids[Int(old)] = UInt32(rank) }
            return ids
        }()
        let tokenHashes = ranked.map { vocabulary.hash(of: $0) }
        let matchTokens = stream.count
        /// Tokens `range` of the stream with their final ids.
        func tokens(_ range: Range<Int>) throws -> [UInt32] {
            var values: [UInt32] = []
            values.reserveCapacity(range.count)
            try stream.read(range, into: &values)
            for i in values.indices { values[i] = newId[Int(values[i])] }
            return values
        }

        var header = IndexHeader()
        header.tokenizer = options.tokenizer
        header.k = options.k
        header.w = options.w
        header.blockTokens = options.blockTokens
        header.tokenSeed = IndexBuildOptions.tokenSeed
        header.shingleSeed = IndexBuildOptions.shingleSeed
        header.recordCount = recordLengths.count
        header.corpusTokens = corpusTokens
        header.matchTokens = matchTokens
        header.vocabCount = ranked.count
        header.zstdLevel = options.zstdLevel
        header.ignorePattern = options.ignore

        // Pass 1: winnow a chunk of records at a time; count successor pairs on the way.
        let (sorter, countedModel) = try winnowAndCountPairs(tokens: tokens, tokenHashes: tokenHashes)
        let sampledOccurrences = sorter.count

        var vocabBytes: [UInt8] = []
        var vocabOffsets: [UInt64] = [0]
        var vocabFlags: [UInt8] = []
        for old in ranked {
            vocabBytes.append(contentsOf: vocabulary.bytes[vocabulary.offsets[Int(old)] ..< vocabulary.offsets[Int(old) + 1]])
            vocabOffsets.append(UInt64(vocabBytes.count))
            vocabFlags.append(vocabulary.isIgnored(old) ? IndexFormat.vocabFlagIgnored : 0)
        }
        let vocabTable = VocabularyTable.build(hashes: tokenHashes)

        let writer = try AtomicFileWriter(path: path)
        var entries: [SectionEntry] = []
        /// Writes one section with whatever `fill` writes, in pieces if it likes.
        func section<T>(_ kind: SectionKind, _ fill: () throws -> T) throws -> T {
            try writer.beginSection()
            let result = try fill()
            let section = writer.endSection()
            entries.append(SectionEntry(kind: kind, offset: section.offset, length: section.length, checksum: section.checksum))
            return result
        }
        func write<T>(_ kind: SectionKind, _ array: [T]) throws {
            try section(kind) { try array.withUnsafeBytes { try writer.write($0) } }
        }
        let blockCount = (matchTokens + options.blockTokens - 1) / options.blockTokens
        /// Streams a blocked store into a section; returns its frame offsets.
        func writeBlocks(_ kind: SectionKind, model: SuccessorModel?, read: (Int) throws -> [UInt32]) throws -> (offsets: [UInt64], dictionary: [UInt8]) {
            try section(kind) {
                try BlockCompressor.compress(
                    blockCount: blockCount, read: read, level: options.zstdLevel, threads: options.threads, model: model,
                    trainDictionary: model != nil, estimatedBytes: matchTokens, path: path, emit: { try writer.write($0) })
            }
        }
        let sectionCount = SectionKind.allCases.filter { positions != nil || !$0.isOptional }.count
        // The header's size is known before its contents (it depends on the number of
        // sections): reserve it, write it last.
        let placeholder = HeaderCodec.encode(header, sections: (0 ..< sectionCount).map { _ in
            SectionEntry(kind: .vocabHashes, offset: 0, length: 0, checksum: 0)
        })
        try writer.write([UInt8](repeating: 0, count: placeholder.count))
        try write(.vocabHashes, tokenHashes)
        try write(.vocabOffsets, vocabOffsets)
        try write(.vocabBytes, vocabBytes)
        try write(.vocabFlags, vocabFlags)
        try write(.vocabTable, vocabTable)
        try write(.recordStarts, recordStarts)
        try write(.recordLengths, recordLengths)
        try write(.recordIdOffsets, recordIdOffsets)
        try write(.recordIdBytes, recordIdBytes)

        // Pass 2: the token store, streamed block by block.
        let blockTokens = options.blockTokens
        func tokenBlock(_ block: Int) throws -> [UInt32] {
            try tokens(block * blockTokens ..< min(matchTokens, (block + 1) * blockTokens))
        }
        let model = try BlockCompressor.cheaper(countedModel, vocabCount: ranked.count, blockCount: blockCount,
                                                read: tokenBlock, level: options.zstdLevel, path: path)
        let tokenBlocks = try writeBlocks(.tokenBlocks, model: model, read: tokenBlock)
        header.blockCount = tokenBlocks.offsets.count - 1
        try write(.tokenBlockOffsets, tokenBlocks.offsets)
        try write(.tokenSuccessorOffsets, model.offsets)
        try write(.tokenSuccessors, model.successors)
        try write(.tokenDictionary, tokenBlocks.dictionary)
        if let positions {
            let positionBlocks = try writeBlocks(.positionBlocks, model: nil) { block in
                var values: [UInt32] = []
                try positions.read(block * blockTokens ..< min(matchTokens, (block + 1) * blockTokens), into: &values)
                return values
            }
            try write(.positionBlockOffsets, positionBlocks.offsets)
        }

        // Pass 3: the shingle table from the merged occurrence runs.
        let table = try ShingleTableBuilder.build(
            sorted: sorter.finish(), recordStarts: recordStarts, matchTokens: matchTokens,
            windowBuckets: options.memoryLimit.map { Int(Double($0) * IndexBuilder.tableShare) / IndexFormat.bucketSize },
            postingValues: options.memoryLimit.map { Int(Double($0) * IndexBuilder.postingShare) / 4 },
            directory: options.temporaryDirectory ?? SpillFile.defaultDirectory)
        header.bucketCount = table.bucketCount
        header.maxDisplacement = table.maxDisplacement
        header.tableGeometry = table.geometry
        header.tableEntries = table.entries
        header.sampledOccurrences = sampledOccurrences
        header.multiEntryCount = table.multiEntries.count / 3
        try section(.shingleTable) { try table.buckets.write { try writer.write($0) } }
        try section(.multiEntries) { try table.multiEntries.write { try writer.write($0) } }
        try section(.postings) { try table.postings.write { try writer.write($0) } }

        try writer.pad(to: IndexFormat.alignment)
        precondition(entries.count == sectionCount, "the reserved header has room for \(sectionCount) sections")
        try writer.write(HeaderCodec.encode(header, sections: entries), at: 0)
        let fileBytes = writer.offset
        try writer.commit()
        return IndexBuildReport(records: header.recordCount, corpusTokens: corpusTokens, matchTokens: matchTokens,
                                vocabulary: ranked.count, sampledShingles: sampledOccurrences,
                                distinctShingles: table.entries, fileBytes: fileBytes,
                                seconds: MonotonicClock.now() - startTime)
    }

    /// Pass 1 of `write(to:)`: winnows every record, a chunk of records at a time (sorted
    /// runs spill past the memory limit), and counts the successor pairs of the token store.
    private func winnowAndCountPairs(tokens: (Range<Int>) throws -> [UInt32],
                                     tokenHashes: [UInt64]) throws -> (OccurrenceSorter, SuccessorModel) {
        let sorter = OccurrenceSorter(memoryOccurrences: options.memoryLimit.map {
            Int(Double($0) * IndexBuilder.occurrenceShare) / (2 * MemoryLayout<ShingleOccurrence>.stride)
        }, directory: options.temporaryDirectory ?? SpillFile.defaultDirectory)
        // Per chunk token: its id copy, its hash and about 2 / (w + 1) selected shingles.
        let chunkTokens = options.memoryLimit.map { max(1 << 16, Int(Double($0) * IndexBuilder.chunkShare) / 24) }
            ?? IndexBuilder.defaultChunkTokens
        var pairs = SuccessorModel.PairCounter(blockTokens: options.blockTokens)
        var firstRecord = 0
        while firstRecord < recordLengths.count {
            var lastRecord = firstRecord + 1
            while lastRecord < recordLengths.count
                && Int(recordStarts[lastRecord + 1] - recordStarts[firstRecord]) <= chunkTokens { lastRecord += 1 }
            let chunk = try tokens(Int(recordStarts[firstRecord]) ..< Int(recordStarts[lastRecord]))
            pairs.add(chunk)
            try sorter.append(contentsOf: sampleShingles(chunk, records: firstRecord ..< lastRecord, tokenHashes: tokenHashes))
            firstRecord = lastRecord
        }
        return (sorter, SuccessorModel(counts: pairs.counts, vocabCount: tokenHashes.count))
    }

    /// Winnows the records `records`, whose tokens (final ids) are `chunk`, in parallel
    /// slices; returns the selected shingle occurrences (table key, global position).
    private func sampleShingles(_ chunk: [UInt32], records: Range<Int>, tokenHashes: [UInt64]) -> [ShingleOccurrence] {
        let slices = max(1, min(records.count, options.threads * 8))
        let slots = ResultSlots<[ShingleOccurrence]>(count: slices)
        let k = options.k, w = options.w
        let starts = self.recordStarts
        let base = Int(starts[records.lowerBound])
        parallelFor(count: slices, threads: options.threads) { slice in
            let first = records.lowerBound + records.count * slice / slices
            let last = records.lowerBound + records.count * (slice + 1) / slices
            var result: [ShingleOccurrence] = []
            var hashes: [UInt64] = []
            var shingles: [UInt64] = []
            var selected: [Int32] = []
            for record in first ..< last {
                let start = Int(starts[record]), end = Int(starts[record + 1])
                hashes.removeAll(keepingCapacity: true)
                for i in start ..< end { hashes.append(tokenHashes[Int(chunk[i - base])]) }
                hashes.withUnsafeBufferPointer {
                    Winnowing.shingleHashes(tokenHashes: $0, ids: nil, k: k, seed: IndexBuildOptions.shingleSeed, into: &shingles)
                }
                shingles.withUnsafeBufferPointer { Winnowing.select(hashes: $0, w: w, into: &selected) }
                for p in selected {
                    result.append(ShingleOccurrence(key: ms_fmix64(shingles[Int(p)]), position: UInt32(start + Int(p))))
                }
            }
            slots[slice] = result
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
