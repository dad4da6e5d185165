import Testing
@testable import MemscanCore

/// `--reference` (§4: a span also found in a held-out corpus is explained by
/// generalization) and the risk rule that depends on it and on sensitive content.
@Suite("Reference corpus and risk")
struct ReferenceAndRiskTests {
    /// Distinct codes, so that spans occur exactly where they are planted.
    static func codes(_ prefix: String, _ count: Int) -> [String] { (0 ..< count).map { "\(prefix)//\($0)" } }

    static func buildIndex(_ records: [(String, [String])], path: String) throws -> MemscanIndex {
        let builder = try IndexBuilder(options: IndexBuildOptions())
        for (id, tokens) in records { try builder.add(id: id, tokens: TokenList(tokens)) }
        _ = try builder.write(to: path)
        return try MemscanIndex(path: path, verifyChecksums: true)
    }

    @Test func spanInTheReferenceCorpusIsFlaggedAndLowRisk() throws {
        let directory = OracleTempDirectory("reference")
        defer { directory.remove() }
        let shared = Self.codes("LAB", 30)        // in training and in the held-out corpus
        let private_ = Self.codes("DIAGNOSIS", 40)  // in training only
        let main = try Self.buildIndex([("p1", shared + Self.codes("X", 5)), ("p2", private_)],
                                       path: directory.path("train.index"))
        let reference = try Self.buildIndex([("h1", Self.codes("Y", 3) + shared)], path: directory.path("held.index"))
        let context = try ScanContext(index: main, reference: reference)
        let scanner = GenerationScanner(context: context)
        let generation = InputRecord(id: "g", location: SourceLocation(file: "<test>", line: 1),
                                     content: .tokens(TokenList(Self.codes("Z", 4) + shared + Self.codes("Q", 3) + private_)))
        let result = try scanner.scan(generation)
        #expect(result.spans.count == 2)
        let sharedSpan = try #require(result.spans.first { $0.record == "p1" })
        #expect(sharedSpan.start == 4 && sharedSpan.end == 34)
        #expect(sharedSpan.inReference == true)
        #expect(sharedSpan.rarity == .unique)
        #expect(sharedSpan.risk == .low)
        let privateSpan = try #require(result.spans.first { $0.record == "p2" })
        #expect(privateSpan.inReference == false)
        // 40 new tokens >= 2 x min-length (16): high even without sensitive content.
        #expect(privateSpan.risk == .high)
        #expect(result.maxRisk == .high)
    }

    /// A near copy (§4 near-verbatim) is in the reference when a held-out record holds a
    /// region similar at the threshold, even if no verbatim piece of it is long.
    @Test func nearSpanInTheReferenceCorpusIsFlagged() throws {
        let directory = OracleTempDirectory("reference-near")
        defer { directory.remove() }
        let shared = Self.codes("LAB", 60)
        let private_ = Self.codes("DIAGNOSIS", 60)
        let main = try Self.buildIndex([("p1", shared), ("p2", private_)], path: directory.path("train.index"))
        // The held-out patient has the shared stretch with two substitutions of its own.
        var heldOut = shared
        heldOut[20] = "OTHER//1"
        heldOut[40] = "OTHER//2"
        let reference = try Self.buildIndex([("h1", heldOut)], path: directory.path("held.index"))
        let scanner = GenerationScanner(context: try ScanContext(index: main, reference: reference))
        // Both copies carry three substitutions of the generation's own.
        func edited(_ tokens: [String]) -> [String] {
            var t = tokens
            for i in [15, 30, 45] { t[i] = "EDIT//\(i)" }
            return t
        }
        let tokens = Self.codes("Z", 4) + edited(shared) + Self.codes("Q", 5) + edited(private_)
        let result = try scanner.scan(InputRecord(id: "g", location: SourceLocation(file: "<test>", line: 1),
                                                  content: .tokens(TokenList(tokens))))
        let sharedSpan = try #require(result.spans.first { $0.record == "p1" })
        #expect(sharedSpan.kind == .near && sharedSpan.start == 4 && sharedSpan.end == 64)
        #expect(sharedSpan.edits == EditCounts(substitutions: 3))
        #expect(sharedSpan.inReference == true)
        #expect(sharedSpan.risk == .low)
        let privateSpan = try #require(result.spans.first { $0.record == "p2" })
        #expect(privateSpan.kind == .near && privateSpan.start == 69 && privateSpan.end == 129)
        #expect(privateSpan.similarity == 1 - 3.0 / 60)
        #expect(privateSpan.records == 1 && privateSpan.rarity == .unique)
        #expect(privateSpan.inReference == false)
        #expect(privateSpan.risk == .high)
        // The verbatim pieces between the edits are not reported again.
        #expect(result.spans.count == 2)
    }

    @Test func withoutAReferenceTheFlagIsNull() throws {
        let directory = OracleTempDirectory("reference-none")
        defer { directory.remove() }
        let main = try Self.buildIndex([("p1", Self.codes("LAB", 20))], path: directory.path("train.index"))
        let scanner = GenerationScanner(context: try ScanContext(index: main))
        let result = try scanner.scan(InputRecord(id: "g", location: SourceLocation(file: "<test>", line: 1),
                                                  content: .tokens(TokenList(Self.codes("LAB", 20)))))
        let span = try #require(result.spans.first)
        #expect(span.inReference == nil)
        // 20 new tokens: unique but shorter than 2 x 16 and not sensitive -> medium.
        #expect(span.risk == .medium)
    }

    @Test func sensitiveContentMakesAShortUniqueSpanHighButNotInThePrompt() throws {
        let directory = OracleTempDirectory("reference-sensitive")
        defer { directory.remove() }
        let record = Self.codes("LAB", 10) + ["DIAGNOSIS//B20"] + Self.codes("MED", 20)
        let main = try Self.buildIndex([("p1", record)], path: directory.path("train.index"))
        let categories = try SensitiveCategories(text: DefaultSensitiveLists.text(named: "icd10")!, source: "icd10")
        let scanner = GenerationScanner(context: try ScanContext(index: main, sensitive: categories))
        func scan(promptLength: Int) throws -> Span {
            let g = InputRecord(id: "g", location: SourceLocation(file: "<test>", line: 1),
                                content: .tokens(TokenList(record)), prompt: .length(promptLength))
            return try #require(try scanner.scan(g).spans.first)
        }
        // 31 new tokens: below 2 x 16, so only the sensitive code makes it high.
        let open = try scan(promptLength: 0)
        #expect(open.newTokens == 31)
        #expect(open.sensitive == ["infectious_disease"])
        #expect(open.risk == .high)
        // The HIV code inside the prompt was not produced by the model: not a leak.
        let prompted = try scan(promptLength: 11)
        #expect(prompted.newTokens == 20)
        #expect(prompted.sensitive.isEmpty)
        #expect(prompted.risk == .medium)
    }
}
