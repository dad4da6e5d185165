import Foundation
import Testing
@testable import MemscanCore

@Suite("Input: CSV and TSV")
struct InputCSVTests {
    @Test func quotingRulesOfRFC4180() throws {
        let path = InputFixtures.write(
            "id,text,extra\r\n"
                + "a,plain text,1\r\n"
                + "\"b\",\"with, comma\",2\r\n"
                + "c,\"say \"\"hi\"\"\",3\r\n"
                + "d,\"two\r\nlines\nthree\",4\r\n"
                + "e,,5\r\n"
                + "f,it's 5\" tall,6",
            name: "notes.csv")
        let records = try InputFixtures.readAll([path], InputFixtures.options { $0.preferText = true })
        #expect(records.map(\.id) == ["a", "b", "c", "d", "e", "f"])
        #expect(records.map { InputFixtures.text($0) ?? "?" }
            == ["plain text", "with, comma", "say \"hi\"", "two\nlines\nthree", "", "it's 5\" tall"])
        #expect(records.map(\.location.line) == [2, 3, 4, 5, 8, 9])
    }

    @Test func contentCellIsAlwaysAString() throws {
        let path = InputFixtures.write("subject_id,tokens\n7,AGE//53 DX//1\n", name: "codes.csv")
        let record = try #require(try InputFixtures.readAll([path]).first)
        #expect(record.id == "7")
        #expect(record.content == .string("AGE//53 DX//1"))
    }

    @Test func idFallsBackToDataRowNumber() throws {
        let path = InputFixtures.write("text\nfirst\n\nsecond\n\"multi\nline\"\nlast\n", name: "noid.csv")
        let records = try InputFixtures.readAll([path])
        #expect(records.map(\.id) == ["1", "2", "3", "4"])
        #expect(records.map(\.location.line) == [2, 4, 5, 7])
        // An empty id cell counts as missing.
        let path2 = InputFixtures.write("id,note_id,text\n,n1,x\n,,y\n", name: "emptyid.csv")
        #expect(try InputFixtures.readAll([path2]).map(\.id) == ["n1", "2"])
    }

    @Test func tsvAndHeaderSpacesAndBOM() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id\t text \tgroup\nr1\thello, world\tA\nr2\t\"quoted\ttab\"\tB\n".utf8)
        let path = InputFixtures.write(bytes: bytes, name: "notes.tsv")
        let records = try InputFixtures.readAll([path], InputFixtures.options { $0.groupBy = ["group", "missing"] })
        #expect(records.map(\.id) == ["r1", "r2"])
        #expect(records.map { InputFixtures.text($0) ?? "?" } == ["hello, world", "quoted\ttab"])
        #expect(records[1].groups == [GroupValue(field: "group", json: "\"B\""), GroupValue(field: "missing", json: "null")])
    }

    @Test func generationColumns() throws {
        let path = InputFixtures.write(#"""
            id,patient_id,prompt,prompt_length,generation,experiment
            g1,p1,A B,,A B C,"exp ""1"""
            g2,,,2,A B C,exp2
            g3,p3,,,A B C,
            """#, name: "gens.csv")
        let options = InputFixtures.options {
            $0.readGenerationFields = true
            $0.groupBy = ["experiment"]
        }
        let records = try InputFixtures.readAll([path], options)
        #expect(records.map(\.id) == ["g1", "g2", "g3"])
        #expect(records.map(\.prompt) == [.content(.string("A B")), .length(2), nil])
        #expect(records.map(\.patientID) == ["p1", nil, "p3"])
        #expect(records.map { $0.groups[0].json } == ["\"exp \\\"1\\\"\"", "\"exp2\"", "\"\""])
        #expect(InputFixtures.text(records[0]) == "A B C")
    }

    @Test func badPromptLength() {
        let path = InputFixtures.write("id,prompt_length,tokens\ng1,two,A B\n", name: "bad.csv")
        let error = InputFixtures.inputError([path], InputFixtures.options { $0.readGenerationFields = true })
        #expect(error?.location == MemscanCore.SourceLocation(file: path, line: 2))
        #expect(error?.message == "field 'prompt_length' must be a non-negative integer, found \"two\"")
    }

    @Test func wrongColumnCount() {
        let path = InputFixtures.write("id,text\na,one\nb,two,extra\n", name: "cols.csv")
        let error = InputFixtures.inputError([path])
        #expect(error?.location == MemscanCore.SourceLocation(file: path, line: 3))
        #expect(error?.message == "expected 2 fields as in the header, found 3")
    }

    @Test func unterminatedQuoteAtEndOfFile() {
        let path = InputFixtures.write("id,text\na,one\nb,\"never\nclosed\n", name: "unterminated.csv")
        let error = InputFixtures.inputError([path])
        #expect(error?.location == MemscanCore.SourceLocation(file: path, line: 3))
        #expect(error?.message == "unterminated quoted field in column 2")
    }

    @Test func characterAfterClosingQuote() {
        let path = InputFixtures.write("id,text\na,\"one\"x\n", name: "junk.csv")
        let error = InputFixtures.inputError([path])
        #expect(error?.location == MemscanCore.SourceLocation(file: path, line: 2))
        #expect(error?.message == "unexpected character after the closing quote of column 2")
    }

    @Test func invalidUTF8InACell() {
        let path = InputFixtures.write(bytes: Array("id,text\na,ok\nb,x".utf8) + [0xFF] + [0x0A], name: "utf8.csv")
        let error = InputFixtures.inputError([path])
        #expect(error?.location == MemscanCore.SourceLocation(file: path, line: 3))
        #expect(error?.message == "invalid UTF-8 in column 2")
    }

    @Test func headerWithoutContentColumnIsRefusedEvenWhenSkipping() {
        let path = InputFixtures.write("id,body\na,text\n", name: "nocontent.csv")
        let error = InputFixtures.inputError([path], InputFixtures.options { $0.onError = .skip })
        #expect(error?.location == MemscanCore.SourceLocation(file: path, line: 1))
        #expect(error?.message == "header has no content column (tried tokens, event_tokens, codes, predicted_tokens, trajectory, text, generation)")
    }

    @Test func skipModeContinuesAfterBadRows() throws {
        let path = InputFixtures.write("id,text\na,one\nb,two,3\nc,\"x\"y\nd,four\n", name: "skip.csv")
        let reader = try RecordReader(paths: [path], options: InputFixtures.options { $0.onError = .skip })
        var ids: [String] = []
        while let record = try reader.next() { ids.append(record.id) }
        #expect(ids == ["a", "d"])
        #expect(reader.skippedCount == 2)
        #expect(reader.skipMessages == [
            "\(path):3: expected 2 fields as in the header, found 3",
            "\(path):4: unexpected character after the closing quote of column 2",
        ])
    }

    @Test func emptyFileHasNoRecords() throws {
        let path = InputFixtures.write("", name: "empty.csv")
        #expect(try InputFixtures.readAll([path]).isEmpty)
    }
}
