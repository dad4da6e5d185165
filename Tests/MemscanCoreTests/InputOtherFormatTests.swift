import Foundation
import Testing
@testable import MemscanCore

@Suite("Input: text, directories, MEDS")
struct InputOtherFormatTests {
    @Test func plainTextOneRecordPerLine() throws {
        let path = InputFixtures.write("first note\n\n  \nsecond\tnote\r\nthird", name: "notes.txt")
        let records = try InputFixtures.readAll([path], InputFixtures.options { $0.groupBy = ["x"] })
        #expect(records.map(\.id) == ["1", "4", "5"])
        #expect(records.map { InputFixtures.text($0) ?? "?" } == ["first note", "second\tnote", "third"])
        #expect(records.map(\.location.line) == [1, 4, 5])
        #expect(records[0].groups == [GroupValue(field: "x", json: "null")])
    }

    @Test func textFormatCanBeForced() throws {
        let path = InputFixtures.write("{\"not\": \"json for this reader\"}\n", name: "data.jsonl")
        let records = try InputFixtures.readAll([path], InputFixtures.options { $0.format = .text })
        #expect(records.map { InputFixtures.text($0) ?? "?" } == ["{\"not\": \"json for this reader\"}"])
    }

    @Test func directoryOfNotes() throws {
        let dir = InputFixtures.makeDirectory()
        InputFixtures.write("note B\nsecond line\n", name: "b.txt", in: dir)
        InputFixtures.write("note A", name: "a.txt", in: dir)
        InputFixtures.write("ignored", name: "readme.md", in: dir)
        InputFixtures.write("hidden", name: ".hidden.txt", in: dir)
        InputFixtures.write(bytes: InputFixtures.gzip(Array("compressed note".utf8)), name: "c.txt.gz", in: dir)
        InputFixtures.write(bytes: [0xEF, 0xBB, 0xBF] + Array("bom note".utf8), name: "D.txt", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub.txt"), withIntermediateDirectories: true)

        let reader = try RecordReader(paths: [dir.path], options: InputOptions())
        var records: [InputRecord] = []
        while let record = try reader.next() { records.append(record) }
        // Byte order of names: uppercase before lowercase.
        #expect(records.map(\.id) == ["D", "a", "b", "c"])
        #expect(records.map { InputFixtures.text($0) ?? "?" } == ["bom note", "note A", "note B\nsecond line\n", "compressed note"])
        #expect(records[2].location == MemscanCore.SourceLocation(file: dir.path + "/b.txt", line: 1))
        #expect(reader.bytesRead == 8 + 6 + 19 + 15)
    }

    @Test func directoryNoteWithInvalidUTF8() throws {
        let dir = InputFixtures.makeDirectory()
        InputFixtures.write(bytes: [0x61, 0xFF], name: "a.txt", in: dir)
        InputFixtures.write("fine", name: "b.txt", in: dir)
        let reader = try RecordReader(paths: [dir.path], options: InputFixtures.options { $0.onError = .skip })
        var ids: [String] = []
        while let record = try reader.next() { ids.append(record.id) }
        #expect(ids == ["b"])
        #expect(reader.skipMessages == ["\(dir.path)/a.txt:1: invalid UTF-8 at byte 2"])
    }

    @Test func medsOrdersByTimeThenFileOrder() throws {
        let dir = InputFixtures.makeDirectory()
        let first = InputFixtures.write("""
            subject_id,time,code,numeric_value
            s2,2020-01-02 10:00,LAB//1,5.0
            s1,2019-05-01,DX//B,
            s2, 2020-01-01 ,DX//A,
            s2,,AGE//53,
            s1,2019-05-01,DX//C,
            """, name: "part-0.csv", in: dir)
        let second = InputFixtures.write("""
            code,subject_id,time
            "MED//X, oral",s1,2019-01-01
            DX//Z,s3,
            LAB//2,s2,2020-01-02 10:00
            """, name: "part-1.csv", in: dir)
        let options = InputFixtures.options { $0.format = .meds }
        let records = try InputFixtures.readAll([first, second], options)
        #expect(records.map(\.id) == ["s2", "s1", "s3"])
        #expect(InputFixtures.tokens(records[0]) == ["AGE//53", "DX//A", "LAB//1", "LAB//2"])
        #expect(InputFixtures.tokens(records[1]) == ["MED//X, oral", "DX//B", "DX//C"])
        #expect(InputFixtures.tokens(records[2]) == ["DX//Z"])
        #expect(records[0].location == MemscanCore.SourceLocation(file: first, line: 2))
        #expect(records[2].location == MemscanCore.SourceLocation(file: second, line: 3))

        // A directory given with --format meds reads its CSV files in name order.
        let fromDirectory = try InputFixtures.readAll([dir.path], options)
        #expect(fromDirectory == records)
    }

    @Test func medsCustomColumnsAndNoTimeColumn() throws {
        let path = InputFixtures.write("person,event\np1,A\np2,B\np1,C\n", name: "events.csv")
        let options = InputFixtures.options {
            $0.format = .meds
            $0.medsSubjectField = "person"
            $0.medsCodeField = "event"
        }
        let records = try InputFixtures.readAll([path], options)
        #expect(records.map(\.id) == ["p1", "p2"])
        #expect(records.map { InputFixtures.tokens($0) ?? [] } == [["A", "C"], ["B"]])
    }

    @Test func medsErrors() throws {
        let noCode = InputFixtures.write("subject_id,time\ns1,2020\n", name: "nocode.csv")
        let error = InputFixtures.inputError([noCode], InputFixtures.options { $0.format = .meds })
        #expect(error?.location == MemscanCore.SourceLocation(file: noCode, line: 1))
        #expect(error?.message == "MEDS header has no 'code' column (columns: subject_id, time)")

        let badRows = InputFixtures.write("subject_id,time,code\ns1,1,A\n,2,B\ns1,3,\ns1,4\ns1,5,C\n", name: "rows.csv")
        let failing = InputFixtures.inputError([badRows], InputFixtures.options { $0.format = .meds })
        #expect(failing?.location == MemscanCore.SourceLocation(file: badRows, line: 3))
        #expect(failing?.message == "empty 'subject_id'")

        let reader = try RecordReader(paths: [badRows], options: InputFixtures.options {
            $0.format = .meds
            $0.onError = .skip
        })
        let record = try #require(try reader.next())
        #expect(InputFixtures.tokens(record) == ["A", "C"])
        #expect(try reader.next() == nil)
        #expect(reader.skipMessages == [
            "\(badRows):3: empty 'subject_id'",
            "\(badRows):4: empty 'code'",
            "\(badRows):5: expected 3 fields as in the header, found 2",
        ])
    }

    @Test func formatInference() {
        #expect(RecordReader.inferredFormat("a.jsonl") == .jsonl)
        #expect(RecordReader.inferredFormat("a.JSON") == .jsonl)
        #expect(RecordReader.inferredFormat("a.ndjson.zst") == .jsonl)
        #expect(RecordReader.inferredFormat("a.csv.gz") == .csv)
        #expect(RecordReader.inferredFormat("dir/a.TSV") == .tsv)
        #expect(RecordReader.inferredFormat("notes.txt.zst") == .text)
        #expect(RecordReader.inferredFormat("generations") == .jsonl)
        #expect(RecordReader.inferredFormat("x.parquet") == .jsonl)
    }
}
