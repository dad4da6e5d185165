import Foundation
import Testing

/// `memscan index build|info|verify` through the executable (§6, §7).
@Suite struct CLIIndexTests {
    @Test func buildInfoVerifyOnSampleRecords() throws {
        let dir = try TempDir()
        let index = dir.file("demo.index")
        let build = try CLI.run(["index", "build", "-o", index, CLI.sample("records.jsonl")])
        #expect(build.status == 0, "\(build.err)")
        #expect(build.out.isEmpty)
        #expect(build.err.hasPrefix("memscan: indexed 200 records,"), "\(build.err)")

        // The index is as sensitive as the records (§6): mode 0600, and no temporary file left.
        let attributes = try FileManager.default.attributesOfItem(atPath: index)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["demo.index"])

        let info = try CLI.run(["index", "info", index])
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("k (shingle):      8\n"), "\(info.out)")
        #expect(info.out.contains("w (window):       9\n"), "\(info.out)")
        #expect(info.out.contains("G (guaranteed):   16 tokens"), "\(info.out)")
        #expect(info.out.contains("records:          200\n"), "\(info.out)")
        #expect(info.out.contains("tokenizer:        codes"), "\(info.out)")

        let json = try CLI.run(["index", "info", "--json", index])
        #expect(json.status == 0, "\(json.err)")
        let object = try parseJSON(json.stdout)
        #expect(int(object["k"]) == 8)
        #expect(int(object["w"]) == 9)
        #expect(int(object["guaranteed_length"]) == 16)
        #expect(int(object["records"]) == 200)
        #expect(object["tokenizer"] as? String == "codes")
        #expect(object["ignore"] is NSNull)
        // The table geometry fits a 64-byte bucket (format 2).
        let slots = int(object["slots_per_bucket"]) ?? 0, fingerprint = int(object["fingerprint_bits"]) ?? 0
        let value = int(object["value_bits"]) ?? 0
        #expect(slots >= 1 && fingerprint >= 12 && slots * (fingerprint + 3 + value) <= 512, "\(slots) \(fingerprint) \(value)")
        // Corpus tokens: the sum of the sample records' lengths.
        let records = try parseJSONL(String(decoding: try Data(contentsOf: URL(fileURLWithPath: CLI.sample("records.jsonl"))), as: UTF8.self))
        let corpusTokens = records.map { ($0["tokens"] as? [Any])?.count ?? 0 }.reduce(0, +)
        #expect(int(object["corpus_tokens"]) == corpusTokens)
        #expect(int(object["file_bytes"]) == (attributes[.size] as? NSNumber)?.intValue)

        let verify = try CLI.run(["index", "verify", index])
        #expect(verify.status == 0, "\(verify.err)")
        #expect(verify.out.hasPrefix("\(index): OK"), "\(verify.out)")
    }

    @Test func memoryLimitBuildsTheSameIndexAndRejectsTinyLimits() throws {
        let dir = try TempDir()
        let plain = dir.file("plain.index"), bounded = dir.file("bounded.index")
        #expect(try CLI.run(["index", "build", "-o", plain, CLI.sample("records.jsonl")]).status == 0)
        let build = try CLI.run(["index", "build", "-o", bounded, "--memory-limit", "1M", CLI.sample("records.jsonl")])
        #expect(build.status == 0, "\(build.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: plain)) == Data(contentsOf: URL(fileURLWithPath: bounded)))
        let tiny = try CLI.run(["index", "build", "-o", dir.file("tiny.index"), "--memory-limit", "64K", CLI.sample("records.jsonl")])
        #expect(tiny.status == 2 && tiny.err.contains("--memory-limit"), "\(tiny.err)")
    }

    @Test func parametersAreStoredAndReported() throws {
        let dir = try TempDir()
        let index = dir.file("p.index")
        let build = try CLI.run(["index", "build", "-o", index, "-k", "5", "-w", "3", "--ignore", "^TIME//",
                                 CLI.sample("records.jsonl")])
        #expect(build.status == 0, "\(build.err)")
        let object = try parseJSON(try CLI.run(["index", "info", "--json", index]).stdout)
        #expect(int(object["k"]) == 5)
        #expect(int(object["w"]) == 3)
        #expect(int(object["guaranteed_length"]) == 5 + 3 - 1)
        #expect(object["ignore"] as? String == "^TIME//")
        #expect(int(object["records"]) == 200)
        // Matching tokens leave TIME// tokens out.
        #expect(int(object["matching_tokens"])! < int(object["corpus_tokens"])!)

        let text = try CLI.run(["index", "build", "--tokenizer", "text", "-o", dir.file("n.index"), CLI.sample("notes/records.jsonl")])
        #expect(text.status == 0, "\(text.err)")
        let notes = try parseJSON(try CLI.run(["index", "info", "--json", dir.file("n.index")]).stdout)
        #expect(notes["tokenizer"] as? String == "text")
        #expect(int(notes["records"]) == 100)
    }

    @Test func buildReadsStandardInputAndCompressedRecords() throws {
        let dir = try TempDir()
        let records = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("records.jsonl")))
        let fromStdin = try CLI.run(["index", "build", "-o", dir.file("stdin.index"), "-"], stdin: records)
        #expect(fromStdin.status == 0, "\(fromStdin.err)")
        let zst = dir.file("records.jsonl.zst")
        #expect(try shell("/usr/bin/zstd", ["-q", "-c", CLI.sample("records.jsonl")], to: zst) == 0)
        let fromZstd = try CLI.run(["index", "build", "-o", dir.file("zst.index"), zst])
        #expect(fromZstd.status == 0, "\(fromZstd.err)")
        for name in ["stdin.index", "zst.index"] {
            let object = try parseJSON(try CLI.run(["index", "info", "--json", dir.file(name)]).stdout)
            #expect(int(object["records"]) == 200, "\(name)")
        }
        // Same records, same parameters: the same index bytes.
        let plain = dir.file("plain.index")
        #expect(try CLI.run(["index", "build", "-o", plain, CLI.sample("records.jsonl")]).status == 0)
        #expect(try dir.read("stdin.index") == dir.read("plain.index"))
        #expect(try dir.read("zst.index") == dir.read("plain.index"))
    }

    /// §5: progress goes to stderr only when it is a terminal; here it is a pipe.
    @Test func noProgressOutputWhenStderrIsNotATerminal() throws {
        let dir = try TempDir()
        let index = dir.file("q.index")
        let build = try CLI.run(["index", "build", "-o", index, CLI.sample("records.jsonl")])
        #expect(build.status == 0)
        #expect(build.errLines.count == 1, "\(build.err)")
        #expect(!build.err.contains("\r"))
        #expect(!build.err.contains("ETA"))

        let scan = try CLI.run(["scan", "--index", index, "--summary", dir.file("s.json"), CLI.sample("generations.jsonl")])
        #expect(scan.status == 0, "\(scan.err)")
        #expect(scan.err.isEmpty, "\(scan.err)")
        #expect(!scan.stdout.isEmpty)
    }
}

/// Runs a helper program with stdout redirected to `path`; returns its exit status.
func shell(_ program: String, _ arguments: [String], to path: String) throws -> Int32 {
    guard FileManager.default.createFile(atPath: path, contents: nil) else {
        throw CLIError(description: "cannot create \(path)")
    }
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
