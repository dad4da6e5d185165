import Foundation
import Testing
@testable import MemscanCore

@Suite("Input: JSONL")
struct InputJSONLTests {
    @Test func readsTokensAndTextWithIDs() throws {
        let path = InputFixtures.write("""
            {"id": "r1", "tokens": ["AGE//53", "DIAGNOSIS//0030", "LAB//50912//Low"]}
            {"id": 42, "text": "Patient seen on 2020-01-01."}
            {"id": -1.5e3, "tokens": []}
            """, name: "records.jsonl")
        let records = try InputFixtures.readAll([path])
        #expect(records.count == 3)
        #expect(records.map(\.id) == ["r1", "42", "-1.5e3"])
        #expect(InputFixtures.tokens(records[0]) == ["AGE//53", "DIAGNOSIS//0030", "LAB//50912//Low"])
        #expect(InputFixtures.text(records[1]) == "Patient seen on 2020-01-01.")
        #expect(InputFixtures.tokens(records[2]) == [])
        #expect(records.map(\.location.line) == [1, 2, 3])
        #expect(records[0].location.file == path)
        #expect(records[0].prompt == nil && records[0].patientID == nil && records[0].groups.isEmpty)
    }

    @Test func tokenListIsFilledDirectly() throws {
        let path = InputFixtures.write(#"{"tokens": ["A", "BC", ""]}"# + "\n", name: "t.jsonl")
        let record = try #require(try InputFixtures.readAll([path]).first)
        guard case .tokens(let list) = record.content else {
            Issue.record("expected tokens")
            return
        }
        #expect(list.bytes == Array("ABC".utf8))
        #expect(list.ends == [1, 3, 3])
        #expect(list.charStarts == nil)
    }

    @Test("token arrays: the fast path for plain strings and the general parser agree with JSONSerialization")
    func tokenArraysMatchFoundation() throws {
        var rng = SplitMix64(seed: 0x4A53_4F4E)
        let pieces = ["DIAGNOSIS//E11.9", "LAB//50912//Low", "", "a", "\\\"quoted\\\"", "tab\\tnewline\\n", "caf\\u00e9",
                      "snow\u{2603}man", "slash\\/", "long-token-\(String(repeating: "x", count: 40))"]
        let spaces = ["", " ", "  ", "\t", " \t "]
        var lines: [String] = []
        for n in 0 ..< 200 {
            // Long arrays (past the first buffer of 1024 strings) now and then.
            let count = n % 50 == 0 ? 1500 + rng.int(0 ... 800) : rng.int(0 ... 40)
            let elements = (0 ..< count).map { _ in
                "\"" + (rng.chance(0.9) ? pieces[rng.int(0 ... 3)] : pieces[rng.int(0 ... pieces.count - 1)]) + "\""
            }
            let gap = { spaces[rng.int(0 ... spaces.count - 1)] }
            let array = "[" + gap() + elements.map { $0 + gap() }.joined(separator: "," + gap()) + "]"
            lines.append("{\"id\": \"g\(n)\", \"tokens\":" + gap() + array + gap() + "}")
        }
        let path = InputFixtures.write(lines.joined(separator: "\n"), name: "arrays.jsonl")
        let records = try InputFixtures.readAll([path])
        #expect(records.count == lines.count)
        for (line, record) in zip(lines, records) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let expected = try #require(object["tokens"] as? [String])
            #expect(InputFixtures.tokens(record) == expected, "\(record.id)")
        }
    }

    @Test func idFallsBackToLineNumberAndBlankLinesAreSkipped() throws {
        let path = InputFixtures.write(
            "{\"tokens\": [\"A\"]}\n\n   \t\n{\"tokens\": [\"B\"]}\n\n{\"tokens\": [\"C\"]}",
            name: "noid.jsonl")
        let reader = try RecordReader(paths: [path], options: InputOptions())
        var records: [InputRecord] = []
        while let record = try reader.next() { records.append(record) }
        #expect(records.map(\.id) == ["1", "4", "6"])
        #expect(records.map(\.location.line) == [1, 4, 6])
        #expect(reader.skippedCount == 0)
    }

    @Test func idFieldPriorityAndNullFallsThrough() throws {
        let path = InputFixtures.write("""
            {"note_id": "n1", "subject_id": 7, "tokens": ["A"]}
            {"id": null, "person_id": "p9", "tokens": ["A"]}
            {"id": "x", "subject_id": "y", "tokens": ["A"]}
            """, name: "ids.jsonl")
        let records = try InputFixtures.readAll([path])
        #expect(records.map(\.id) == ["7", "p9", "x"])
    }

    @Test func contentFieldPriorityFollowsMode() throws {
        let path = InputFixtures.write("""
            {"text": "free text", "codes": ["C1", "C2"]}
            {"tokens": null, "generation": "gen text", "trajectory": ["T"]}
            {"tokens": ["first"], "event_tokens": ["second"]}
            """, name: "prio.jsonl")
        let codes = try InputFixtures.readAll([path])
        #expect(InputFixtures.tokens(codes[0]) == ["C1", "C2"])
        #expect(InputFixtures.tokens(codes[1]) == ["T"])
        #expect(InputFixtures.tokens(codes[2]) == ["first"])

        let text = try InputFixtures.readAll([path], InputFixtures.options { $0.preferText = true })
        #expect(InputFixtures.text(text[0]) == "free text")
        #expect(InputFixtures.text(text[1]) == "gen text")
        #expect(InputFixtures.tokens(text[2]) == ["first"])
    }

    @Test func customFieldNames() throws {
        let path = InputFixtures.write(#"{"mrn": "m1", "events": ["X", "Y"], "tokens": ["no"]}"# + "\n", name: "custom.jsonl")
        let options = InputFixtures.options {
            $0.idFields = ["mrn"]
            $0.tokenFields = ["events"]
        }
        let record = try #require(try InputFixtures.readAll([path], options).first)
        #expect(record.id == "m1")
        #expect(InputFixtures.tokens(record) == ["X", "Y"])
    }

    @Test func lowerPriorityFieldOfWrongTypeIsIgnored() throws {
        let path = InputFixtures.write(#"{"text": 5, "tokens": ["A"]}"# + "\n", name: "ignored.jsonl")
        let record = try #require(try InputFixtures.readAll([path]).first)
        #expect(InputFixtures.tokens(record) == ["A"])
    }

    @Test func duplicateKeysKeepTheFirstValue() throws {
        let path = InputFixtures.write(#"{"id": "a", "id": "b", "tokens": ["X"], "tokens": ["Y"]}"# + "\n", name: "dup.jsonl")
        let record = try #require(try InputFixtures.readAll([path]).first)
        #expect(record.id == "a")
        #expect(InputFixtures.tokens(record) == ["X"])
    }

    @Test func generationFields() throws {
        let path = InputFixtures.write("""
            {"id": "g1", "patient_id": "p1", "prompt": ["A", "B"], "tokens": ["A", "B", "C"]}
            {"patient_id": 17, "prompt": "A B", "tokens": ["A", "B", "C"]}
            {"id": "g3", "prompt_length": 2, "tokens": ["A", "B", "C"]}
            {"id": "g4", "prompt": null, "prompt_length": 0, "patient_id": null, "tokens": ["A"]}
            {"id": "g5", "tokens": ["A"]}
            """, name: "gens.jsonl")
        let records = try InputFixtures.readAll([path], InputFixtures.options { $0.readGenerationFields = true })
        #expect(records.map(\.id) == ["g1", "2", "g3", "g4", "g5"])
        #expect(records[0].prompt == .content(.tokens(TokenList(["A", "B"]))))
        #expect(records[0].patientID == "p1")
        #expect(records[1].prompt == .content(.string("A B")))
        #expect(records[1].patientID == "17")
        #expect(records[2].prompt == .length(2))
        #expect(records[3].prompt == .length(0))
        #expect(records[3].patientID == nil)
        #expect(records[4].prompt == nil)
    }

    @Test func patientIsAnIDWhenReadingTrainingRecords() throws {
        let path = InputFixtures.write(#"{"patient_id": "p1", "prompt": 5, "tokens": ["A"]}"# + "\n", name: "train.jsonl")
        let record = try #require(try InputFixtures.readAll([path]).first)
        #expect(record.id == "p1")
        #expect(record.prompt == nil && record.patientID == nil)
    }

    @Test func groupByValuesAreCanonicalJSON() throws {
        let path = InputFixtures.write("""
            {"tokens": ["A"], "experiment": "exp1", "prompt_level": 10, "meta": { "a" : [ 1, 2.50 , {"b": null} ] , "c": "\\u00e9\\/x" }, "flag": true, "note": "tab\\there \\"q\\"", "list": [ ]}
            """ + "\n", name: "groups.jsonl")
        let options = InputFixtures.options { $0.groupBy = ["experiment", "prompt_level", "meta", "flag", "note", "list", "absent"] }
        let record = try #require(try InputFixtures.readAll([path], options).first)
        #expect(record.groups == [
            GroupValue(field: "experiment", json: "\"exp1\""),
            GroupValue(field: "prompt_level", json: "10"),
            GroupValue(field: "meta", json: "{\"a\":[1,2.50,{\"b\":null}],\"c\":\"é/x\"}"),
            GroupValue(field: "flag", json: "true"),
            GroupValue(field: "note", json: "\"tab\\there \\\"q\\\"\""),
            GroupValue(field: "list", json: "[]"),
            GroupValue(field: "absent", json: "null"),
        ])
    }

    @Test func groupByFieldMayAlsoBeTheID() throws {
        let path = InputFixtures.write(#"{"id": "r1", "tokens": ["A"]}"# + "\n", name: "gid.jsonl")
        let record = try #require(try InputFixtures.readAll([path], InputFixtures.options { $0.groupBy = ["id"] }).first)
        #expect(record.id == "r1")
        #expect(record.groups == [GroupValue(field: "id", json: "\"r1\"")])
    }

    @Test func escapesAndUnicode() throws {
        let line = #"{"id": "\u0041\u00e9", "tokens": ["q\"b\\s\/", "\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "é中😀", "\u0000"], "t\u0065xt": "no"}"#
        let path = InputFixtures.write(line + "\n", name: "esc.jsonl")
        let record = try #require(try InputFixtures.readAll([path]).first)
        #expect(record.id == "Aé")
        #expect(InputFixtures.tokens(record) == ["q\"b\\s/", "\u{8}\u{c}\n\r\t", "é中", "😀", "é中😀", "\u{0}"])
    }

    @Test func escapedKeysAreMatched() throws {
        let path = InputFixtures.write(#"{"\u0069d": "esc", "t\u006fkens": ["A"]}"# + "\n", name: "keys.jsonl")
        let record = try #require(try InputFixtures.readAll([path]).first)
        #expect(record.id == "esc")
        #expect(InputFixtures.tokens(record) == ["A"])
    }

    @Test func crlfAndByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"id\": \"a\", \"tokens\": [\"X\"]}\r\n\r\n{\"id\": \"b\", \"text\": \"y\"}\r\n".utf8)
        let path = InputFixtures.write(bytes: bytes, name: "crlf.jsonl")
        let records = try InputFixtures.readAll([path])
        #expect(records.map(\.id) == ["a", "b"])
        #expect(InputFixtures.text(records[1]) == "y")
        #expect(records[1].location.line == 3)
    }

    @Test func manyLinesAcrossReadChunksAndOneHugeLine() throws {
        // Enough data to cross the 1 MiB read size several times, plus a 3 MiB line that
        // forces the line buffer to grow.
        var text = ""
        let filler = String(repeating: "x", count: 900)
        for i in 0 ..< 4000 { text += "{\"id\": \"r\(i)\", \"tokens\": [\"T\(i)\", \"\(filler)\"]}\n" }
        let huge = (0 ..< 300_000).map { "C\($0 % 1000)" }
        text += "{\"id\": \"huge\", \"tokens\": [" + huge.map { "\"\($0)\"" }.joined(separator: ",") + "]}\n"
        text += "{\"id\": \"last\", \"tokens\": [\"Z\"]}"
        let path = InputFixtures.write(text, name: "big.jsonl")
        let reader = try RecordReader(paths: [path], options: InputOptions())
        var count = 0
        var hugeTokens: [String] = []
        var lastID = ""
        while let record = try reader.next() {
            if count < 4000 {
                #expect(record.id == "r\(count)")
                if InputFixtures.tokens(record)?.first != "T\(count)" { Issue.record("bad record \(count)") }
            }
            if record.id == "huge" { hugeTokens = InputFixtures.tokens(record) ?? [] }
            lastID = record.id
            count += 1
        }
        #expect(count == 4002)
        #expect(hugeTokens == huge)
        #expect(lastID == "last")
        #expect(reader.bytesRead == text.utf8.count)
    }

    @Test func multipleFilesInOrderWithMixedFormats() throws {
        let dir = InputFixtures.makeDirectory()
        let a = InputFixtures.write(#"{"id": "a1", "tokens": ["A"]}"# + "\n", name: "a.jsonl", in: dir)
        let b = InputFixtures.write("id,text\nb1,hello\n", name: "b.csv", in: dir)
        let c = InputFixtures.write("first line\nsecond line\n", name: "c.txt", in: dir)
        let records = try InputFixtures.readAll([a, b, c])
        #expect(records.map(\.id) == ["a1", "b1", "1", "2"])
        #expect(records.map(\.location.file) == [a, b, c, c])
        #expect(InputFixtures.text(records[3]) == "second line")
    }
}
