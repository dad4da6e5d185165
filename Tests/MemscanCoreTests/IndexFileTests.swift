#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMemscanShims
import Foundation
import Testing
@testable import MemscanCore

// The index file (§6, docs/INDEX_FORMAT.md): atomic 0600 writes, deterministic
// bytes, and refusal of truncated, corrupt, foreign and future files with a clear
// MemscanError.index — never a crash.

/// Fixtures shared by the index file tests (and the child processes of the fuzz tests).
enum IndexFixture {
    /// A small corpus with templates, copies and near-duplicates, so that every
    /// section (multi-entries and postings included) has content.
    static func corpus(timeTokens: Double = 0, seed: UInt64 = 0x1DE7_F11E) -> (OracleCorpus, [String]) {
        var rng = SplitMix64(seed: seed)
        return CorpusGenerator.corpus(CorpusShape(recordCount: 30 ... 30, vocabulary: 12 ... 12, recordLength: 10 ... 60,
                                                  timeTokens: timeTokens), rng: &rng)
    }

    static func options(ignore: String? = nil, k: Int = 4, w: Int = 3, blockTokens: Int = 16) -> IndexBuildOptions {
        var options = IndexBuildOptions()
        options.k = k
        options.w = w
        options.blockTokens = blockTokens
        options.ignore = ignore
        return options
    }

    /// Builds the fixture index (with position sections when `ignore`) at `path`.
    @discardableResult
    static func build(at path: String, ignore: Bool = false, threads: Int = 1) throws -> (OracleCorpus, [String], IndexBuildReport) {
        let (corpus, vocabulary) = self.corpus(timeTokens: ignore ? 0.2 : 0)
        var options = self.options(ignore: ignore ? "^TIME//" : nil)
        options.threads = threads
        let report = try buildOracleIndex(corpus, options: options, path: path)
        return (corpus, vocabulary, report)
    }

    /// Generations that plant long copies of records, so that scans probe, verify and extend.
    static func generations(_ corpus: OracleCorpus, _ vocabulary: [String], count: Int = 4) -> [InputRecord] {
        var rng = SplitMix64(seed: 0x6E4E)
        var out: [InputRecord] = []
        for n in 0 ..< count {
            var tokens = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 80, timeTokens: 0.1,
                                                    rng: &rng).tokens
            if n == 0 { tokens = corpus.records.max { $0.count < $1.count }! }  // one whole record
            out.append(InputRecord(id: "g\(n)", location: MemscanCore.SourceLocation(file: "<gen>", line: n + 1),
                                   content: .tokens(TokenList(tokens)), prompt: .length(n), patientID: corpus.ids[n]))
        }
        return out
    }

    static func read(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

    static func write(_ bytes: [UInt8], to path: String) {
        let written = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(written, "cannot write \(path)")
    }

    /// Where the header checksum lives, from the fixed header fields.
    static func headerChecksumOffset(_ bytes: [UInt8]) -> Int {
        let sectionCount = Int(load(bytes, UInt32.self, at: 132))
        let ignoreLength = Int(load(bytes, UInt32.self, at: 136))
        return IndexFormat.fixedHeaderSize + (ignoreLength + 7) / 8 * 8 + sectionCount * IndexFormat.sectionEntrySize
    }

    static func load<T: FixedWidthInteger>(_ bytes: [UInt8], _: T.Type, at offset: Int) -> T {
        var value: T = 0
        for i in (0 ..< MemoryLayout<T>.size).reversed() { value = value << 8 | T(bytes[offset + i]) }
        return value
    }

    static func store<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        for i in 0 ..< MemoryLayout<T>.size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    static func xxh3(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBytes { ms_xxh3($0.baseAddress, $0.count, 0) }
    }

    /// Recomputes the checksum of every section and of the header, as a forger would:
    /// what remains is structural damage that only the structural checks can catch.
    static func reseal(_ bytes: inout [UInt8]) {
        let checksumAt = headerChecksumOffset(bytes)
        let sectionCount = Int(load(bytes, UInt32.self, at: 132))
        let tableStart = checksumAt - sectionCount * IndexFormat.sectionEntrySize
        for s in 0 ..< sectionCount {
            let row = tableStart + s * IndexFormat.sectionEntrySize
            let offset = load(bytes, UInt64.self, at: row + 8), length = load(bytes, UInt64.self, at: row + 16)
            guard offset <= UInt64(bytes.count), length <= UInt64(bytes.count) - offset else { continue }
            store(xxh3(bytes[Int(offset) ..< Int(offset + length)]), into: &bytes, at: row + 24)
        }
        store(xxh3(bytes[0 ..< checksumAt]), into: &bytes, at: checksumAt)
    }

    /// Opens (optionally verifying), verifies and scans; any error must be a
    /// MemscanError. Returns a description of what went wrong, or nil.
    static func exercise(_ path: String, generations: [InputRecord], verifyChecksums: Bool, runVerifier: Bool) -> String? {
        do {
            if runVerifier {
                do { _ = try IndexVerifier.verify(path: path) } catch is MemscanError {}
            }
            let index = try MemscanIndex(path: path, verifyChecksums: verifyChecksums)
            var options = ScanOptions()
            options.minLength = 1
            let scanner = GenerationScanner(context: try ScanContext(index: index, options: options))
            for generation in generations {
                do { _ = try scanner.scan(generation) } catch is MemscanError {}
            }
            return nil
        } catch is MemscanError {
            return nil
        } catch {
            return "non-MemscanError thrown: \(error)"
        }
    }

    /// The child processes of the forged-file tests log each case to a file (written
    /// unbuffered), so that the parent can name the case that crashed.
    nonisolated(unsafe) static var logDescriptor: Int32 = 2

    static func openLog(_ path: String) {
        logDescriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
    }

    static func log(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(logDescriptor, $0.baseAddress, $0.count) }
    }

    /// Reseals a forged copy, writes it to `path`, logs `label` and exercises it with
    /// checksums on; returns false (and logs why) when memscan misbehaved.
    static func exerciseForged(_ bytes: [UInt8], at path: String, label: String, generations: [InputRecord]) -> Bool {
        var forged = bytes
        reseal(&forged)
        write(forged, to: path)
        log("case \(label)")
        guard let failure = exercise(path, generations: generations, verifyChecksums: true, runVerifier: true) else { return true }
        log("FAIL: \(failure)")
        return false
    }
}

/// The MemscanError.index thrown by `body`, recording an issue if something else happened.
func expectIndexError(_ what: String, _ body: () throws -> Void,
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) -> (path: String, message: String)? {
    do {
        try body()
        Issue.record("\(what): expected MemscanError.index, nothing was thrown", sourceLocation: sourceLocation)
    } catch MemscanError.index(let path, let message) {
        return (path, message)
    } catch {
        Issue.record("\(what): expected MemscanError.index, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Both `MemscanIndex(path:verifyChecksums:)` and `IndexVerifier.verify` refuse `path`
/// with a message naming the path and containing one of `expected`.
func expectRefused(_ path: String, _ what: String, verifyChecksums: Bool = false, containing expected: [String],
                   sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let open = expectIndexError("\(what) (open)", { _ = try MemscanIndex(path: path, verifyChecksums: verifyChecksums) },
                                sourceLocation: sourceLocation)
    let verify = expectIndexError("\(what) (verify)", { _ = try IndexVerifier.verify(path: path) }, sourceLocation: sourceLocation)
    for (label, error) in [("open", open), ("verify", verify)] {
        guard let error else { continue }
        let description = MemscanError.index(path: error.path, error.message).description
        #expect(error.path == path, "\(what) (\(label))", sourceLocation: sourceLocation)
        #expect(description.contains(path), "\(what) (\(label)): \(description)", sourceLocation: sourceLocation)
        #expect(expected.contains { error.message.contains($0) },
                "\(what) (\(label)): \"\(error.message)\" contains none of \(expected)", sourceLocation: sourceLocation)
    }
}

@Suite("IndexFile") struct IndexFileTests {
    @Test("a built index opens, verifies, is 0600 and leaves no temporary file", arguments: [false, true])
    func buildOpenVerify(ignore: Bool) throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let path = directory.path("corpus.index")
        let (corpus, _, report) = try IndexFixture.build(at: path, ignore: ignore)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(report.fileBytes == size)
        #expect(report.records == 30 && report.corpusTokens == corpus.records.reduce(0) { $0 + $1.count })

        let index = try MemscanIndex(path: path, verifyChecksums: true)
        #expect(index.fileSize == size)
        #expect(index.header.k == 4 && index.header.w == 3 && index.header.guaranteedLength == 6)
        #expect(index.header.blockTokens == 16 && index.header.recordCount == 30)
        #expect(index.header.ignorePattern == (ignore ? "^TIME//" : nil))
        #expect(index.header.corpusTokens == report.corpusTokens && index.header.matchTokens == report.matchTokens)
        #expect(index.header.blockCount == (report.matchTokens + 15) / 16 && index.header.blockCount > 2)
        // Every kind once, the position sections exactly with --ignore, 64-byte aligned, inside the file.
        let kinds = index.sections.map(\.kind)
        #expect(Set(kinds).count == kinds.count)
        #expect(Set(kinds) == Set(SectionKind.allCases.filter { ignore || !$0.isOptional }))
        for section in index.sections {
            #expect(section.offset % 64 == 0 && section.offset + section.length <= size, "\(section.kind.name)")
            // The fixture is far too small for a zstd dictionary (see dictionaryCorpus below)
            // or for successor lists to pay for their bytes (see IndexCompactionTests).
            guard section.kind != .tokenDictionary && section.kind != .tokenSuccessors else { continue }
            #expect(section.length > 0, "\(section.kind.name) is empty: the fixture should fill every section")
        }
        let verified = try IndexVerifier.verify(path: path)
        #expect(verified.sections == index.sections.count && verified.bytes == size && verified.blocks == index.header.blockCount)
        for r in 0 ..< index.recordCount { #expect(index.recordID(r) == corpus.ids[r]) }

        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600, "mode \(String(mode, radix: 8))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["corpus.index"])

        // Rebuilding over an existing, world-readable file replaces it atomically, 0600 again.
        chmod(path, 0o644)
        try IndexFixture.build(at: path, ignore: ignore)
        let mode2 = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode2 & 0o777 == 0o600, "mode after rebuild \(String(mode2, radix: 8))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["corpus.index"])
    }

    @Test("failed writes (missing folder, rename refused) are I/O errors and leave nothing behind")
    func writeIntoMissingFolder() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let path = directory.path("missing/corpus.index")
        #expect(throws: MemscanError.self) { try IndexFixture.build(at: path) }
        do {
            try IndexFixture.build(at: path)
        } catch MemscanError.io(let p, _) {
            #expect(p == path)
        } catch {
            Issue.record("expected MemscanError.io, got \(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)

        // The rename fails (the destination is a non-empty folder): the temporary file goes too.
        let occupied = directory.path("occupied.index")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: false)
        IndexFixture.write(Array("x".utf8), to: occupied + "/keep")
        do {
            try IndexFixture.build(at: occupied)
            Issue.record("building over a folder succeeded")
        } catch MemscanError.io(let p, _) {
            #expect(p == occupied)
        } catch {
            Issue.record("expected MemscanError.io, got \(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["occupied.index"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied) == ["keep"])
    }

    @Test("truncated copies are refused with the path and \"truncated\"")
    func truncated() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let path = directory.path("corpus.index")
        try IndexFixture.build(at: path)
        let bytes = IndexFixture.read(path)
        let index = try MemscanIndex(path: path)
        let headerLength = Int(IndexFixture.load(bytes, UInt32.self, at: 12))
        let lastSection = index.sections.max { $0.offset < $1.offset }!
        var lengths = [0, 5, 100, bytes.count / 2, bytes.count - 1, 7, 151, 152, headerLength - 1, headerLength,
                       lastSection.offset + lastSection.length - 1]
        lengths = Array(Set(lengths.filter { $0 < bytes.count })).sorted()
        for length in lengths {
            let copy = directory.path("truncated-\(length).index")
            IndexFixture.write(Array(bytes[0 ..< length]), to: copy)
            expectRefused(copy, "truncated to \(length) of \(bytes.count) bytes", containing: ["truncated"])
        }
    }

    @Test("a flipped byte in any section is named by open(verifyChecksums:) and verify; unverified scans never crash",
          arguments: [false, true])
    func corruptSections(ignore: Bool) throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let path = directory.path("corpus.index")
        let (corpus, vocabulary, _) = try IndexFixture.build(at: path, ignore: ignore)
        let generations = IndexFixture.generations(corpus, vocabulary)
        let bytes = IndexFixture.read(path)
        let index = try MemscanIndex(path: path)
        #expect(index.sections.count == (ignore ? 19 : 17))
        // The intact index finds the planted copies, so the corrupt scans below do probe.
        let scanner = GenerationScanner(context: try ScanContext(index: index))
        #expect(try !scanner.scan(generations[0]).spans.isEmpty)
        for section in index.sections where section.length > 0 {
            var corrupt = bytes
            corrupt[section.offset + section.length / 2] ^= 0x5A
            let copy = directory.path("corrupt-\(section.kind.name).index")
            IndexFixture.write(corrupt, to: copy)
            expectRefused(copy, "byte flipped in \(section.kind.name)", verifyChecksums: true, containing: [section.kind.name])
            if let failure = IndexFixture.exercise(copy, generations: generations, verifyChecksums: false, runVerifier: false) {
                Issue.record("byte flipped in \(section.kind.name), unverified scan: \(failure)")
            }
        }
    }

    @Test("a flipped byte in the header is refused: header checksum, or the field it broke")
    func corruptHeader() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let path = directory.path("corpus.index")
        try IndexFixture.build(at: path, ignore: true)
        let bytes = IndexFixture.read(path)
        let checksumAt = IndexFixture.headerChecksumOffset(bytes)
        // Fields only the checksum protects: parameters, counts, the ignore pattern, the section table, the checksum.
        for offset in [16, 24, 28, 32, 36, 40, 44, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 140, 152, 156,
                       checksumAt - 32, checksumAt - 20, checksumAt - 1, checksumAt, checksumAt + 7] {
            var corrupt = bytes
            corrupt[offset] ^= 0x01
            let copy = directory.path("header-\(offset).index")
            IndexFixture.write(corrupt, to: copy)
            expectRefused(copy, "header byte \(offset) flipped", containing: ["header checksum"])
        }
        // Every other header byte before the checksum: refused one way or another.
        for offset in 0 ..< checksumAt + 8 {
            var corrupt = bytes
            corrupt[offset] ^= 0x80
            let copy = directory.path("header-any.index")
            IndexFixture.write(corrupt, to: copy)
            expectRefused(copy, "header byte \(offset) flipped (0x80)",
                          containing: ["header checksum", "corrupt header", "not a memscan index", "newer", "unsupported", "truncated"])
        }
    }

    @Test("foreign files are \"not a memscan index\"")
    func foreign() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        var rng = SplitMix64(seed: 0xF0E1)
        var random = (0 ..< 4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        random[0] = 0x42
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
                            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89]
        let files: [(String, [UInt8])] = [
            ("records.jsonl", Array("{\"id\": \"p1\", \"tokens\": [\"AGE//53\", \"DIAGNOSIS//0030\"]}\n".utf8)),
            ("image.png", png),
            ("random.bin", random),
            ("short.txt", Array("ab".utf8)),
            ("zeros.bin", [UInt8](repeating: 0, count: 512)),
        ]
        for (name, bytes) in files {
            let path = directory.path(name)
            IndexFixture.write(bytes, to: path)
            expectRefused(path, name, containing: ["not a memscan index"])
        }
        // Not a file at all: an I/O error naming the path, not a crash.
        for path in [directory.url.path, directory.path("does-not-exist.index")] {
            do {
                _ = try MemscanIndex(path: path)
                Issue.record("\(path) opened")
            } catch MemscanError.io(let p, _) {
                #expect(p == path)
            } catch {
                Issue.record("\(path): expected MemscanError.io, got \(error)")
            }
        }
    }

    @Test("a newer format version asks for an upgrade; an unknown older one is refused")
    func versions() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let path = directory.path("corpus.index")
        try IndexFixture.build(at: path)
        var bytes = IndexFixture.read(path)
        #expect(IndexFixture.load(bytes, UInt32.self, at: 8) == IndexFormat.version)
        for (version, expected) in [(3, ["newer", "upgrade memscan"]), (0x0100_0000, ["newer"]), (1, ["unsupported", "rebuild"]),
                                    (0, ["unsupported"])] {
            IndexFixture.store(UInt32(version), into: &bytes, at: 8)
            let copy = directory.path("version-\(version).index")
            IndexFixture.write(bytes, to: copy)
            expectRefused(copy, "version \(version)", containing: [expected[0]])
            if let error = expectIndexError("version \(version)", { _ = try MemscanIndex(path: copy) }) {
                for word in expected { #expect(error.message.contains(word), "\(error.message)") }
            }
        }
    }

    @Test("an empty corpus and records shorter than k build, open, verify and scan to nothing")
    func degenerateCorpora() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        let corpora: [(String, [(String, [String])])] = [
            ("empty", []),
            ("empty records", [("a", []), ("b", [])]),
            ("short records", (0 ..< 8).map { ("r\($0)", Array(OracleTests.distinct[0 ..< $0])) }),
        ]
        for (name, records) in corpora {
            let path = directory.path("\(name).index")
            let builder = try IndexBuilder(options: IndexBuildOptions())  // k = 8, w = 9
            for (id, tokens) in records { try builder.add(id: id, tokens: TokenList(tokens)) }
            let report = try builder.write(to: path)
            #expect(report.records == records.count, "\(name)")
            #expect(report.distinctShingles == 0, "\(name)")
            let index = try MemscanIndex(path: path, verifyChecksums: true)
            #expect(index.recordCount == records.count && index.header.tableEntries == 0, "\(name)")
            _ = try IndexVerifier.verify(path: path)
            for minLength in [nil, 1] as [Int?] {
                var options = ScanOptions()
                options.minLength = minLength
                let scanner = GenerationScanner(context: try ScanContext(index: index, options: options))
                let generations: [[String]] = [[], ["AGE//1"], Array(OracleTests.distinct[0 ..< 7]), records.flatMap { $0.1 },
                                               OracleTests.distinct]
                for (n, tokens) in generations.enumerated() {
                    let result = try scanner.scan(InputRecord(
                        id: "g\(n)", location: MemscanCore.SourceLocation(file: "<gen>", line: n + 1),
                        content: .tokens(TokenList(tokens)), prompt: .length(2), patientID: "r1"))
                    #expect(result.spans.isEmpty && result.tokens == tokens.count && result.coverage == 0, "\(name) gen \(n)")
                }
            }
        }
        // One record of exactly k tokens (fewer than w shingles): found when min-length allows it.
        let path = directory.path("k.index")
        let builder = try IndexBuilder(options: IndexBuildOptions())
        try builder.add(id: "only", tokens: TokenList(Array(OracleTests.distinct[0 ..< 8])))
        _ = try builder.write(to: path)
        let index = try MemscanIndex(path: path, verifyChecksums: true)
        let spans = try OracleTests.scan(index, ["X"] + Array(OracleTests.distinct[0 ..< 8]) + ["Y"], minLength: 8)
        #expect(spans.map { [$0.start, $0.end, $0.recordStart, $0.recordEnd] } == [[1, 9, 0, 8]])
        #expect(try OracleTests.scan(index, Array(OracleTests.distinct[0 ..< 8])).isEmpty)  // G = 16 by default
    }

    @Test("the same input builds a byte-identical file, whatever the thread count")
    func deterministic() throws {
        let directory = OracleTempDirectory("indexfile")
        defer { directory.remove() }
        for ignore in [false, true] {
            let a = directory.path("a.index"), b = directory.path("b.index"), c = directory.path("c.index")
            try IndexFixture.build(at: a, ignore: ignore)
            try IndexFixture.build(at: b, ignore: ignore)
            try IndexFixture.build(at: c, ignore: ignore, threads: 3)
            let bytes = IndexFixture.read(a)
            #expect(bytes.count > 1000)
            #expect(bytes == IndexFixture.read(b), "ignore \(ignore): two builds differ")
            #expect(bytes == IndexFixture.read(c), "ignore \(ignore): threads 1 and 3 differ")
        }
    }

    // MARK: Forged files (checksums recomputed): run in a child process, so that a
    // crash fails this test with its output instead of killing the whole run.

    @Test("forged section damage: verify and unverified scans throw MemscanError or succeed, never crash")
    func forgedSections() async throws {
        let directory = OracleTempDirectory("indexfile-forged")
        defer { directory.remove() }
        let logPath = directory.path("cases.log")
        let passed = await #expect(processExitsWith: .success) { [logPath = logPath as String] in
            IndexFileTests.forgedSectionsChild(logPath: logPath)
        } != nil
        Self.checkChildLog(passed: passed, logPath: logPath)
    }

    @Test("forged header fields: open, verify and scan throw MemscanError or succeed, never crash")
    func forgedHeader() async throws {
        let directory = OracleTempDirectory("indexfile-forged")
        defer { directory.remove() }
        let logPath = directory.path("cases.log")
        let passed = await #expect(processExitsWith: .success) { [logPath = logPath as String] in
            IndexFileTests.forgedHeaderChild(logPath: logPath)
        } != nil
        Self.checkChildLog(passed: passed, logPath: logPath)
    }

    /// A child that passed must have run its cases; one that failed is reported with
    /// the last cases it logged (the one that crashed, or the failures listed).
    static func checkChildLog(passed: Bool, logPath: String) {
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let cases = log.split(separator: "\n").filter { $0.hasPrefix("case ") }.count
        if passed {
            #expect(cases > 100, "the child ran only \(cases) cases")
        } else {
            Issue.record("child ran \(cases) cases; last lines: \(log.split(separator: "\n").suffix(6).joined(separator: " | "))")
        }
    }

    /// The most significant byte of each 64-bit count of the fixed header (offsets 64-127).
    static let countTopBytes = [71, 79, 87, 95, 103, 111, 119, 127]

    @Test("forged absurd counts (top byte of each 64-bit header count) are refused, never a crash",
          arguments: IndexFileTests.countTopBytes)
    func forgedCounts(offset: Int) async throws {
        let field = ["records", "corpus tokens", "matching tokens", "vocabulary", "table entries",
                     "sampled occurrences", "multi entries", "blocks"][(offset - 64) / 8]
        let directory = OracleTempDirectory("indexfile-forged")
        defer { directory.remove() }
        let logPath = directory.path("cases.log")
        let passed = await #expect(processExitsWith: .success, "header count \(field) at offset \(offset - 7) forged") {
            [logPath = logPath as String, offset = offset as Int] in
            IndexFileTests.forgedCountChild(offset: offset, logPath: logPath)
        } != nil
        if !passed {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            Issue.record("\(field): crashed or failed at: \(log.split(separator: "\n").suffix(2).joined(separator: " | "))")
        }
    }

    static func forgedCountChild(offset: Int, logPath: String) {
        IndexFixture.openLog(logPath)
        // exit() skips defers: work in the parent's folder, which the parent removes.
        let directory = OracleTempDirectory(parentOf: logPath)
        let path = directory.path("corpus.index")
        let (corpus, vocabulary, _) = try! IndexFixture.build(at: path, ignore: false)
        let generations = IndexFixture.generations(corpus, vocabulary)
        let bytes = IndexFixture.read(path)
        var problems = 0
        for mask: UInt8 in [0x01, 0x10, 0x40, 0x80, 0xFF] {
            var forged = bytes
            forged[offset] ^= mask
            if !IndexFixture.exerciseForged(forged, at: path, label: "header offset=\(offset) mask=\(mask)",
                                            generations: generations) { problems += 1 }
        }
        exit(problems == 0 ? 0 : 1)
    }

    static func forgedSectionsChild(logPath: String) {
        IndexFixture.openLog(logPath)
        // exit() skips defers: work in the parent's folder, which the parent removes.
        let directory = OracleTempDirectory(parentOf: logPath)
        var problems = 0
        for ignore in [false, true] {
            let path = directory.path("corpus.index")
            let (corpus, vocabulary, _) = try! IndexFixture.build(at: path, ignore: ignore)
            let generations = IndexFixture.generations(corpus, vocabulary)
            let bytes = IndexFixture.read(path)
            let index = try! MemscanIndex(path: path)
            var rng = SplitMix64(seed: 0xF0_46ED)
            let copy = directory.path("forged.index")
            for section in index.sections where section.length > 0 {
                var offsets = [0, section.length / 2, section.length - 1]
                for _ in 0 ..< 5 { offsets.append(rng.int(0 ... section.length - 1)) }
                for offset in offsets {
                    for mask: UInt8 in [0x01, 0x80, 0xFF] {
                        var forged = bytes
                        forged[section.offset + offset] ^= mask
                        let label = "ignore=\(ignore) section=\(section.kind.name) offset=\(offset) mask=\(mask)"
                        if !IndexFixture.exerciseForged(forged, at: copy, label: label, generations: generations) { problems += 1 }
                    }
                }
            }
        }
        exit(problems == 0 ? 0 : 1)
    }

    static func forgedHeaderChild(logPath: String) {
        IndexFixture.openLog(logPath)
        // exit() skips defers: work in the parent's folder, which the parent removes.
        let directory = OracleTempDirectory(parentOf: logPath)
        var problems = 0
        let path = directory.path("corpus.index")
        let (corpus, vocabulary, _) = try! IndexFixture.build(at: path, ignore: true)
        let generations = IndexFixture.generations(corpus, vocabulary)
        let bytes = IndexFixture.read(path)
        let copy = directory.path("forged.index")
        // Fixed fields after the version and header length, the ignore pattern, the section table.
        // The top bytes of the 64-bit counts have a test of their own (forgedCounts).
        for offset in 16 ..< IndexFixture.headerChecksumOffset(bytes)
        where !(132 ..< 140).contains(offset) && !IndexFileTests.countTopBytes.contains(offset) {
            let masks: [UInt8] = offset < IndexFormat.fixedHeaderSize + 8 ? [0x01, 0x10, 0x80, 0xFF] : [0x01, 0x80]
            for mask in masks {
                var forged = bytes
                forged[offset] ^= mask
                if !IndexFixture.exerciseForged(forged, at: copy, label: "header offset=\(offset) mask=\(mask)",
                                                generations: generations) { problems += 1 }
            }
        }
        exit(problems == 0 ? 0 : 1)
    }
}

