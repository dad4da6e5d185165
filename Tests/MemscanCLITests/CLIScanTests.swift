import Foundation
import Testing

/// `memscan scan` through the executable: inputs, output contract (§5), matches (§4).
@Suite struct CLIScanTests {
    static let generationFields: Set<String> = ["id", "tokens", "prompt_tokens", "spans", "longest", "coverage", "max_risk"]
    static let spanFields: Set<String> = ["start", "end", "new_tokens", "kind", "similarity", "edits", "record", "record_start",
                                          "record_end", "records", "record_ids", "self", "in_reference", "sensitive", "risk"]

    private func sampleIndex(_ dir: TempDir) throws -> String {
        let index = dir.file("demo.index")
        let build = try CLI.run(["index", "build", "-o", index, CLI.sample("records.jsonl")])
        #expect(build.status == 0, "\(build.err)")
        return index
    }

    private func sampleGenerations() throws -> (data: Data, objects: [JSONObject]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("generations.jsonl")))
        return (data, try parseJSONL(String(decoding: data, as: UTF8.self)))
    }

    @Test func fileStdinDashAndNoArgumentGiveTheSameOutput() throws {
        let dir = try TempDir()
        let index = try sampleIndex(dir)
        let (data, _) = try sampleGenerations()
        let common = ["scan", "--index", index, "--group-by", "experiment"]
        let fromFile = try CLI.run(common + [CLI.sample("generations.jsonl")])
        let fromDash = try CLI.run(common + ["-"], stdin: data)
        let fromNothing = try CLI.run(common, stdin: data)
        for run in [fromFile, fromDash, fromNothing] {
            #expect(run.status == 0, "\(run.arguments): \(run.err)")
        }
        #expect(!fromFile.stdout.isEmpty)
        #expect(fromDash.stdout == fromFile.stdout)
        #expect(fromNothing.stdout == fromFile.stdout)
        // -o - is standard output too.
        let dashOutput = try CLI.run(common + ["-o", "-", CLI.sample("generations.jsonl")])
        #expect(dashOutput.stdout == fromFile.stdout)
    }

    @Test func outputIsJSONLWithTheSpecifiedFields() throws {
        let dir = try TempDir()
        let index = try sampleIndex(dir)
        let (_, inputs) = try sampleGenerations()
        let byID = Dictionary(uniqueKeysWithValues: inputs.map { (scalar($0["id"])!, $0) })
        let run = try CLI.run(["scan", "--index", index, "--group-by", "experiment", "--group-by", "prompt_level",
                               CLI.sample("generations.jsonl")])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.hasSuffix("\n"))
        let lines = try parseJSONL(run.out)
        #expect(lines.count > 0 && lines.count < inputs.count, "\(lines.count) generations with spans")
        var previous = -1
        for line in lines {
            let id = try #require(scalar(line["id"]))
            let input = try #require(byID[id], "unknown id \(id)")
            #expect(Self.generationFields.isSubset(of: line.keys), "\(id): \(line.keys.sorted())")
            // Group-by fields are passed through with their values and JSON types.
            #expect(line["experiment"] as? String == input["experiment"] as? String)
            #expect(int(line["prompt_level"]) == int(input["prompt_level"]))
            #expect(int(line["tokens"]) == (input["tokens"] as? [Any])?.count)
            #expect(int(line["prompt_tokens"]) == int(input["prompt_length"]))
            // Input order.
            let position = inputs.firstIndex { scalar($0["id"]) == id }!
            #expect(position > previous)
            previous = position

            let spans = spans(of: line)
            #expect(!spans.isEmpty)
            var longest = 0
            let risks = ["low", "medium", "high"]
            var maxRisk = -1
            for span in spans {
                #expect(Self.spanFields.isSubset(of: span.keys), "\(id): \(span.keys.sorted())")
                let start = try #require(int(span["start"])), end = try #require(int(span["end"]))
                #expect(0 <= start && start < end && end <= int(line["tokens"])!)
                #expect(["verbatim", "near"].contains(span["kind"] as? String))
                let edits = try #require(span["edits"] as? JSONObject)
                #expect(Set(edits.keys) == ["substitutions", "insertions", "deletions"])
                if span["kind"] as? String == "verbatim" {
                    #expect(double(span["similarity"]) == 1)
                    #expect(edits.values.allSatisfy { int($0) == 0 })
                    #expect(int(span["record_end"])! - int(span["record_start"])! == end - start)
                    #expect(int(span["new_tokens"]) == end - max(start, int(input["prompt_length"])!))
                }
                let ids = try #require(span["record_ids"] as? [Any])
                #expect(scalar(ids.first) == scalar(span["record"]))
                #expect(ids.count == min(5, int(span["records"])!))
                // The prompting patient is named in every sample generation.
                #expect(span["self"] is Bool)
                #expect(span["in_reference"] is NSNull)  // no --reference
                #expect((span["sensitive"] as? [Any])?.isEmpty == true)  // no --sensitive
                let risk = try #require(risks.firstIndex(of: span["risk"] as? String ?? ""))
                maxRisk = max(maxRisk, risk)
                longest = max(longest, int(span["new_tokens"])!)
            }
            #expect(int(line["longest"]) == longest)
            #expect(line["max_risk"] as? String == risks[maxRisk])
            let coverage = try #require(double(line["coverage"]))
            #expect(coverage > 0 && coverage <= 1)
        }
    }

    /// Near-verbatim spans (§4): on by default, with similarity, edit counts and a core;
    /// the sample's planted near copies are found; --no-near turns them off.
    @Test func nearSpansAreReportedAndCanBeTurnedOff() throws {
        let dir = try TempDir()
        let index = try sampleIndex(dir)
        let run = try CLI.run(["scan", "--index", index, CLI.sample("generations.jsonl")])
        #expect(run.status == 0, "\(run.err)")
        var nearByGeneration: [String: [JSONObject]] = [:]
        for line in try parseJSONL(run.out) {
            for span in spans(of: line) where span["kind"] as? String == "near" {
                nearByGeneration[scalar(line["id"])!, default: []].append(span)
                let similarity = try #require(double(span["similarity"]))
                #expect(similarity >= 0.8 && similarity < 1)
                let edits = try #require(span["edits"] as? JSONObject)
                let total = ["substitutions", "insertions", "deletions"].map { int(edits[$0]) ?? -1 }
                #expect(total.allSatisfy { $0 >= 0 } && total.reduce(0, +) > 0)
                let core = try #require(span["core"] as? JSONObject)
                #expect(int(core["start"])! >= int(span["start"])! && int(core["end"])! <= int(span["end"])!)
                #expect(Set(span.keys).isSuperset(of: Self.spanFields))
            }
        }
        let truth = try parseJSONL(String(decoding: try Data(contentsOf: URL(fileURLWithPath: CLI.sample("truth.jsonl"))), as: UTF8.self))
        let planted = truth.filter { $0["kind"] as? String == "near" }
        let found = planted.filter { row in
            let start = int(row["gen_start"])!, end = int(row["gen_end"])!
            return nearByGeneration[scalar(row["generation"])!, default: []].contains {
                min(int($0["end"])!, end) - max(int($0["start"])!, start) >= (end - start) / 2
            }
        }
        #expect(planted.count > 20)
        #expect(Double(found.count) >= 0.75 * Double(planted.count), "found \(found.count) of \(planted.count) planted near copies")

        let verbatimOnly = try CLI.run(["scan", "--index", index, "--no-near", CLI.sample("generations.jsonl")])
        #expect(verbatimOnly.status == 0)
        #expect(!verbatimOnly.out.contains("\"kind\":\"near\""))
        for bad in [["--min-similarity", "1.5"], ["--near-band", "-1"], ["--near-max-gap", "0"]] {
            let refused = try CLI.run(["scan", "--index", index] + bad + [CLI.sample("generations.jsonl")])
            #expect(refused.status == 2, "\(bad)")
            #expect(refused.err.contains(bad[0]), "\(refused.err)")
        }
    }

    /// The sample's planted verbatim and template spans (sample/truth.jsonl) of at least
    /// G = 16 new tokens are reported with their positions, record counts and targeting.
    /// (memscan synth lists the records holding a template; a verbatim copy's source is its
    /// one record.)
    @Test func sampleTruthVerbatimSpansAreFound() throws {
        let dir = try TempDir()
        let index = try sampleIndex(dir)
        let run = try CLI.run(["scan", "--index", index, "--no-near", CLI.sample("generations.jsonl")])
        #expect(run.status == 0, "\(run.err)")
        var found: [String: [JSONObject]] = [:]
        for line in try parseJSONL(run.out) { found[scalar(line["id"])!] = spans(of: line) }
        let truth = try parseJSONL(String(decoding: try Data(contentsOf: URL(fileURLWithPath: CLI.sample("truth.jsonl"))), as: UTF8.self))
        var checked = 0
        for row in truth where row["kind"] as? String != "near" && int(row["new_tokens"])! >= 16 {
            let generation = scalar(row["generation"])!
            let start = int(row["gen_start"])!, end = int(row["gen_end"])!
            let match = found[generation, default: []].first { int($0["start"]) == start && int($0["end"]) == end }
            guard let match else {
                Issue.record("\(generation) [\(start), \(end)) \(row["kind"]!) not reported; got \(found[generation, default: []].map { "[\(int($0["start"])!), \(int($0["end"])!))" })")
                continue
            }
            checked += 1
            #expect(int(match["new_tokens"]) == int(row["new_tokens"]), "\(generation)")
            #expect(int(match["records"]) == int(row["records"]) ?? 1, "\(generation)")
            if row["kind"] as? String == "verbatim" {
                #expect(scalar(match["record"]) == scalar(row["record"]), "\(generation)")
                #expect(int(match["record_start"]) == int(row["record_start"]), "\(generation)")
                #expect(int(match["record_end"]) == int(row["record_end"]), "\(generation)")
                #expect(match["self"] as? Bool == row["self"] as? Bool, "\(generation)")
            }
        }
        #expect(checked >= 40, "only \(checked) truth spans checked")
    }

    @Test func allOutputFileAndSummary() throws {
        let dir = try TempDir()
        let index = try sampleIndex(dir)
        let (_, inputs) = try sampleGenerations()
        let all = try CLI.run(["scan", "--index", index, "--all", CLI.sample("generations.jsonl")])
        #expect(all.status == 0, "\(all.err)")
        let lines = try parseJSONL(all.out)
        #expect(lines.count == 160)
        #expect(lines.map { scalar($0["id"])! } == inputs.map { scalar($0["id"])! })
        #expect(lines.contains { spans(of: $0).isEmpty && $0["max_risk"] is NSNull && int($0["longest"]) == 0 })

        let plain = try CLI.run(["scan", "--index", index, "--group-by", "prompt_level", CLI.sample("generations.jsonl")])
        let toFile = try CLI.run(["scan", "--index", index, "-o", dir.file("spans.jsonl"), "--summary", dir.file("summary.json"),
                                  "--group-by", "prompt_level", CLI.sample("generations.jsonl")])
        #expect(toFile.status == 0, "\(toFile.err)")
        #expect(toFile.stdout.isEmpty)
        #expect(try dir.read("spans.jsonl") == plain.stdout)
        let written = try parseJSONL(plain.out)
        #expect(written.count == lines.filter { !spans(of: $0).isEmpty }.count)

        let summary = try parseJSON(try dir.read("summary.json"))
        let counts = try #require(summary["counts"] as? JSONObject)
        #expect(int(counts["generations"]) == inputs.count)
        #expect(int(counts["tokens"]) == inputs.map { ($0["tokens"] as? [Any])!.count }.reduce(0, +))
        #expect(int(counts["skipped_lines"]) == 0)
        #expect(int(counts["generations_with_span"]) == written.count)
        #expect(int(counts["spans"]) == written.map { spans(of: $0).count }.reduce(0, +))
        #expect(int(counts["generations_with_high_risk"]) == written.filter { $0["max_risk"] as? String == "high" }.count)
        let byGroup = try #require(summary["by_group"] as? JSONObject)
        #expect(byGroup["prompt_level"] != nil, "\(byGroup.keys)")
        #expect(summary["inputs"] as? [String] == [CLI.sample("generations.jsonl")])
    }

    // MARK: - Planted copies

    /// Records r1 (string id) and 202 (numeric subject_id), 80 distinct tokens each.
    private static let records = jsonLine([("id", jsonString("r1")), ("tokens", jsonArray(codes("r1", 80)))])
        + jsonLine([("subject_id", "202"), ("tokens", jsonArray(codes("s202", 80)))])

    private func generation(_ id: String, patient: String?, promptLength: Int?, prompt: [String]? = nil, tokens: [String]) -> String {
        var fields: [(String, String)] = [("id", jsonString(id))]
        if let patient { fields.append(("patient_id", patient)) }
        if let promptLength { fields.append(("prompt_length", String(promptLength))) }
        if let prompt { fields.append(("prompt", jsonArray(prompt))) }
        fields.append(("tokens", jsonArray(tokens)))
        return jsonLine(fields)
    }

    private func prompt(_ n: Int) -> [String] { (0 ..< n).map { "PROMPT//\($0)" } }
    private func filler(_ n: Int) -> [String] { (0 ..< n).map { "FILL//\($0)" } }

    @Test func plantedCopyIsReportedWithPositionsAndTargeting() throws {
        let dir = try TempDir()
        let index = try buildIndex(dir, records: Self.records)
        let r1 = codes("r1", 80), s202 = codes("s202", 80)
        let copy = Array(r1[10 ..< 40])  // 30 tokens
        var input = ""
        input += generation("self", patient: jsonString("r1"), promptLength: 5, tokens: prompt(5) + copy + filler(5))
        input += generation("other", patient: jsonString("x9"), promptLength: 5, tokens: prompt(5) + copy + filler(5))
        input += generation("anonymous", patient: nil, promptLength: 5, tokens: prompt(5) + copy + filler(5))
        input += generation("numeric", patient: "202", promptLength: 5, tokens: prompt(5) + Array(s202[50 ..< 80]))
        // Entirely inside the prompt: not a finding.
        input += generation("in-prompt", patient: jsonString("r1"), promptLength: 35, tokens: Array(r1[0 ..< 35]) + filler(10))
        // Starts in the prompt and runs 20 tokens beyond it.
        input += generation("crossing", patient: jsonString("r1"), promptLength: 20, tokens: Array(r1[0 ..< 40]) + filler(3))
        // Runs only 10 tokens beyond the prompt: below --min-length (G = 16).
        input += generation("short-new", patient: jsonString("r1"), promptLength: 30, tokens: Array(r1[0 ..< 40]) + filler(3))
        // The prompt as content (§3): at the start of the tokens, or not repeated there.
        input += generation("prompt-prefix", patient: nil, promptLength: nil, prompt: prompt(5), tokens: prompt(5) + copy + filler(5))
        input += generation("prompt-apart", patient: nil, promptLength: nil, prompt: prompt(5), tokens: copy + filler(5))
        let generations = try dir.write("gens.jsonl", input)

        let run = try CLI.run(["scan", "--index", index, "--all", generations])
        #expect(run.status == 0, "\(run.err)")
        let lines = try parseJSONL(run.out)
        #expect(lines.map { scalar($0["id"])! } == ["self", "other", "anonymous", "numeric", "in-prompt", "crossing", "short-new",
                                                     "prompt-prefix", "prompt-apart"])
        let byID = Dictionary(uniqueKeysWithValues: lines.map { (scalar($0["id"])!, $0) })

        for (id, expectedSelf) in [("self", true as Bool?), ("other", false), ("anonymous", nil), ("prompt-prefix", nil), ("prompt-apart", nil)] {
            let line = try #require(byID[id])
            #expect(int(line["tokens"]) == 40)
            #expect(int(line["prompt_tokens"]) == 5)
            let spans = spans(of: line)
            try #require(spans.count == 1, "\(id): \(spans)")
            let span = spans[0]
            #expect(int(span["start"]) == 5)
            #expect(int(span["end"]) == 35)
            #expect(int(span["new_tokens"]) == 30)
            #expect(span["kind"] as? String == "verbatim")
            #expect(scalar(span["record"]) == "r1")
            #expect(int(span["record_start"]) == 10)
            #expect(int(span["record_end"]) == 40)
            #expect(int(span["records"]) == 1)
            #expect((span["record_ids"] as? [Any]).map { $0.compactMap(scalar) } == ["r1"])
            if let expectedSelf {
                #expect(span["self"] as? Bool == expectedSelf, "\(id)")
            } else {
                #expect(span["self"] is NSNull, "\(id)")
            }
            // Unique, 30 new tokens < 2 x 16 and not sensitive: medium (§4).
            #expect(span["risk"] as? String == "medium")
            #expect(line["max_risk"] as? String == "medium")
            #expect(int(line["longest"]) == 30)
            #expect(abs(double(line["coverage"])! - 30.0 / 35.0) < 1e-4)  // written with 4 decimals
        }

        let numericLine = try #require(byID["numeric"])
        let numeric = try #require(spans(of: numericLine).first)
        #expect(scalar(numeric["record"]) == "202")
        #expect(int(numeric["start"]) == 5 && int(numeric["end"]) == 35)
        #expect(int(numeric["record_start"]) == 50 && int(numeric["record_end"]) == 80)
        #expect(numeric["self"] as? Bool == true)

        let inPrompt = try #require(byID["in-prompt"])
        #expect(spans(of: inPrompt).isEmpty)
        #expect(byID["in-prompt"]?["max_risk"] is NSNull)

        let crossingLine = try #require(byID["crossing"])
        let crossing = spans(of: crossingLine)
        try #require(crossing.count == 1, "\(crossing)")
        #expect(int(crossing[0]["start"]) == 0)
        #expect(int(crossing[0]["end"]) == 40)
        #expect(int(crossing[0]["new_tokens"]) == 20)
        #expect(int(crossing[0]["record_start"]) == 0 && int(crossing[0]["record_end"]) == 40)
        #expect(crossing[0]["self"] as? Bool == true)

        let shortNew = try #require(byID["short-new"])
        #expect(spans(of: shortNew).isEmpty)

        // Without --all only generations with spans are written.
        let plain = try CLI.run(["scan", "--index", index, generations])
        #expect(try parseJSONL(plain.out).map { scalar($0["id"])! } == ["self", "other", "anonymous", "numeric", "crossing",
                                                                         "prompt-prefix", "prompt-apart"])

        // A shorter --min-length reaches the 10 new tokens.
        let shorter = try CLI.run(["scan", "--index", index, "--min-length", "10", generations])
        let short = try parseJSONL(shorter.out).first { scalar($0["id"]) == "short-new" }
        #expect(short.map { spans(of: $0).map { int($0["new_tokens"])! } } == [10])
    }

    @Test func failOnExitCodes() throws {
        let dir = try TempDir()
        let index = try buildIndex(dir, records: Self.records)
        let r1 = codes("r1", 80)
        let medium = try dir.write("medium.jsonl", generation("m", patient: nil, promptLength: 0, tokens: Array(r1[0 ..< 30]) + filler(2)))
        let high = try dir.write("high.jsonl", generation("h", patient: nil, promptLength: 0, tokens: Array(r1[0 ..< 40]) + filler(2)))
        let none = try dir.write("none.jsonl", generation("n", patient: nil, promptLength: 0, tokens: filler(40)))

        let highRun = try CLI.run(["scan", "--index", index, "--fail-on", "high", high])
        #expect(highRun.status == 3, "\(highRun.err)")
        // The spans are still written before the exit.
        let highSpans = try parseJSONL(highRun.out).flatMap(spans(of:))
        #expect(highSpans.map { $0["risk"] as? String } == ["high"])
        #expect(highSpans.map { int($0["new_tokens"]) } == [40])

        #expect(try CLI.run(["scan", "--index", index, "--fail-on", "high", medium]).status == 0)
        #expect(try CLI.run(["scan", "--index", index, "--fail-on", "medium", medium]).status == 3)
        #expect(try CLI.run(["scan", "--index", index, "--fail-on", "low", medium]).status == 3)
        #expect(try CLI.run(["scan", "--index", index, "--fail-on", "low", none]).status == 0)
        #expect(try CLI.run(["scan", "--index", index, high]).status == 0)

        let bogus = try CLI.run(["scan", "--index", index, "--fail-on", "bogus", high])
        #expect(bogus.status == 2)
        #expect(bogus.err.contains("--fail-on"), "\(bogus.err)")
        #expect(bogus.stdout.isEmpty)
    }

    /// §2: with `--ignore '^TIME//'` stored in the index, a copy whose TIME// tokens differ in
    /// value and position still matches across them; positions stay in original indices.
    @Test func ignoredTokensAreSkippedForMatching() throws {
        let dir = try TempDir()
        let body = codes("r1", 40)
        var record: [String] = [], generation: [String] = []
        for (i, code) in body.enumerated() {
            record.append(code)
            if i % 5 == 4 { record.append("TIME//\(i)") }
        }
        for (i, code) in body.enumerated() {
            generation.append(code)
            if i % 7 == 6 { generation.append("TIME//\(100 + i)") }
        }
        record = ["AGE//53"] + record  // record positions shift by one
        let recordsText = jsonLine([("id", jsonString("r1")), ("tokens", jsonArray(record))])
        let generationsPath = try dir.write("gens.jsonl", jsonLine([("id", jsonString("g")), ("tokens", jsonArray(generation))]))

        let ignoring = try buildIndex(dir, records: recordsText, name: "ignoring", extra: ["--ignore", "^TIME//"])
        let run = try CLI.run(["scan", "--index", ignoring, generationsPath])
        #expect(run.status == 0, "\(run.err)")
        let found = try parseJSONL(run.out).flatMap(spans(of:))
        try #require(found.count == 1, "\(found)")
        #expect(int(found[0]["start"]) == 0)
        #expect(int(found[0]["end"]) == generation.firstIndex(of: body.last!)! + 1)
        #expect(int(found[0]["record_start"]) == 1)
        #expect(int(found[0]["record_end"]) == record.firstIndex(of: body.last!)! + 1)
        #expect(scalar(found[0]["record"]) == "r1")
        #expect(int(found[0]["new_tokens"]) == 40)

        // Without --ignore the TIME// tokens break the copy into runs shorter than G.
        let plain = try buildIndex(dir, records: recordsText, name: "plain")
        let unmatched = try CLI.run(["scan", "--index", plain, generationsPath])
        #expect(unmatched.status == 0)
        #expect(unmatched.out.isEmpty, "\(unmatched.out)")
    }

    /// §4: --sensitive takes the built-in lists by name; a sensitive unique span is high risk.
    @Test func sensitiveDefaultListFlagsAndRaisesRisk() throws {
        let dir = try TempDir()
        var record = codes("r1", 60)
        record[20] = "DIAGNOSIS//B20"
        record[22] = "DIAGNOSIS//I10"
        let index = try buildIndex(dir, records: jsonLine([("id", jsonString("r1")), ("tokens", jsonArray(record))]))
        // 20 copied tokens: below 2 x G, so the span is medium unless sensitive.
        let generations = try dir.write("gens.jsonl", generation("g", patient: nil, promptLength: 0,
                                                                  tokens: Array(record[10 ..< 30]) + filler(3)))
        func onlySpan(_ arguments: [String], in directory: URL? = nil) throws -> JSONObject? {
            let run = try CLI.run(["scan", "--index", index] + arguments + [generations], in: directory)
            #expect(run.status == 0, "\(arguments): \(run.err)")
            let found = try parseJSONL(run.out).flatMap(spans(of:))
            #expect(found.count == 1, "\(arguments): \(found)")
            return found.first
        }
        let plain = try #require(try onlySpan([]))
        #expect((plain["sensitive"] as? [Any])?.isEmpty == true)
        #expect(plain["risk"] as? String == "medium")

        let flagged = try #require(try onlySpan(["--sensitive", "default"]))
        #expect(flagged["sensitive"] as? [String] == ["infectious_disease"])
        #expect(flagged["risk"] as? String == "high")
        #expect(int(flagged["records"]) == 1)
        #expect(try CLI.run(["scan", "--index", index, "--sensitive", "default", "--fail-on", "high", generations]).status == 3)

        let icd10 = try #require(try onlySpan(["--sensitive", "icd10"]))
        #expect(icd10["sensitive"] as? [String] == ["infectious_disease"])
        // B20 is an ICD-10 code: the ICD-9 list does not flag it.
        let icd9 = try #require(try onlySpan(["--sensitive", "icd9"]))
        #expect((icd9["sensitive"] as? [Any])?.isEmpty == true)
        #expect(icd9["risk"] as? String == "medium")

        // A file of that name takes precedence over the built-in list.
        try dir.write("default", "# custom list\ncustom_hiv\t^DIAGNOSIS//B20$\nhypertension ^DIAGNOSIS//I10$\n")
        let custom = try #require(try onlySpan(["--sensitive", "default"], in: dir.url))
        #expect(custom["sensitive"] as? [String] == ["custom_hiv", "hypertension"])

        // Neither a file nor a built-in list: exit 2 naming it.
        let missing = try CLI.run(["scan", "--index", index, "--sensitive", dir.file("nolist.txt"), generations])
        #expect(missing.status == 2)
        #expect(missing.err.contains("nolist.txt"), "\(missing.err)")
        // A malformed list: exit 2 naming file and line (line 4 of the file, its 2nd entry).
        let bad = try dir.write("bad.txt", "# comment\nok ^A$\n\nbroken ^(unclosed$\n")
        let badRun = try CLI.run(["scan", "--index", index, "--sensitive", bad, generations])
        #expect(badRun.status == 2)
        #expect(badRun.err.contains("bad.txt:4"), "\(badRun.err)")
    }

    /// §3: `.gz` and `.zst` inputs are read transparently.
    @Test func compressedGenerationsScanLikePlain() throws {
        let dir = try TempDir()
        let index = try sampleIndex(dir)
        let source = CLI.sample("generations.jsonl")
        let gz = dir.file("generations.jsonl.gz"), zst = dir.file("generations.jsonl.zst")
        #expect(try shell("/usr/bin/gzip", ["-c", source], to: gz) == 0)
        #expect(try shell("/usr/bin/zstd", ["-q", "-c", source], to: zst) == 0)
        let arguments = ["scan", "--index", index, "--group-by", "prompt_level"]
        let plain = try CLI.run(arguments + [source])
        #expect(plain.status == 0)
        #expect(!plain.stdout.isEmpty)
        for path in [gz, zst] {
            let run = try CLI.run(arguments + [path])
            #expect(run.status == 0, "\(path): \(run.err)")
            #expect(run.stdout == plain.stdout, "\(path)")
        }
        // Several inputs are read in order, as one stream.
        let both = try CLI.run(arguments + [gz, zst])
        #expect(both.stdout == plain.stdout + plain.stdout)
    }
}
