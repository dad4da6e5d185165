import Foundation
import Testing
@testable import MemscanCore

@Suite("Input: compressed files")
struct InputCompressionTests {
    private let jsonl = """
        {"id": "r1", "tokens": ["A", "B"]}
        {"id": "r2", "text": "hello"}

        """

    /// Big enough (several MiB) to cross the 1 MiB read and decompression chunks.
    private func bigJSONL() -> String {
        var text = ""
        for i in 0 ..< 60_000 { text += "{\"id\": \"r\(i)\", \"tokens\": [\"AGE//\(i % 90)\", \"DX//\(i)\", \"LAB//\(i * 7)//Low\"]}\n" }
        return text
    }

    private func ids(_ path: String, _ options: InputOptions = InputOptions()) throws -> [String] {
        try InputFixtures.readAll([path], options).map(\.id)
    }

    @Test func gzipAndZstdBySuffix() throws {
        let dir = InputFixtures.makeDirectory()
        let gz = InputFixtures.write(bytes: InputFixtures.gzip(Array(jsonl.utf8)), name: "data.jsonl.gz", in: dir)
        let zst = InputFixtures.write(bytes: InputFixtures.zstd(Array(jsonl.utf8)), name: "data.jsonl.zst", in: dir)
        for path in [gz, zst] {
            let records = try InputFixtures.readAll([path])
            #expect(records.map(\.id) == ["r1", "r2"])
            #expect(InputFixtures.tokens(records[0]) == ["A", "B"])
            #expect(records[1].location == MemscanCore.SourceLocation(file: path, line: 2))
        }
        let csv = InputFixtures.write(bytes: InputFixtures.gzip(Array("id,text\nc1,\"x\ny\"\n".utf8)), name: "notes.csv.gz", in: dir)
        let records = try InputFixtures.readAll([csv])
        #expect(records.map(\.id) == ["c1"])
        #expect(InputFixtures.text(records[0]) == "x\ny")
    }

    @Test func compressionDetectedByMagicBytes() throws {
        // What compressed stdin looks like: no suffix to go by.
        let gz = InputFixtures.write(bytes: InputFixtures.gzip(Array(jsonl.utf8)), name: "gz-stream")
        let zst = InputFixtures.write(bytes: InputFixtures.zstd(Array(jsonl.utf8)), name: "zst-stream")
        #expect(try ids(gz) == ["r1", "r2"])
        #expect(try ids(zst) == ["r1", "r2"])
    }

    @Test func largeStreamsAndProgress() throws {
        let text = bigJSONL()
        let bytes = Array(text.utf8)
        #expect(bytes.count > 3 << 20)
        for (name, data) in [("big.jsonl.gz", InputFixtures.gzip(bytes)), ("big.jsonl.zst", InputFixtures.zstd(bytes))] {
            let path = InputFixtures.write(bytes: data, name: name)
            let reader = try RecordReader(paths: [path], options: InputOptions())
            var count = 0
            var lastTokens: [String] = []
            while let record = try reader.next() {
                if record.id != "r\(count)" { Issue.record("\(name): record \(count) has id \(record.id)"); break }
                lastTokens = InputFixtures.tokens(record) ?? []
                count += 1
            }
            #expect(count == 60_000)
            #expect(lastTokens == ["AGE//\(59_999 % 90)", "DX//59999", "LAB//\(59_999 * 7)//Low"])
            #expect(reader.bytesRead == bytes.count)
        }
    }

    @Test func multiMemberGzipAndMultiFrameZstd() throws {
        let a = Array("{\"id\": \"a\", \"tokens\": [\"A\"]}\n".utf8)
        let b = Array("{\"id\": \"b\", \"tokens\": [\"B\"]}\n".utf8)
        let gz = InputFixtures.write(bytes: InputFixtures.gzip(a) + InputFixtures.gzip(b), name: "multi.jsonl.gz")
        let zst = InputFixtures.write(bytes: InputFixtures.zstd(a) + InputFixtures.zstd(b), name: "multi.jsonl.zst")
        #expect(try ids(gz) == ["a", "b"])
        #expect(try ids(zst) == ["a", "b"])
    }

    @Test func truncatedFilesAreErrorsNamingTheFile() throws {
        let bytes = Array(bigJSONL().utf8)
        let gzip = InputFixtures.gzip(bytes)
        let zstd = InputFixtures.zstd(bytes)
        let cases: [(String, [UInt8], String)] = [
            ("cut.jsonl.gz", Array(gzip.dropLast(4)), "truncated gzip data (unexpected end of file)"),
            ("cut-half.jsonl.gz", Array(gzip.prefix(gzip.count / 2)), "truncated gzip data (unexpected end of file)"),
            ("cut.jsonl.zst", Array(zstd.dropLast(3)), "truncated zstd data (unexpected end of file)"),
            ("cut-half.jsonl.zst", Array(zstd.prefix(zstd.count / 2)), "truncated zstd data (unexpected end of file)"),
            ("empty.jsonl.gz", [], "truncated gzip data (unexpected end of file)"),
            ("empty.jsonl.zst", [], "truncated zstd data (unexpected end of file)"),
        ]
        for (name, data, message) in cases {
            let path = InputFixtures.write(bytes: data, name: name)
            // Skipping does not apply: the rest of the file is unreadable.
            let error = InputFixtures.inputError([path], InputFixtures.options { $0.onError = .skip })
            #expect(error?.location.file == path, "\(name)")
            #expect(error?.message == message, "\(name)")
            #expect(MemscanError.input(error!.location, error!.message).description.hasPrefix(path + ": "))
        }
    }

    @Test func corruptDataIsAnError() throws {
        var gzip = InputFixtures.gzip(Array(jsonl.utf8))
        gzip[gzip.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        let gz = InputFixtures.write(bytes: gzip, name: "crc.jsonl.gz")
        #expect(InputFixtures.inputError([gz])?.message.hasPrefix("corrupt gzip data: ") == true)

        var zstd = InputFixtures.zstd(Array(jsonl.utf8))
        zstd[zstd.count - 2] ^= 0xFF  // inside the content checksum
        let zst = InputFixtures.write(bytes: zstd, name: "sum.jsonl.zst")
        #expect(InputFixtures.inputError([zst])?.message.hasPrefix("corrupt zstd data: ") == true)

        let garbage = InputFixtures.write(bytes: InputFixtures.gzip(Array(jsonl.utf8)) + Array("trailing".utf8), name: "tail.jsonl.gz")
        #expect(InputFixtures.inputError([garbage])?.message.hasPrefix("corrupt gzip data: ") == true)

        let notGzip = InputFixtures.write("{\"id\": 1}\n", name: "plain.jsonl.gz")
        #expect(InputFixtures.inputError([notGzip])?.message.hasPrefix("corrupt gzip data: ") == true)
    }

    @Test func compressedPipeIsDetectedByMagicBytes() throws {
        // stdin is read through the same descriptor source and sniffing; a pipe stands in for it.
        for payload in [InputFixtures.zstd(Array(jsonl.utf8)), InputFixtures.gzip(Array(jsonl.utf8)), Array(jsonl.utf8)] {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let writeEnd = fds[1]
            let writer = Thread {
                payload.withUnsafeBytes { _ = write(writeEnd, $0.baseAddress, $0.count) }
                close(writeEnd)
            }
            writer.start()
            let raw = FileDescriptorSource(descriptor: fds[0], closesDescriptor: true, displayName: "<stdin>")
            let source = try InputSourceOpener.decompressing(raw, path: "-", displayName: "<stdin>")
            let lines = LineReader(source: source, displayName: "<stdin>")
            var collected: [String] = []
            while let line = try lines.nextLine() { collected.append(String(decoding: line, as: UTF8.self)) }
            #expect(collected == ["{\"id\": \"r1\", \"tokens\": [\"A\", \"B\"]}", "{\"id\": \"r2\", \"text\": \"hello\"}"])
            #expect(lines.bytesConsumed == jsonl.utf8.count)
        }
    }
}
