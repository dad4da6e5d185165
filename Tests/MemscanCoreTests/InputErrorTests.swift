import Foundation
import Testing
@testable import MemscanCore

@Suite("Input: malformed input")
struct InputErrorTests {
    /// Writes `bad` as line 2 of a JSONL file between two good lines and returns the error.
    private func errorForLine(_ bad: String, _ options: InputOptions = InputOptions(),
                              sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String? {
        let path = InputFixtures.write(
            "{\"id\": \"ok1\", \"tokens\": [\"A\"]}\n" + bad + "\n{\"id\": \"ok3\", \"tokens\": [\"A\"]}\n",
            name: "bad.jsonl")
        guard let error = InputFixtures.inputError([path], options, sourceLocation: sourceLocation) else { return nil }
        #expect(error.location == MemscanCore.SourceLocation(file: path, line: 2), sourceLocation: sourceLocation)
        #expect(MemscanError.input(error.location, error.message).description.hasPrefix("\(path):2: "),
                sourceLocation: sourceLocation)
        return error.message
    }

    @Test func invalidJSONNamesTheByte() {
        #expect(errorForLine(#"{"id" "x", "tokens": ["A"]}"#) == "invalid JSON at byte 7: expected ':'")
        #expect(errorForLine(#"{"tokens": ["A",]}"#) == "invalid JSON at byte 17: expected a value")
        #expect(errorForLine(#"{"tokens": ["A"]"#) == "invalid JSON at byte 17: unexpected end of input, expected ',' or '}'")
        #expect(errorForLine(#"{"tokens": ["A"]} x"#) == "invalid JSON at byte 19: unexpected data after the JSON object")
        #expect(errorForLine(#"{"tokens": ["A], "id": 1}"#) == "invalid JSON at byte 19: expected ',' or ']'")
        #expect(errorForLine(#"{"tokens": ["A"], "n": 01}"#) == "invalid JSON at byte 25: expected ',' or '}'")
        #expect(errorForLine(#"{"tokens": ["A"], "n": 1.}"#) == "invalid JSON at byte 26: expected a digit after '.'")
        #expect(errorForLine(#"{"tokens": ["A"], "n": tru}"#) == "invalid JSON at byte 24: expected 'true'")
        #expect(errorForLine(#"{"tokens": ["A"], 'n': 1}"#) == "invalid JSON at byte 19: expected a string key")
    }

    @Test func invalidStringsAndEscapes() {
        #expect(errorForLine("{\"tokens\": [\"a\u{1}b\"]}") == "invalid JSON at byte 15: unescaped control character in string")
        #expect(errorForLine(#"{"tokens": ["\x"]}"#) == "invalid JSON at byte 14: invalid escape")
        #expect(errorForLine(#"{"tokens": ["\u12G4"]}"#) == #"invalid JSON at byte 14: invalid \u escape"#)
        #expect(errorForLine(#"{"tokens": ["\ud83d"]}"#) == #"invalid JSON at byte 14: unpaired surrogate \uD83D"#)
        #expect(errorForLine(#"{"tokens": ["\ude00x"]}"#) == #"invalid JSON at byte 14: unpaired surrogate \uDE00"#)
        #expect(errorForLine(#"{"tokens": ["abc"#) == "invalid JSON at byte 13: unterminated string")
    }

    @Test func invalidUTF8() {
        let path = InputFixtures.write(bytes: Array("{\"tokens\": [\"a".utf8) + [0xC3, 0x28] + Array("\"]}\n".utf8),
                                       name: "utf8.jsonl")
        let error = InputFixtures.inputError([path])
        #expect(error?.message == "invalid UTF-8 at byte 15")
        #expect(error?.location.line == 1)
        // Overlong encodings and surrogates are refused too.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let p = InputFixtures.write(bytes: Array("{\"text\": \"".utf8) + bad + Array("\"}".utf8), name: "u.jsonl")
            #expect(InputFixtures.inputError([p])?.message == "invalid UTF-8 at byte 11")
        }
    }

    @Test func notAnObject() {
        #expect(errorForLine(#"["A", "B"]"#) == "expected a JSON object, found array")
        #expect(errorForLine(#""just a string""#) == "expected a JSON object, found string")
        #expect(errorForLine("42") == "expected a JSON object, found number")
    }

    @Test func wrongFieldTypesNameTheField() {
        #expect(errorForLine(#"{"tokens": 5}"#) == "field 'tokens' must be an array of strings or a string, found number")
        #expect(errorForLine(#"{"tokens": {"a": 1}}"#) == "field 'tokens' must be an array of strings or a string, found object")
        #expect(errorForLine(#"{"tokens": ["A", 3, "B"]}"#) == "field 'tokens' must be an array of strings (element 1 is a number)")
        #expect(errorForLine(#"{"codes": [["A"]]}"#) == "field 'codes' must be an array of strings (element 0 is an array)")
        #expect(errorForLine(#"{"id": ["x"], "tokens": ["A"]}"#) == "field 'id' must be a string or a number, found array")
        #expect(errorForLine(#"{"id": true, "tokens": ["A"]}"#) == "field 'id' must be a string or a number, found boolean")
    }

    @Test func missingContentNamesTheFieldsTried() {
        #expect(errorForLine(#"{"id": "x", "tokens": null, "other": ["A"]}"#)
            == "no content field (tried tokens, event_tokens, codes, predicted_tokens, trajectory, text, generation)")
        #expect(errorForLine("{}") == "no content field (tried tokens, event_tokens, codes, predicted_tokens, trajectory, text, generation)")
        let textMode = InputFixtures.options { $0.preferText = true }
        #expect(errorForLine(#"{"id": "x"}"#, textMode)
            == "no content field (tried text, generation, tokens, event_tokens, codes, predicted_tokens, trajectory)")
    }

    @Test func badPromptFields() {
        let gen = InputFixtures.options { $0.readGenerationFields = true }
        #expect(errorForLine(#"{"tokens": ["A"], "prompt_length": -3}"#, gen)
            == "field 'prompt_length' must be a non-negative integer, found -3")
        #expect(errorForLine(#"{"tokens": ["A"], "prompt_length": 2.5}"#, gen)
            == "field 'prompt_length' must be a non-negative integer, found 2.5")
        #expect(errorForLine(#"{"tokens": ["A"], "prompt_length": "5"}"#, gen)
            == "field 'prompt_length' must be a non-negative integer, found string")
        #expect(errorForLine(#"{"tokens": ["A"], "prompt_length": 99999999999999999999999}"#, gen)
            == "field 'prompt_length' must be a non-negative integer, found 99999999999999999999999")
        #expect(errorForLine(#"{"tokens": ["A"], "prompt": 3}"#, gen)
            == "field 'prompt' must be an array of strings or a string, found number")
        #expect(errorForLine(#"{"tokens": ["A"], "prompt": ["A", null]}"#, gen)
            == "field 'prompt' must be an array of strings (element 1 is a null)")
        #expect(errorForLine(#"{"tokens": ["A"], "patient_id": {"x": 1}}"#, gen)
            == "field 'patient_id' must be a string or a number, found object")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let message = errorForLine("{\"tokens\": [\"A\"], \"x\": \(deep)}")
        #expect(message?.hasSuffix("nesting deeper than 512 levels") == true)
        // 500 levels are fine.
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let path = InputFixtures.write("{\"tokens\": [\"A\"], \"x\": \(ok)}\n", name: "ok.jsonl")
        #expect((try? InputFixtures.readAll([path]).count) == 1)
    }

    @Test func skipModeCountsAndContinues() throws {
        var lines: [String] = []
        for i in 1 ... 30 {
            lines.append(i % 2 == 0 ? "{\"id\": \"g\(i)\", \"tokens\": [\"A\"]}" : "{bad \(i)")
        }
        let path = InputFixtures.write(lines.joined(separator: "\n") + "\n", name: "skip.jsonl")
        let reader = try RecordReader(paths: [path], options: InputFixtures.options { $0.onError = .skip })
        var ids: [String] = []
        while let record = try reader.next() { ids.append(record.id) }
        #expect(ids == (1 ... 15).map { "g\($0 * 2)" })
        #expect(reader.skippedCount == 15)
        #expect(reader.skipMessages.count == 15)
        #expect(reader.skipMessages.first == "\(path):1: invalid JSON at byte 2: expected a string key")
        #expect(reader.skipMessages.last == "\(path):29: invalid JSON at byte 2: expected a string key")
    }

    @Test func skipMessagesKeepTheFirstTwenty() throws {
        let path = InputFixtures.write(String(repeating: "[1]\n", count: 50) + "{\"tokens\": [\"A\"]}\n", name: "many.jsonl")
        let reader = try RecordReader(paths: [path], options: InputFixtures.options { $0.onError = .skip })
        var records: [InputRecord] = []
        while let record = try reader.next() { records.append(record) }
        #expect(records.map(\.id) == ["51"])
        #expect(reader.skippedCount == 50)
        #expect(reader.skipMessages.count == 20)
        #expect(reader.skipMessages[19] == "\(path):20: expected a JSON object, found array")
    }

    @Test func missingFilesAndBadUsage() throws {
        let dir = InputFixtures.makeDirectory()
        let missing = dir.appendingPathComponent("nope.jsonl").path
        #expect(throws: MemscanError.io(path: missing, "no such file or directory")) {
            _ = try RecordReader(paths: [missing], options: InputOptions())
        }
        #expect(throws: MemscanError.self) {
            _ = try RecordReader(paths: ["-", "-"], options: InputOptions())
        }
        let file = InputFixtures.write("x\n", name: "a.txt", in: dir)
        let usage1 = #expect(throws: MemscanError.self) {
            _ = try RecordReader(paths: [file], options: InputFixtures.options { $0.format = .dir })
        }
        if case .usage(let message)? = usage1 { #expect(message.contains(file)) } else { Issue.record("expected usage error") }
        let usage2 = #expect(throws: MemscanError.self) {
            _ = try RecordReader(paths: [dir.path], options: InputFixtures.options { $0.format = .jsonl })
        }
        if case .usage(let message)? = usage2 { #expect(message.contains("is a directory")) } else { Issue.record("expected usage error") }
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        InputFixtures.write("not a note", name: "readme.md", in: empty)
        #expect(throws: MemscanError.io(path: empty.path, "no notes in the directory (a note is a .txt, .txt.gz or .txt.zst file)")) {
            let reader = try RecordReader(paths: [empty.path], options: InputOptions())
            _ = try reader.next()
        }
    }
}
