import CMemscanShims

/// A memscan index opened for probing. Opening maps the file and checks the
/// header and section table in O(1); `verifyChecksums` additionally hashes every
/// section (what `index verify` and `scan` do by default). Every access is bounds
/// checked, so even a corrupt file that skipped verification cannot crash the
/// process: it yields `MemscanError.index` where the damage is noticed.
public final class MemscanIndex: @unchecked Sendable {
    // Immutable after init; the mapping is read-only. Safe to share across threads.
    public let path: String
    public let header: IndexHeader
    public let sections: [SectionEntry]
    public let fileSize: Int
    let file: MappedFile
    let ignorePattern: IgnorePattern?

    let vocabHashes: UnsafeBufferPointer<UInt64>
    let vocabOffsets: UnsafeBufferPointer<UInt64>
    let vocabBytes: UnsafeRawBufferPointer
    let vocabFlags: UnsafeBufferPointer<UInt8>
    let vocabTable: UnsafeBufferPointer<UInt32>
    let recordStarts: UnsafeBufferPointer<UInt64>
    let recordLengths: UnsafeBufferPointer<UInt32>
    let recordIdOffsets: UnsafeBufferPointer<UInt64>
    let recordIdBytes: UnsafeRawBufferPointer
    let table: ms_table
    let multiEntries: UnsafeBufferPointer<UInt32>
    let postings: UnsafeBufferPointer<UInt32>
    let tokenBlocks: BlockStore
    let positionBlocks: BlockStore?
    /// The decompressed token store, shared by the threads scanning this index (nil
    /// when it is too large: each thread then caches blocks itself).
    let sharedTokens: SharedBlockCache?
    /// Occurrences of very common shingles sorted by context, built as scans need them.
    let contextOrders = ContextOrderCache()
    /// Where each token trigram starts in the corpus, built when near record counting needs it.
    let trigramPostings = TrigramPostingsCache()
    /// Records by id, built on first use.
    let recordIDs = RecordIDLookup()

    public convenience init(path: String, verifyChecksums: Bool = false) throws {
        try self.init(file: MappedFile(path: path), verifyChecksums: verifyChecksums)
    }

    init(file: MappedFile, verifyChecksums: Bool) throws {
        self.file = file
        path = file.path
        fileSize = file.bytes.count
        let path = file.path
        let (header, sections, headerLength) = try HeaderCodec.decode(file.bytes, path: path)
        self.header = header
        self.sections = sections
        func fail(_ message: String) -> MemscanError { .index(path: path, message) }

        var byKind: [SectionKind: UnsafeRawBufferPointer] = [:]
        for section in sections {
            guard section.offset >= headerLength, section.offset % IndexFormat.alignment == 0 else {
                throw fail("corrupt section table (\(section.kind.name) at offset \(section.offset))")
            }
            guard section.offset + section.length <= fileSize else {
                throw fail("truncated index file: section \(section.kind.name) ends at byte \(section.offset + section.length), file has \(fileSize)")
            }
            byKind[section.kind] = UnsafeRawBufferPointer(rebasing: file.bytes[section.offset ..< section.offset + section.length])
        }
        // The writer pads the file to 64 bytes after the last section.
        let paddedEnd = HeaderCodec.padded(sections.map { $0.offset + $0.length }.max() ?? headerLength, to: IndexFormat.alignment)
        guard fileSize >= paddedEnd else {
            throw fail("truncated index file: expected \(paddedEnd) bytes, file has \(fileSize)")
        }
        // Counts size the sections below; bound them by the file first so that a
        // forged header cannot overflow the arithmetic.
        for (name, count) in [("records", header.recordCount), ("vocabulary", header.vocabCount),
                              ("multi-entry", header.multiEntryCount), ("block", header.blockCount),
                              ("table-entry", header.tableEntries), ("bucket", header.bucketCount)]
            where count > fileSize {
            throw fail("corrupt header (\(name) count \(count) exceeds the file size)")
        }
        for kind in SectionKind.allCases where !kind.isOptional && byKind[kind] == nil {
            throw fail("corrupt index: section \(kind.name) is missing")
        }
        if verifyChecksums {
            for section in sections {
                let bytes = byKind[section.kind]!
                if ms_xxh3(bytes.baseAddress, bytes.count, 0) != section.checksum {
                    throw fail("checksum mismatch in section \(section.kind.name): the index is corrupt")
                }
            }
        }

        if header.tokenizerRevision != IndexHeader.currentTokenizerRevision {
            throw fail("built with tokenizer revision \(header.tokenizerRevision), this memscan tokenizes with revision \(IndexHeader.currentTokenizerRevision): rebuild the index")
        }
        let V = header.vocabCount, R = header.recordCount
        func section(_ kind: SectionKind, length expected: Int?) throws -> UnsafeRawBufferPointer {
            let bytes = byKind[kind] ?? UnsafeRawBufferPointer(start: nil, count: 0)
            if let expected, bytes.count != expected {
                throw fail("corrupt index: section \(kind.name) has \(bytes.count) bytes, expected \(expected)")
            }
            return bytes
        }
        func typed<T>(_ bytes: UnsafeRawBufferPointer, _: T.Type) -> UnsafeBufferPointer<T> {
            guard let base = bytes.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(start: base.assumingMemoryBound(to: T.self), count: bytes.count / MemoryLayout<T>.size)
        }
        vocabHashes = typed(try section(.vocabHashes, length: V * 8), UInt64.self)
        vocabOffsets = typed(try section(.vocabOffsets, length: (V + 1) * 8), UInt64.self)
        vocabBytes = try section(.vocabBytes, length: nil)
        vocabFlags = typed(try section(.vocabFlags, length: V), UInt8.self)
        let vocabTableBytes = try section(.vocabTable, length: nil)
        let slots = vocabTableBytes.count / 4
        guard vocabTableBytes.count % 4 == 0, slots >= 2, slots & (slots - 1) == 0, slots >= V * 2 else {
            throw fail("corrupt index: section vocab-table has an invalid size (\(vocabTableBytes.count) bytes)")
        }
        vocabTable = typed(vocabTableBytes, UInt32.self)
        recordStarts = typed(try section(.recordStarts, length: (R + 1) * 8), UInt64.self)
        recordLengths = typed(try section(.recordLengths, length: R * 4), UInt32.self)
        recordIdOffsets = typed(try section(.recordIdOffsets, length: (R + 1) * 8), UInt64.self)
        recordIdBytes = try section(.recordIdBytes, length: nil)
        let bucketBytes = try section(.shingleTable, length: header.bucketCount * IndexFormat.bucketSize)
        let geometry = header.tableGeometry
        table = ms_table(bytes: bucketBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bucket_count: UInt64(header.bucketCount),
                         fingerprint_mask: (1 << UInt64(geometry.fingerprintBits)) - 1, max_displacement: UInt32(header.maxDisplacement),
                         slots: UInt32(geometry.slots), slot_bits: UInt32(geometry.slotBits), value_bits: UInt32(geometry.valueBits),
                         displacement_bits: UInt32(geometry.displacementBits))
        multiEntries = typed(try section(.multiEntries, length: header.multiEntryCount * 12), UInt32.self)
        let postingBytes = try section(.postings, length: nil)
        guard postingBytes.count % 4 == 0 else { throw fail("corrupt index: section postings has \(postingBytes.count) bytes") }
        postings = typed(postingBytes, UInt32.self)

        let blockCount = (header.matchTokens + header.blockTokens - 1) / header.blockTokens
        guard header.blockCount == blockCount else { throw fail("corrupt header (block count \(header.blockCount), expected \(blockCount))") }
        let successorBytes = try section(.tokenSuccessors, length: nil)
        guard successorBytes.count % 4 == 0 else { throw fail("corrupt index: section token-successors has \(successorBytes.count) bytes") }
        let model = MappedSuccessorModel(offsets: typed(try section(.tokenSuccessorOffsets, length: (V + 1) * 4), UInt32.self),
                                         successors: typed(successorBytes, UInt32.self))
        let dictionaryBytes = try section(.tokenDictionary, length: nil)
        let dictionary = ZstdDecompressionDictionary(dictionaryBytes)
        if dictionaryBytes.count > 0 && dictionary == nil { throw fail("corrupt index: section token-dictionary is not a zstd dictionary") }
        tokenBlocks = BlockStore(
            offsets: typed(try section(.tokenBlockOffsets, length: (blockCount + 1) * 8), UInt64.self),
            data: try section(.tokenBlocks, length: nil), blockTokens: header.blockTokens,
            totalValues: header.matchTokens, name: SectionKind.tokenBlocks.name, path: path,
            model: model, dictionary: dictionary)
        sharedTokens = SharedBlockCache(store: tokenBlocks)
        let hasPositions = byKind[.positionBlocks] != nil || byKind[.positionBlockOffsets] != nil
        guard hasPositions == (header.ignorePattern != nil) else {
            throw fail("corrupt index: position sections \(hasPositions ? "present" : "missing") but ignore pattern \(header.ignorePattern == nil ? "absent" : "set")")
        }
        if hasPositions {
            positionBlocks = BlockStore(
                offsets: typed(try section(.positionBlockOffsets, length: (blockCount + 1) * 8), UInt64.self),
                data: try section(.positionBlocks, length: nil), blockTokens: header.blockTokens,
                totalValues: header.matchTokens, name: SectionKind.positionBlocks.name, path: path,
                model: nil, dictionary: nil)
        } else {
            positionBlocks = nil
        }
        ignorePattern = try header.ignorePattern.map {
            do { return try IgnorePattern($0) } catch { throw fail("corrupt header (ignore pattern does not compile)") }
        }
        file.adviseRandom()
    }

    // MARK: Vocabulary

    /// Token id of the token with these bytes and `hash` (XXH3 with the token seed), or nil.
    @inline(__always)
    public func tokenID(bytes: UnsafeRawBufferPointer, hash: UInt64) -> UInt32? {
        let mask = vocabTable.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        for _ in 0 ..< vocabTable.count {
            let value = vocabTable[slot]
            if value == 0 { return nil }
            let id = Int(value - 1)
            if id < vocabHashes.count && vocabHashes[id] == hash && vocabEquals(id, bytes) { return UInt32(id) }
            slot = (slot + 1) & mask
        }
        return nil
    }

    @inline(__always)
    func vocabEquals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = Int(clamping: vocabOffsets[id]), end = Int(clamping: vocabOffsets[id + 1])
        guard start <= end, end <= vocabBytes.count, end - start == bytes.count else { return false }
        return bytes.count == 0
            || ms_bytes_equal(vocabBytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start,
                              bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count) != 0
    }

    @inline(__always)
    public func isIgnored(tokenID id: UInt32) -> Bool { vocabFlags[Int(id)] & IndexFormat.vocabFlagIgnored != 0 }

    /// Whether a token absent from the vocabulary is skipped by the index's --ignore pattern.
    public func isIgnoredUnknown(_ bytes: UnsafeRawBufferPointer) -> Bool { ignorePattern?.matches(bytes) ?? false }

    public func token(_ id: UInt32) -> String {
        guard Int(id) < vocabFlags.count else { return "" }
        let start = Int(clamping: vocabOffsets[Int(id)]), end = Int(clamping: vocabOffsets[Int(id) + 1])
        guard start <= end, end <= vocabBytes.count else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: vocabBytes[start ..< end]), as: UTF8.self)
    }

    // MARK: Records

    public var recordCount: Int { header.recordCount }

    /// The record holding matching-token `position`.
    @inline(__always)
    public func recordIndex(ofPosition position: Int) -> Int {
        recordContaining(UInt64(position), starts: recordStarts)
    }

    /// As `recordIndex(ofPosition:)`, starting from a nearby record: occurrences are
    /// visited in ascending order, so the answer is usually at or just after `hint`.
    @inline(__always)
    public func recordIndex(ofPosition position: Int, hint: Int) -> Int {
        let p = UInt64(position)
        let last = recordStarts.count - 1
        guard hint >= 0, hint + 1 < last, recordStarts[hint] <= p, p < recordStarts[last] else {
            return recordIndex(ofPosition: position)
        }
        if p < recordStarts[hint + 1] { return hint }
        // Gallop forward, then binary search the bracket.
        var low = hint + 1, step = 1
        var high = min(last, low + step)
        while high < last && recordStarts[high] <= p {
            low = high
            step <<= 1
            high = min(last, low + step)
        }
        while high - low > 1 {
            let mid = (low + high) >> 1
            if recordStarts[mid] <= p { low = mid } else { high = mid }
        }
        return low
    }

    /// Matching-token range of record `r` in the global token store.
    @inline(__always)
    public func recordRange(_ r: Int) -> Range<Int> {
        let start = min(Int(clamping: recordStarts[r]), header.matchTokens)
        let end = min(max(start, Int(clamping: recordStarts[r + 1])), header.matchTokens)
        return start ..< end
    }

    /// The record's length in original tokens (ignored tokens included).
    public func recordOriginalLength(_ r: Int) -> Int { Int(recordLengths[r]) }

    public func recordID(_ r: Int) -> String {
        let start = Int(clamping: recordIdOffsets[r]), end = Int(clamping: recordIdOffsets[r + 1])
        guard start <= end, end <= recordIdBytes.count else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: recordIdBytes[start ..< end]), as: UTF8.self)
    }

    /// The bytes of record `r`'s id (empty when the offsets are damaged).
    func recordIDBytes(_ r: Int) -> UnsafeRawBufferPointer {
        let start = Int(clamping: recordIdOffsets[r]), end = Int(clamping: recordIdOffsets[r + 1])
        guard start <= end, end <= recordIdBytes.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: recordIdBytes[start ..< end])
    }

    @inline(__always)
    func recordIDEquals(_ r: Int, _ id: UnsafeRawBufferPointer) -> Bool {
        let start = Int(clamping: recordIdOffsets[r]), end = Int(clamping: recordIdOffsets[r + 1])
        guard start <= end, end <= recordIdBytes.count, end - start == id.count else { return false }
        return id.count == 0 || memcmp(recordIdBytes.baseAddress! + start, id.baseAddress!, id.count) == 0
    }

    // MARK: Shingles

    /// Probes table keys (fmix64 of shingle hashes) with prefetching; values are
    /// `MS_PROBE_MISS` or slot values (see `occurrences`).
    @inline(__always)
    public func probe(keys: UnsafeBufferPointer<UInt64>, values: UnsafeMutableBufferPointer<UInt32>) {
        withUnsafePointer(to: table) { ms_table_probe_batch($0, keys.baseAddress, values.baseAddress, keys.count) }
    }

    /// Where the shingle of a probe hit occurs: a singleton position or a slice of
    /// the postings, with the number of distinct records holding it.
    @inline(__always)
    public func occurrences(ofSlotValue value: UInt32) throws -> ShingleOccurrences {
        if value & IndexFormat.multiFlag == 0 {
            guard Int(value) < header.matchTokens else { throw corrupt(.shingleTable) }
            return ShingleOccurrences(single: value, postings: UnsafeBufferPointer(start: nil, count: 0), records: 1)
        }
        let entry = Int(value & ~IndexFormat.multiFlag)
        guard entry < header.multiEntryCount else { throw corrupt(.shingleTable) }
        let start = Int(multiEntries[entry * 3]), count = Int(multiEntries[entry * 3 + 1])
        guard start + count <= postings.count, count >= 2 else { throw corrupt(.multiEntries) }
        return ShingleOccurrences(single: nil, postings: UnsafeBufferPointer(rebasing: postings[start ..< start + count]),
                                  records: Int(multiEntries[entry * 3 + 2]))
    }

    func corrupt(_ kind: SectionKind) -> MemscanError {
        .index(path: path, "corrupt index: bad value in section \(kind.name) (run `memscan index verify`)")
    }
}

/// The occurrences of one table entry.
public struct ShingleOccurrences {
    public let single: UInt32?
    public let postings: UnsafeBufferPointer<UInt32>
    /// Distinct records holding the entry (stored at build time).
    public let records: Int

    public var count: Int { single == nil ? postings.count : 1 }

    @inline(__always)
    public subscript(i: Int) -> Int { single.map { Int($0) } ?? Int(postings[i]) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
