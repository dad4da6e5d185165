import CMemscanShims
import Foundation
import Testing
@testable import MemscanCore

// Format 2's compact sections (docs/INDEX_FORMAT.md): the bit-packed shingle table,
// the token store's successor-rank model and its zstd dictionary. Each is checked
// against a plain reference: every stored key is found, every token reads back.

@Suite("Index compaction")
struct IndexCompactionTests {
    @Test("table geometry: slots fit a 64-byte bucket, values fit their field, fingerprints keep >= 12 bits")
    func geometry() {
        for limit in [1, 2, 255, 256, 70_000, 10_000_262, 50_000_000, 1 << 30, Int(IndexFormat.maxMatchTokens)] {
            let g = ShingleTableGeometry.forValues(below: limit)
            #expect(g.isValid, "\(limit): \(g)")
            #expect(g.slots * g.slotBits <= 512 && g.fingerprintBits >= 12, "\(limit): \(g)")
            #expect(UInt64(max(0, limit - 1)) < UInt64(1) << UInt64(g.valueBits - 1), "\(limit): value field too narrow")
        }
        // The sizes the benchmarks build: 12 slots of 42 bits per cache line.
        #expect(ShingleTableGeometry.forValues(below: 50_000_000).slots == 12)
    }

    @Test("bit-packed table: every key probes to an entry holding its positions; absent keys rarely hit", arguments: [
        (entries: 3_000, limit: 40_000), (entries: 20_000, limit: 1 << 20), (entries: 5_000, limit: Int(IndexFormat.maxMatchTokens)),
    ])
    func probeEveryKey(entries: Int, limit: Int) throws {
        var rng = SplitMix64(seed: UInt64(entries) &* 31 &+ UInt64(limit))
        var occurrences: [ShingleOccurrence] = []
        var expected: [UInt64: Set<UInt32>] = [:]
        for _ in 0 ..< entries {
            let key = rng.next()
            // A quarter of the keys occur several times (multi entries and postings).
            for _ in 0 ..< (rng.int(0 ... 3) == 0 ? rng.int(2 ... 5) : 1) {
                let position = UInt32(rng.int(0 ... limit - 1))
                occurrences.append(ShingleOccurrence(key: key, position: position))
                expected[key, default: []].insert(position)
            }
        }
        let table = try ShingleTableBuilder.build(occurrences: occurrences, recordStarts: [0, UInt64(limit)], matchTokens: limit)
        #expect(table.maxDisplacement <= table.geometry.maxDisplacement)
        // Built through a window of 20 buckets (spilling the rest), the table is the same.
        let windowed = try ShingleTableBuilder.build(occurrences: occurrences, recordStarts: [0, UInt64(limit)],
                                                     matchTokens: limit, windowBuckets: 20, postingValues: 1)
        let multiEntries = try table.multiEntries.all(), postings = try table.postings.all()
        #expect(try windowed.buckets.words() == table.buckets.words())
        #expect(try windowed.multiEntries.all() == table.multiEntries.all() && windowed.postings.all() == table.postings.all())
        try table.buckets.words().withUnsafeBytes { raw in
            var probe = ms_table(bytes: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), bucket_count: UInt64(table.bucketCount),
                                 fingerprint_mask: (1 << UInt64(table.geometry.fingerprintBits)) - 1,
                                 max_displacement: UInt32(table.maxDisplacement), slots: UInt32(table.geometry.slots),
                                 slot_bits: UInt32(table.geometry.slotBits), value_bits: UInt32(table.geometry.valueBits),
                                 displacement_bits: UInt32(table.geometry.displacementBits))
            func positions(of value: UInt32) -> Set<UInt32> {
                if value & IndexFormat.multiFlag == 0 { return [value] }
                let entry = Int(value & ~IndexFormat.multiFlag) * 3
                let start = Int(multiEntries[entry]), count = Int(multiEntries[entry + 1])
                return Set(postings[start ..< start + count])
            }
            var missing = 0
            for (key, want) in expected {
                let value = ms_table_probe(&probe, key)
                if value == MS_PROBE_MISS || !want.isSubset(of: positions(of: value)) { missing += 1 }
            }
            #expect(missing == 0, "\(missing) of \(expected.count) keys not found")
            var falseHits = 0
            for _ in 0 ..< 20_000 where ms_table_probe(&probe, rng.next()) != MS_PROBE_MISS { falseHits += 1 }
            // <= slots x 2^-fingerprintBits per probe, with room for chance.
            let bound = 20_000.0 * Double(table.geometry.slots * 2) / Double(1 << table.geometry.fingerprintBits)
            #expect(Double(falseHits) <= bound + 10, "\(falseHits) false hits")
        }
    }

    @Test("successor ranks and dictionary: every record reads back as built (blocks of 16 and 1024 tokens)",
          arguments: [16, 1024])
    func tokenStoreRoundTrip(blockTokens: Int) throws {
        let directory = OracleTempDirectory("compaction")
        defer { directory.remove() }
        let records = Self.markovRecords(count: 900, seed: UInt64(blockTokens))
        let path = directory.path("corpus.index")
        let index = try Self.buildAndReadBack(records, blockTokens: blockTokens, to: path, every: 7)
        let dictionary = try #require(index.sections.first { $0.kind == .tokenDictionary })
        #expect(dictionary.length > 0, "a 500 k-token corpus trains a dictionary")
        #expect(index.sections.first { $0.kind == .tokenSuccessors }!.length > 0)

        // A flipped byte in the model or the dictionary: named by the checksums, and an
        // unverified reader fails with an index error or reads on, never crashes.
        let bytes = IndexFixture.read(path)
        for kind in [SectionKind.tokenDictionary, .tokenSuccessors, .tokenSuccessorOffsets] {
            let section = index.sections.first { $0.kind == kind }!
            for at in [section.offset + 1, section.offset + section.length / 2, section.offset + section.length - 1] {
                var corrupt = bytes
                corrupt[at] ^= 0x5A
                let copy = directory.path("corrupt-\(kind.name)-\(at).index")
                IndexFixture.write(corrupt, to: copy)
                expectRefused(copy, "byte \(at) flipped in \(kind.name)", verifyChecksums: true, containing: [kind.name])
                do {
                    let unverified = try MemscanIndex(path: copy)
                    let cache = BlockCache(store: unverified.tokenBlocks)
                    var ids: [UInt32] = []
                    for r in 0 ..< records.count { try cache.append(unverified.recordRange(r), to: &ids) }
                } catch is MemscanError {}
            }
        }
    }

    @Test("successor lists are kept only where they pay: codes without order-1 structure are stored as ids and read back")
    func modelOnlyWhereItPays() throws {
        let directory = OracleTempDirectory("compaction")
        defer { directory.remove() }
        var rng = SplitMix64(seed: 11)
        let random = (0 ..< 900).map { _ in (0 ..< rng.int(300 ... 800)).map { _ in "CODE//\(rng.int(0 ... 399))" } }
        for (name, records, lists) in [("markov", Self.markovRecords(count: 900, seed: 5), true), ("random", random, false)] {
            let index = try Self.buildAndReadBack(records, blockTokens: 1024, to: directory.path("\(name).index"), every: 5)
            #expect((index.sections.first { $0.kind == .tokenSuccessors }!.length > 0) == lists, "\(name) corpus")
        }
        // Without lists every code is the id: ids below the vocabulary decode to themselves,
        // one at or past it is refused.
        let offsets = [UInt32](repeating: 0, count: 401), noSuccessors: [UInt32] = []
        var codes: [UInt32] = [7, 0, 399, 12]
        #expect(ms_successor_decode(&codes, 4, offsets, noSuccessors, 0, 400, nil, 0) == 4 && codes == [7, 0, 399, 12])
        codes = [7, 0, 400, 12]
        #expect(ms_successor_decode(&codes, 4, offsets, noSuccessors, 0, 400, nil, 0) == -1)
    }

    @Test("the fast successor table decodes exactly as the plain decoder, refusals included")
    func fastSuccessorTable() {
        var rng = SplitMix64(seed: 0xFA57)
        let fastRanks = Int(MS_FAST_RANKS)
        for round in 0 ..< 60 {
            let vocab = rng.int(1 ... 300)
            // Successor lists of 0 to 40 tokens (some ids past the vocabulary); every fifth
            // round a few rows are corrupt (inverted, or past the successors).
            var offsets: [UInt32] = [0], successors: [UInt32] = []
            for _ in 0 ..< vocab {
                for _ in 0 ..< rng.int(0 ... 40) { successors.append(UInt32(rng.int(0 ... vocab + 3))) }
                offsets.append(UInt32(successors.count))
            }
            if round % 5 == 4 {
                for _ in 0 ..< 3 {
                    let t = rng.int(1 ... vocab)
                    offsets[t] = rng.int(0 ... 1) == 0 ? UInt32(successors.count + 5) : 0
                }
            }
            let rows = rng.int(0 ... vocab)
            var table = [UInt32](repeating: 0, count: max(1, rows * fastRanks))
            ms_successor_fast_table(&table, UInt32(rows), offsets, successors, UInt32(successors.count), UInt32(vocab))
            for _ in 0 ..< 50 {
                // Mostly small ranks, some escapes and some values no model makes.
                let n = rng.int(1 ... 200)
                let values = (0 ..< n).map { i -> UInt32 in
                    if i == 0 { return UInt32(rng.int(0 ... vocab)) }
                    switch rng.int(0 ... 9) {
                    case 0: return UInt32(rng.int(0 ... 400))
                    case 1: return UInt32.max - UInt32(rng.int(0 ... 3))
                    default: return UInt32(rng.int(0 ... 20))
                    }
                }
                var plain = values, fast = values
                let plainResult = ms_successor_decode(&plain, n, offsets, successors, UInt32(successors.count), UInt32(vocab), nil, 0)
                let fastResult = ms_successor_decode(&fast, n, offsets, successors, UInt32(successors.count), UInt32(vocab),
                                                     table, UInt32(rows))
                #expect(fastResult == plainResult, "round \(round)")
                if plainResult == n { #expect(fast == plain, "round \(round)") }
            }
        }
    }

    /// Builds `records` (k = 4, w = 3) into `path`, expects every `every`-th record to read
    /// back as built and the index to verify, and returns it opened.
    static func buildAndReadBack(_ records: [[String]], blockTokens: Int, to path: String, every: Int) throws -> MemscanIndex {
        var options = IndexBuildOptions()
        options.k = 4
        options.w = 3
        options.blockTokens = blockTokens
        let builder = try IndexBuilder(options: options)
        for (i, tokens) in records.enumerated() { try builder.add(id: "r\(i)", tokens: TokenList(tokens)) }
        _ = try builder.write(to: path)
        let index = try MemscanIndex(path: path, verifyChecksums: true)
        let cache = BlockCache(store: index.tokenBlocks)
        for r in stride(from: 0, to: records.count, by: every) {
            var ids: [UInt32] = []
            try cache.append(index.recordRange(r), to: &ids)
            #expect(ids.map { index.token($0) } == records[r], "\(path): record \(r)")
        }
        _ = try IndexVerifier.verify(path: path)
        return index
    }

    /// Records from a sparse Markov chain over 400 codes: each code has a few likely
    /// successors (the order-1 structure the model exploits) and an escape to any code.
    static func markovRecords(count: Int, seed: UInt64) -> [[String]] {
        var rng = SplitMix64(seed: seed)
        let vocabulary = (0 ..< 400).map { "CODE//\($0)" }
        let successors = (0 ..< 400).map { _ in (0 ..< 4).map { _ in rng.int(0 ... 399) } }
        return (0 ..< count).map { _ in
            var current = rng.int(0 ... 399)
            return (0 ..< rng.int(300 ... 800)).map { _ in
                current = rng.int(0 ... 9) == 0 ? rng.int(0 ... 399) : successors[current][rng.int(0 ... 3)]
                return vocabulary[current]
            }
        }
    }
}

@Suite("Bounded-memory build")
struct BoundedMemoryBuildTests {
    /// Builds `records` into `path`.
    static func build(_ records: [[String]], to path: String, memoryLimit: Int?, threads: Int, ignore: String?) throws {
        var options = IndexBuildOptions()
        options.k = 4
        options.w = 3
        options.blockTokens = 64
        options.threads = threads
        options.ignore = ignore
        options.memoryLimit = memoryLimit
        let builder = try IndexBuilder(options: options)
        for (i, tokens) in records.enumerated() { try builder.add(id: "r\(i)", tokens: TokenList(tokens)) }
        _ = try builder.write(to: path)
    }

    @Test("spilling the token stream and sorted runs to disk builds the same bytes", arguments: [nil, "^CODE//1"])
    func spilledBuildIsIdentical(ignore: String?) throws {
        let directory = OracleTempDirectory("bounded")
        defer { directory.remove() }
        // 500 k tokens: at the smallest limit the stream, the positions and the
        // occurrences (about 250 k at w = 3) all spill, in several runs.
        let records = IndexCompactionTests.markovRecords(count: 900, seed: 0xB0B)
        let inMemory = directory.path("memory.index")
        try Self.build(records, to: inMemory, memoryLimit: nil, threads: 1, ignore: ignore)
        for threads in [1, 2] {
            let spilled = directory.path("spilled-\(threads).index")
            try Self.build(records, to: spilled, memoryLimit: 1 << 20, threads: threads, ignore: ignore)
            #expect(IndexFixture.read(spilled) == IndexFixture.read(inMemory), "threads \(threads)")
        }
        _ = try IndexVerifier.verify(path: inMemory)
    }

    @Test("the merge of spilled runs yields every occurrence once, in order")
    func runsMerge() throws {
        var rng = SplitMix64(seed: 0x5041)
        let occurrences = (0 ..< 20_000).map { _ in
            ShingleOccurrence(key: rng.next() % 5_000, position: UInt32(rng.int(0 ... 1_000_000)))
        }
        let sorter = OccurrenceSorter(memoryOccurrences: 4096, directory: SpillFile.defaultDirectory)
        for start in stride(from: 0, to: occurrences.count, by: 1000) {
            try sorter.append(contentsOf: Array(occurrences[start ..< start + 1000]))
        }
        var merged: [ShingleOccurrence] = []
        try sorter.finish().forEach { merged.append($0); return true }
        let expected = occurrences.sorted(by: OccurrenceSorter.precedes)
        #expect(merged.map(\.key) == expected.map(\.key) && merged.map(\.position) == expected.map(\.position))
    }

    @Test("occurrences in position order sort by radix like the (key, position) comparison; others by comparison",
          arguments: [(keyBits: 13, positionOrder: true), (keyBits: 64, positionOrder: true),
                      (keyBits: 70, positionOrder: true), (keyBits: 13, positionOrder: false)])
    func occurrenceSort(keyBits: Int, positionOrder: Bool) {
        var rng = SplitMix64(seed: 0x5042 &+ UInt64(keyBits))
        for n in [0, 1, 2, 17, 5_000, 70_000] {
            var position: UInt32 = 0
            let occurrences = (0 ..< n).map { _ -> ShingleOccurrence in
                position += UInt32(rng.int(1 ... 9))
                // 13 bits: many equal keys (stability decides their order); 64: every digit
                // varies; 70: keys sharing their top 32 bits, so radix passes are skipped.
                let key = keyBits == 13 ? rng.next() % 8_192 : keyBits == 64 ? rng.next() : 0xABCD_0123 << 32 | rng.next() % 4_096
                return ShingleOccurrence(key: key, position: positionOrder ? position : UInt32(rng.int(0 ... 1_000)))
            }
            var sorted = occurrences
            OccurrenceSorter.sort(&sorted)
            let expected = occurrences.sorted(by: OccurrenceSorter.precedes)
            #expect(sorted.map(\.key) == expected.map(\.key) && sorted.map(\.position) == expected.map(\.position),
                    "n \(n) key bits \(keyBits) position order \(positionOrder)")
        }
    }

    @Test("successor pair counts equal a dictionary's, across growth and the (0, 0) pair")
    func pairCounts() {
        var rng = SplitMix64(seed: 0x5043)
        var counts = SuccessorModel.PairCounts(), reference: [UInt64: UInt32] = [:]
        for _ in 0 ..< 200_000 {
            let pair = SuccessorModel.PairCounts.pair(UInt32(rng.int(0 ... 300)), UInt32(rng.int(0 ... 300)))
            counts.increment(pair)
            reference[pair, default: 0] += 1
        }
        let largest = SuccessorModel.PairCounts.pair(UInt32(Int32.max), UInt32(Int32.max))
        counts.increment(largest)
        reference[largest, default: 0] += 1
        var listed: [UInt64: UInt32] = [:]
        counts.forEach { pair, count in listed[pair] = count }
        #expect(counts.count == reference.count && listed == reference && reference[0] != nil)
    }

    @Test("a limit below 1M and a missing spill directory are clear errors")
    func errors() throws {
        var options = IndexBuildOptions()
        options.memoryLimit = 1000
        #expect(throws: MemscanError.self) { _ = try IndexBuilder(options: options) }
        options.memoryLimit = 1 << 20
        options.temporaryDirectory = "/nonexistent-memscan-spill"
        let builder = try IndexBuilder(options: options)
        let records = IndexCompactionTests.markovRecords(count: 400, seed: 1)
        do {
            for (i, tokens) in records.enumerated() { try builder.add(id: "r\(i)", tokens: TokenList(tokens)) }
            Issue.record("expected an I/O error for the missing spill directory")
        } catch MemscanError.io(let path, let message) {
            #expect(path.contains("nonexistent-memscan-spill") && message.contains("temporary file"), "\(message)")
        }
    }
}

@Suite("Shared block cache")
struct SharedBlockCacheTests {
    @Test("threads reading the same blocks through one shared cache all see the decoded tokens")
    func concurrentReaders() throws {
        let directory = OracleTempDirectory("shared")
        defer { directory.remove() }
        let records = IndexCompactionTests.markovRecords(count: 300, seed: 0x5A5A)
        let path = directory.path("corpus.index")
        try BoundedMemoryBuildTests.build(records, to: path, memoryLimit: nil, threads: 1, ignore: nil)
        let index = try MemscanIndex(path: path)
        let shared = try #require(index.sharedTokens)
        let failures = ResultSlots<String?>(count: 4)
        // Four readers walk the records in different orders, so that they race for blocks.
        parallelFor(count: 4, threads: 4) { reader in
            let cache = BlockCache(store: index.tokenBlocks, shared: shared)
            var problem: String? = nil
            for n in 0 ..< records.count {
                let r = (n * (2 * reader + 1) + reader * 37) % records.count
                var ids: [UInt32] = []
                do {
                    try cache.append(index.recordRange(r), to: &ids)
                } catch {
                    problem = "record \(r): \(error)"
                    break
                }
                if ids.map({ index.token($0) }) != records[r] {
                    problem = "record \(r) read back differently"
                    break
                }
            }
            failures[reader] = .some(problem)
        }
        for case let problem? in failures.take() { Issue.record("\(problem)") }
    }

    @Test("ranges read in place are the stored tokens: across blocks from the shared cache, within one block from a private one",
          arguments: [64, 100])
    func valuesInPlace(blockTokens: Int) throws {
        let directory = OracleTempDirectory("in-place")
        defer { directory.remove() }
        let records = IndexCompactionTests.markovRecords(count: 40, seed: 0x1A7E)
        var options = IndexBuildOptions()
        options.blockTokens = blockTokens
        let path = directory.path("corpus.index")
        let builder = try IndexBuilder(options: options)
        for (i, tokens) in records.enumerated() { try builder.add(id: "r\(i)", tokens: TokenList(tokens)) }
        _ = try builder.write(to: path)
        let index = try MemscanIndex(path: path)
        let sharedCache: SharedBlockCache = try #require(index.sharedTokens)
        let shared = BlockCache(store: index.tokenBlocks, shared: sharedCache)
        let own = BlockCache(store: index.tokenBlocks)
        let total = index.tokenBlocks.totalValues
        var rng = SplitMix64(seed: UInt64(blockTokens))
        for _ in 0 ..< 500 {
            let from = rng.int(0 ... total - 1), to = min(total, from + rng.int(1 ... 3 * blockTokens))
            var expected: [UInt32] = []
            try own.append(from ..< to, to: &expected)
            let oneBlock = from / blockTokens == (to - 1) / blockTokens
            let fromShared = try #require(try shared.valuesInPlace(from ..< to), "\(from) ..< \(to)")
            #expect(Array(UnsafeBufferPointer(start: fromShared, count: to - from)) == expected, "\(from) ..< \(to)")
            let fromOwn = try own.valuesInPlace(from ..< to)
            #expect((fromOwn != nil) == oneBlock, "\(from) ..< \(to)")
            if let fromOwn { #expect(Array(UnsafeBufferPointer(start: fromOwn, count: to - from)) == expected) }
        }
        #expect(try shared.valuesInPlace(5 ..< 5) == nil)
    }
}

// Test conveniences over the builder's streaming pieces.
extension ShingleTableBuilder {
    static func build(occurrences input: [ShingleOccurrence], recordStarts: [UInt64], matchTokens: Int,
                      windowBuckets: Int? = nil, postingValues: Int? = nil) throws -> ShingleTable {
        let sorter = OccurrenceSorter(memoryOccurrences: nil, directory: SpillFile.defaultDirectory)
        try sorter.append(contentsOf: input)
        return try build(sorted: sorter.finish(), recordStarts: recordStarts, matchTokens: matchTokens,
                         windowBuckets: windowBuckets, postingValues: postingValues, directory: SpillFile.defaultDirectory)
    }
}

extension BucketStore {
    /// The whole table as words.
    func words() throws -> [UInt64] {
        var all: [UInt64] = []
        try write { bytes in all.append(contentsOf: bytes.bindMemory(to: UInt64.self)) }
        return all
    }
}

extension ValueSpool {
    /// Every value.
    func all() throws -> [UInt32] {
        var values: [UInt32] = []
        try read(0 ..< count, into: &values)
        return values
    }
}
