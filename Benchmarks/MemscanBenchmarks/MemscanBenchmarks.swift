// Micro-benchmarks of the scan's stages (ordo-one/benchmark): tokenize, parse a
// JSONL line, XXH3 token and shingle hashes, the batched table probe, the
// probe-only loop and verification. They explain where the end-to-end figures
// of scripts/bench.py go; they are not timed tests (§8).
//
// Run: MEMSCAN_BENCHMARKS=1 swift package benchmark --target MemscanBenchmarks --no-progress
// (`make microbench`).
import Benchmark
import CMemscanShims
import MemscanCore

#if canImport(Glibc)
import Glibc
#endif

let benchmarks: @Sendable () -> Void = {
    let fast = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .kilo,
                                       maxDuration: .seconds(2), maxIterations: 10_000)
    let single = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .one,
                                         maxDuration: .seconds(2), maxIterations: 100_000)

    // MARK: Tokenize

    Benchmark("tokenize codes: 200-code string", configuration: fast) { benchmark in
        let tokenizer = Tokenizer(kind: .codes)
        let content = RecordContent.string(Fixtures.shared.codesLine)
        for _ in benchmark.scaledIterations { blackHole(tokenizer.tokenize(content)) }
    }

    Benchmark("tokenize text: 1 KB clinical note", configuration: fast) { benchmark in
        let tokenizer = Tokenizer(kind: .text)
        let content = RecordContent.string(Fixtures.shared.note)
        for _ in benchmark.scaledIterations { blackHole(tokenizer.tokenize(content)) }
    }

    // MARK: Parse

    // One scaled iteration reads one line of a 1000-line file of 200-code generations.
    Benchmark("parse JSONL: 1 line of 200 codes", configuration: fast) { benchmark throws in
        let reader = try RecordReader(paths: [Fixtures.shared.jsonlPath], options: InputOptions())
        for _ in benchmark.scaledIterations { blackHole(try reader.next()) }
    }

    // MARK: Hash

    Benchmark("XXH3 token hash: 200 codes", configuration: single) { benchmark in
        let tokens = Fixtures.shared.generations[0]
        for _ in benchmark.scaledIterations {
            var combined: UInt64 = 0
            tokens.bytes.withUnsafeBytes { all in
                for i in 0 ..< tokens.count {
                    let token = UnsafeRawBufferPointer(rebasing: all[tokens.start(i) ..< tokens.end(i)])
                    combined ^= ms_xxh3(token.baseAddress, token.count, IndexBuildOptions.tokenSeed)
                }
            }
            blackHole(combined)
        }
    }

    Benchmark("XXH3 shingle hash + winnow: 200 positions k=8 w=9", configuration: single) { benchmark in
        let hashes = Fixtures.shared.tokenHashes
        var shingles: [UInt64] = []
        var selected: [Int32] = []
        for _ in benchmark.scaledIterations {
            hashes.withUnsafeBufferPointer { h in
                Winnowing.shingleHashes(tokenHashes: h, ids: nil, k: 8, seed: IndexBuildOptions.shingleSeed, into: &shingles)
            }
            shingles.withUnsafeBufferPointer { Winnowing.select(hashes: $0, w: 9, into: &selected) }
            blackHole(selected.count)
        }
    }

    // MARK: Probe

    Benchmark("probe: 8192 batched table lookups", configuration: single) { benchmark in
        let fixtures = Fixtures.shared
        var values = [UInt32](repeating: 0, count: fixtures.probeKeys.count)
        for _ in benchmark.scaledIterations {
            fixtures.probeKeys.withUnsafeBufferPointer { keys in
                values.withUnsafeMutableBufferPointer { fixtures.index.probe(keys: keys, values: $0) }
            }
            blackHole(values[0])
        }
    }

    // The probe-only loop of `memscan probe-bench`, one generation per iteration. Per-thread
    // state lives in the setup result, as a scan thread keeps it across generations.
    Benchmark("probe-only loop: 1 generation of 200 codes", configuration: single) { benchmark, state in
        for _ in benchmark.scaledIterations { blackHole(state.worker.probe(state.nextGeneration())) }
    } setup: {
        PerThread(generations: Fixtures.shared.generations)
    }

    // MARK: Verify

    // Seed, verify against the token blocks and extend a planted 60-token copy. The block
    // cache is warm after the first pass (as for templates); a cold verification adds a block
    // decompression, timed below.
    Benchmark("verify: 1 generation with a planted 60-token copy, warm cache", configuration: single) { benchmark, state throws in
        for _ in benchmark.scaledIterations { blackHole(try state.verifier.verify(state.nextGeneration())) }
    } setup: {
        PerThread(generations: Fixtures.shared.planted)
    }

    Benchmark("zstd decompress: 1 block of 512 token ids", configuration: single) { benchmark, state in
        let block = Fixtures.shared.compressedBlock
        var output = [UInt32](repeating: 0, count: 512)
        for _ in benchmark.scaledIterations {
            let produced = block.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { ms_zstd_decompress(state.context, $0.baseAddress, $0.count, source.baseAddress, source.count, nil) }
            }
            blackHole(produced)
        }
    } setup: {
        DecompressionContext()
    }

    // A template shared by 2,000 records: the verification cost of common shingles (templates,
    // lab panels), which grows with the number of records holding them.
    Benchmark("scan: 1 generation holding a template shared by 2,000 records", configuration: single) { benchmark, state throws in
        for _ in benchmark.scaledIterations { blackHole(try state.scanner.scan(state.nextRecord())) }
    } setup: {
        ScanThread(records: Fixtures.shared.templateRecords)
    }

    // The whole per-generation scan (tokenized input to spans), for comparison with verify.
    Benchmark("scan: 1 generation with a planted 60-token copy, warm cache", configuration: single) { benchmark, state throws in
        for _ in benchmark.scaledIterations { blackHole(try state.scanner.scan(state.nextRecord())) }
    } setup: {
        ScanThread(records: Fixtures.shared.plantedRecords)
    }
}

/// What one scan thread keeps across generations: probe worker, verifier, and where it is
/// in the list of generations.
final class PerThread {
    let worker = ProbeLoop.Worker(index: Fixtures.shared.index)
    let verifier = ProbeLoop.Verifier(index: Fixtures.shared.index)
    let generations: [TokenList]
    private var next = 0

    init(generations: [TokenList]) { self.generations = generations }

    func nextGeneration() -> TokenList {
        defer { next = (next + 1) % generations.count }
        return generations[next]
    }
}

final class ScanThread {
    let scanner: GenerationScanner
    let records: [InputRecord]
    private var next = 0

    init(records: [InputRecord]) {
        self.records = records
        do {
            scanner = GenerationScanner(context: try ScanContext(index: Fixtures.shared.index))
        } catch {
            fatalError("scan context: \(error)")
        }
    }

    func nextRecord() -> InputRecord {
        defer { next = (next + 1) % records.count }
        return records[next]
    }
}

/// A reusable zstd decompression context, as each scan thread's block cache has.
final class DecompressionContext {
    let context = ZSTD_createDCtx()
    deinit { ZSTD_freeDCtx(context) }
}

/// Synthetic inputs shared by the benchmarks, built on first use (a static let is
/// lazy and thread-safe) so that listing or filtering benchmarks costs nothing.
final class Fixtures: Sendable {
    static let shared = Fixtures()

    static let recordCount = 20_000
    static let recordTokens = 200
    static let generationTokens = 200
    static let plantedLength = 60
    /// Every `templateStride`-th record holds the same 30-token template (an order panel, a
    /// note boilerplate): 2,000 records share each of its shingles.
    static let templateStride = 10
    static let templateLength = 30

    /// An index over 4 M corpus tokens: tens of MB of table, beyond the CPU caches.
    let index: MemscanIndex
    let codesLine: String
    let note: String
    let jsonlPath: String
    /// Random generations (mostly misses, as most model output is).
    let generations: [TokenList]
    /// Generations holding a planted verbatim copy of a record slice.
    let planted: [TokenList]
    let plantedRecords: [InputRecord]
    /// Generations holding the template that 2,000 records share.
    let templateRecords: [InputRecord]
    let tokenHashes: [UInt64]
    let probeKeys: [UInt64]
    /// 512 token ids (ranked vocabulary ids of a record) compressed as the index stores them.
    let compressedBlock: [UInt8]

    private init() {
        var random = SplitMix64(seed: 1)
        let vocabulary = (0 ..< 20_000).map { Self.code($0) }
        var records: [[String]] = []
        records.reserveCapacity(Self.recordCount)
        for _ in 0 ..< Self.recordCount {
            records.append((0 ..< Self.recordTokens).map { _ in vocabulary[random.skewed(vocabulary.count)] })
        }
        let template = (0 ..< Self.templateLength).map { _ in vocabulary[random.below(vocabulary.count)] }
        for r in stride(from: 0, to: records.count, by: Self.templateStride) {
            records[r].insert(contentsOf: template, at: random.below(records[r].count))
        }
        index = Self.buildIndex(records)

        let randomGenerations = (0 ..< 256).map { _ in
            (0 ..< Self.generationTokens).map { _ in vocabulary[random.skewed(vocabulary.count)] }
        }
        generations = randomGenerations.map { TokenList($0) }
        let plantedTokens = randomGenerations.map { generation -> [String] in
            // Copies come from records without the template, so they hit few occurrences.
            let source = records[random.below(records.count / Self.templateStride) * Self.templateStride + 1]
            let from = random.below(source.count - Self.plantedLength)
            let at = random.below(generation.count)
            return Array(generation[..<at]) + source[from ..< from + Self.plantedLength] + generation[at...]
        }
        planted = plantedTokens.map { TokenList($0) }
        plantedRecords = plantedTokens.enumerated().map { n, tokens in
            InputRecord(id: "g\(n)", location: SourceLocation(file: "<bench>", line: n + 1), content: .tokens(TokenList(tokens)))
        }
        templateRecords = randomGenerations.prefix(64).enumerated().map { n, generation in
            var tokens = generation
            tokens.insert(contentsOf: template, at: random.below(tokens.count))
            return InputRecord(id: "t\(n)", location: SourceLocation(file: "<bench>", line: n + 1), content: .tokens(TokenList(tokens)))
        }

        codesLine = randomGenerations[0].joined(separator: " ")
        note = Self.clinicalNote
        jsonlPath = Self.writeJSONL(randomGenerations, lines: 1000)
        tokenHashes = Self.tokenHashes(of: generations[0])
        probeKeys = Self.keys(of: planted, index: index, count: 8192)
        compressedBlock = Self.compressedBlock(records.prefix(3).flatMap { $0 }, index: index)
    }

    /// zstd level 3 (the build's default) over the vocabulary ids of `tokens`, like one block
    /// of the index's token store.
    static func compressedBlock(_ tokens: [String], index: MemscanIndex) -> [UInt8] {
        var ids: [UInt32] = []
        for token in tokens.prefix(512) {
            var token = token
            let id = token.withUTF8 { bytes in
                index.tokenID(bytes: UnsafeRawBufferPointer(bytes),
                              hash: ms_xxh3(bytes.baseAddress, bytes.count, IndexBuildOptions.tokenSeed))
            }
            ids.append(id ?? 0)
        }
        var output = [UInt8](repeating: 0, count: ms_zstd_bound(ids.count * 4))
        let size = ids.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { ms_zstd_compress($0.baseAddress, $0.count, source.baseAddress, source.count, 3, nil) }
        }
        precondition(size > 0, "zstd compression failed")
        return Array(output.prefix(size))
    }

    /// EHR-like codes of a few kinds, so token lengths vary as in real data.
    static func code(_ i: Int) -> String {
        let kinds = ["DIAGNOSIS//ICD10//", "LAB//", "MEDICATION//ATC//", "PROCEDURE//", "TIME//"]
        return kinds[i % kinds.count] + String(i)
    }

    /// Builds the index through a temporary file, maps it, then unlinks the file
    /// (the mapping stays valid), so nothing is left behind.
    static func buildIndex(_ records: [[String]]) -> MemscanIndex {
        do {
            let builder = try IndexBuilder(options: IndexBuildOptions())
            for (n, record) in records.enumerated() { try builder.add(id: "r\(n)", tokens: TokenList(record)) }
            let path = temporaryPath("index")
            _ = try builder.write(to: path)
            let index = try MemscanIndex(path: path, verifyChecksums: true)
            unlink(path)
            return index
        } catch {
            fatalError("benchmark index: \(error)")
        }
    }

    /// A JSONL file of `lines` generations (cycling through `generations`).
    static func writeJSONL(_ generations: [[String]], lines: Int) -> String {
        var text = ""
        for n in 0 ..< lines {
            let tokens = generations[n % generations.count].map { "\"\($0)\"" }.joined(separator: ",")
            text += "{\"id\":\"g\(n + 1)\",\"tokens\":[\(tokens)]}\n"
        }
        let path = temporaryPath("jsonl")
        guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
        fclose(file)
        return path
    }

    static func temporaryPath(_ suffix: String) -> String {
        "/tmp/memscan-microbench-\(getpid()).\(suffix)"
    }

    static func tokenHashes(of tokens: TokenList) -> [UInt64] {
        tokens.bytes.withUnsafeBytes { all in
            (0 ..< tokens.count).map { i in
                let token = UnsafeRawBufferPointer(rebasing: all[tokens.start(i) ..< tokens.end(i)])
                return ms_xxh3(token.baseAddress, token.count, IndexBuildOptions.tokenSeed)
            }
        }
    }

    /// The table keys that scanning `generations` probes (every shingle, so that
    /// the batch is large), truncated to `count`.
    static func keys(of generations: [TokenList], index: MemscanIndex, count: Int) -> [UInt64] {
        var keys: [UInt64] = []
        var shingles: [UInt64] = []
        for generation in generations where keys.count < count {
            let hashes = tokenHashes(of: generation)
            hashes.withUnsafeBufferPointer { h in
                Winnowing.shingleHashes(tokenHashes: h, ids: nil, k: index.header.k, seed: index.header.shingleSeed, into: &shingles)
            }
            keys.append(contentsOf: shingles.map { ms_fmix64($0) })
        }
        return Array(keys.prefix(count))
    }

    static let clinicalNote = """
        Patient is a 53 y/o male with a history of HIV (on ART since 2014), hepatitis C, and \
        alcohol use disorder, admitted on 2021-03-04 for community-acquired pneumonia. MRN 00482913. \
        Started ceftriaxone 1 g IV q24h and azithromycin 500 mg PO daily; O2 sat 91% on RA, 96% on 2L NC. \
        CXR: right lower lobe consolidation. Labs: WBC 14.2, Hgb 11.8, Plt 210, Cr 1.1, lactate 2.3. \
        Social: lives alone, smokes 1 ppd, reports drinking 6-8 beers daily; CIWA monitoring ordered. \
        Psych: history of major depressive disorder, on sertraline 100 mg. Plan: continue antibiotics, \
        thiamine/folate, follow up CD4 count and viral load, PT/OT eval, social work consult for \
        housing; discharge planning pending clinical improvement. Attending: Dr. Smith. Follow-up with \
        infectious disease clinic in 2 weeks; return precautions reviewed with patient and sister.
        """
}

/// A small deterministic generator (SplitMix64), so every run sees the same data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Skewed towards small values (u^3 of a uniform u), like code frequencies.
    mutating func skewed(_ n: Int) -> Int {
        let u = Double(next() >> 11) / Double(1 << 53)
        return min(n - 1, Int(u * u * u * Double(n)))
    }
}
