import Foundation
import Testing

/// Bad usage and bad input (§3, §5, §6): exit 2 with one clear line on stderr, never a crash.
@Suite struct CLIErrorTests {
    private func validIndex(_ dir: TempDir) throws -> String {
        try buildIndex(dir, records: jsonLine([("id", jsonString("r1")), ("tokens", jsonArray(codes("r1", 80)))]))
    }

    private func generations(_ dir: TempDir, malformedAt bad: Int? = nil, count: Int = 3) throws -> String {
        var text = ""
        for i in 1 ... count {
            if i == bad {
                text += "{\"id\":\"g\(i)\",\"tokens\":[\"A\",\n"  // truncated JSON
            } else {
                text += jsonLine([("id", jsonString("g\(i)")), ("tokens", jsonArray(Array(codes("r1", 80)[0 ..< 30])))])
            }
        }
        return try dir.write("gens.jsonl", text)
    }

    @Test func malformedLineFailsNamingFileAndLine() throws {
        let dir = try TempDir()
        let index = try validIndex(dir)
        let input = try generations(dir, malformedAt: 2)
        let run = try CLI.run(["scan", "--index", index, input])
        #expect(run.status == 2)
        #expect(!run.signaled)
        #expect(run.errLines.count == 1, "\(run.err)")
        #expect(run.err.hasPrefix("memscan: \(input):2:"), "\(run.err)")

        // On standard input the message names it too.
        let stdinRun = try CLI.run(["scan", "--index", index, "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: input)))
        #expect(stdinRun.status == 2)
        #expect(stdinRun.err.contains(":2:"), "\(stdinRun.err)")

        // The same in index build.
        let build = try CLI.run(["index", "build", "-o", dir.file("bad.index"), input])
        #expect(build.status == 2)
        #expect(build.err.contains("\(input):2:"), "\(build.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("bad.index")))
    }

    @Test func onErrorSkipCountsTheSkippedLine() throws {
        let dir = try TempDir()
        let index = try validIndex(dir)
        let input = try generations(dir, malformedAt: 2)
        let summary = dir.file("summary.json")
        let run = try CLI.run(["scan", "--index", index, "--on-error", "skip", "--all", "--summary", summary, input])
        #expect(run.status == 0, "\(run.err)")
        #expect(try parseJSONL(run.out).map { scalar($0["id"])! } == ["g1", "g3"])
        let counts = try #require(try parseJSON(try dir.read("summary.json"))["counts"] as? JSONObject)
        #expect(int(counts["skipped_lines"]) == 1)
        #expect(int(counts["generations"]) == 2)
        let messages = counts["skip_messages"] as? [String] ?? []
        #expect(messages.count == 1 && messages[0].contains("gens.jsonl:2"), "\(messages)")

        let badPolicy = try CLI.run(["scan", "--index", index, "--on-error", "ignore", input])
        #expect(badPolicy.status == 2)
        #expect(badPolicy.err.contains("--on-error"), "\(badPolicy.err)")
    }

    @Test func missingInputFile() throws {
        let dir = try TempDir()
        let index = try validIndex(dir)
        let missing = dir.file("no-such-generations.jsonl")
        let run = try CLI.run(["scan", "--index", index, missing])
        #expect(run.status == 2)
        #expect(run.errLines.count == 1, "\(run.err)")
        #expect(run.err.contains(missing), "\(run.err)")
        #expect(run.stdout.isEmpty)

        let build = try CLI.run(["index", "build", "-o", dir.file("x.index"), missing])
        #expect(build.status == 2)
        #expect(build.err.contains(missing), "\(build.err)")
    }

    /// §6: a missing, foreign, truncated or corrupted index is refused with one line naming it.
    @Test func badIndexFilesAreRefused() throws {
        let dir = try TempDir()
        let index = try validIndex(dir)
        let input = try generations(dir)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: index))
        #expect(bytes.count > 64)

        var bad: [(String, String)] = [("missing", dir.file("missing.index"))]
        bad.append(("text", try dir.write("text.index", "this is not an index\n")))
        bad.append(("jsonl", dir.file("gens.jsonl")))
        bad.append(("empty", try dir.write("empty.index", "")))
        // The file ends in padding after its last section: cut into the section, and into the padding.
        let info = try parseJSON(try CLI.run(["index", "info", "--json", index]).stdout)
        let dataEnd = (info["sections"] as? [JSONObject] ?? []).map { int($0["offset"])! + int($0["length"])! }.max() ?? 0
        #expect(dataEnd > bytes.count / 2 && dataEnd <= bytes.count)
        for (name, length) in [("header-only", 16), ("half", bytes.count / 2), ("last-section-cut", dataEnd - 1),
                               ("minus-one", bytes.count - 1)] {
            let path = dir.file("\(name).index")
            try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
            bad.append((name, path))
        }
        var corrupted = bytes
        corrupted[bytes.count / 2] ^= 0x5A
        let corruptedPath = dir.file("corrupted.index")
        try corrupted.write(to: URL(fileURLWithPath: corruptedPath))
        bad.append(("corrupted", corruptedPath))
        bad.append(("directory", dir.path))

        for (name, path) in bad {
            for arguments in [["scan", "--index", path, input], ["index", "info", path], ["index", "verify", path]] {
                let run = try CLI.run(arguments)
                #expect(!run.signaled, "\(name): \(arguments)")
                // index info reads only the header, so a corrupted payload may still be described.
                if name == "corrupted" && arguments[1] == "info" { continue }
                #expect(run.status == 2, "\(name): \(arguments) exited \(run.status): \(run.err)")
                #expect(run.errLines.count == 1, "\(name): \(arguments): \(run.err)")
                #expect(run.err.contains(path), "\(name): \(arguments): \(run.err)")
                #expect(!run.out.contains("OK"), "\(name): \(arguments)")
            }
        }

        // The reference index is checked the same way.
        let reference = try CLI.run(["scan", "--index", index, "--reference", dir.file("text.index"), input])
        #expect(reference.status == 2)
        #expect(reference.err.contains("text.index"), "\(reference.err)")
    }

    /// Numbers no run could use (found by fuzzing: each of these trapped or tried to
    /// allocate terabytes) are usage errors naming the option, and so are negative ones,
    /// which the parser would otherwise take for options ("Missing value").
    @Test func outOfRangeNumbersAreUsageErrors() throws {
        let dir = try TempDir()
        let index = try validIndex(dir)
        let input = try generations(dir)
        let huge = String(Int.max)
        let cases: [([String], String)] = [
            (["scan", "--index", index, "--records-cap", huge, input], "--records-cap must be in 1...2147483647 (got \(huge))"),
            (["scan", "--index", index, "--min-length", huge, input], "--min-length must be in"),
            (["scan", "--index", index, "--threads", "1099511627776", input], "--threads must be in 1...1024 (got 1099511627776)"),
            (["scan", "--index", index, "--threads", "-1", input], "--threads must be in 1...1024 (got -1)"),
            (["index", "build", "-k", "-3", "-o", dir.file("y.index"), input], "-k must be between 1 and 64 (got -3)"),
            (["index", "build", "--memory-limit", "99999999999999999999G", "-o", dir.file("y.index"), input], "--memory-limit"),
            (["index", "build", "--memory-limit", "inf", "-o", dir.file("y.index"), input], "--memory-limit"),
            (["index", "build", "--ignore", "", "-o", dir.file("y.index"), input], "--ignore: the pattern is empty"),
            (["synth", "--out", dir.file("synth"), "--records", "5", "--generations", huge], "--generations is too large"),
            (["synth", "--out", dir.file("synth"), "--records", "5", "--held-out", huge], "--held-out is too large"),
            // Not numbers, but the same kind of slip: an empty field name, which error
            // messages listing the fields tried showed as a stray comma.
            (["scan", "--index", index, "--text-field", "", input], "--text-field: the field name is empty"),
            (["scan", "--index", index, "--group-by", "", input], "--group-by: the field name is empty"),
            (["index", "build", "--id-field", "", "-o", dir.file("y.index"), input], "--id-field: the field name is empty"),
        ]
        for (arguments, mention) in cases {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(arguments): exited \(run.status)")
            #expect(run.err.contains(mention), "\(arguments): \(run.err)")
            #expect(run.err.split(separator: "\n").count == 1, "\(arguments): \(run.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("y.index")))
        // A header that is not MEDS is not echoed whole in the error line.
        let wide = try dir.write("wide.csv", (0 ..< 30).map { "column \($0) " + String(repeating: "x", count: 200) }.joined(separator: ",") + "\n")
        let meds = try CLI.run(["scan", "--index", index, "--format", "meds", wide])
        #expect(meds.status == 2)
        #expect(meds.err.contains("MEDS header has no 'subject_id' column (columns: column 0 xxx"), "\(meds.err)")
        #expect(meds.err.contains("(30 columns)"), "\(meds.err)")
        #expect(meds.err.count < 400, "\(meds.err)")
        // The largest cap is usable: counting up to it (plus one, to tell "more") stays in range.
        let capped = try CLI.run(["scan", "--index", index, "--records-cap", String(Int32.max), input])
        #expect(capped.status == 0, "\(capped.err)")
        #expect(capped.out.contains("\"records\""))
    }

    @Test func badUsageExitsTwo() throws {
        let dir = try TempDir()
        let index = try validIndex(dir)
        let input = try generations(dir)
        let cases: [([String], String)] = [
            (["scan", "--index", index, "--no-such-option", input], "--no-such-option"),
            (["scan", input], "--index"),
            (["index", "build", "--bogus", "-o", dir.file("y.index"), input], "--bogus"),
            (["index", "build", "-o", dir.file("y.index"), "--tokenizer", "words", input], "--tokenizer"),
            (["frobnicate"], "frobnicate"),
            (["scan", "--index", index, "--min-similarity", "1.5", input], "--min-similarity"),
            (["scan", "--index", index, "--format", "xml", input], "--format"),
            (["scan", "--index", index, "-o", dir.file("no-dir/spans.jsonl"), input], dir.file("no-dir/spans.jsonl")),
            (["index", "build", "-o", dir.file("no-dir/x.index"), input], dir.file("no-dir")),
        ]
        for (arguments, mention) in cases {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(arguments): exited \(run.status)")
            #expect(run.err.contains(mention), "\(arguments): \(run.err)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        let help = try CLI.run(["scan", "--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("--sensitive"))
        #expect(help.out.contains("icd10"))
    }
}
