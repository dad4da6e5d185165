import Testing
@testable import MemscanCore

@Suite("Input: JSON scanner")
struct InputJSONScannerTests {
    /// Skips one value and returns where the scanner stopped, or the error message.
    private func skip(_ text: String) -> Result<Int, JSONSyntaxError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do throws(JSONSyntaxError) {
                try scanner.skipValue()
                return .success(scanner.position)
            } catch {
                return .failure(error)
            }
        }
    }

    private func canonical(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            var out: [UInt8] = []
            guard (try? scanner.appendCanonical(to: &out)) != nil else { return nil }
            return String(decoding: out, as: UTF8.self)
        }
    }

    @Test func numbersFollowTheGrammar() throws {
        for valid in ["0", "-0", "12", "-12.50", "1e5", "1E+5", "2.5e-3", "0.0"] {
            #expect(try skip(valid).get() == valid.utf8.count, "\(valid)")
        }
        // The scanner stops where the number ends; the caller sees what follows.
        #expect(try skip("01").get() == 1)
        for invalid in ["-", "+1", ".5", "1.", "1e", "1e+", "-a"] {
            #expect((try? skip(invalid).get()) == nil, "\(invalid)")
        }
    }

    @Test func skipsNestedValuesAndLongStrings() throws {
        let long = String(repeating: "abcdefgh", count: 100) + "\\\"é" + String(repeating: "x", count: 13)
        let text = #"{"a": [1, {"b": null, "c": [true, false]}, "\#(long)"], "d": {}} trailing"#
        #expect(try skip(text).get() == text.utf8.count - " trailing".utf8.count)
    }

    @Test func stringStopsAtEveryPositionOfAWord() throws {
        // The eight-byte scan must find a quote, backslash or control byte at any offset.
        for offset in 0 ..< 17 {
            let prefix = String(repeating: "a", count: offset)
            #expect(try skip("\"\(prefix)\" ").get() == offset + 2)
            #expect(try skip("\"\(prefix)\\n\(prefix)\"").get() == 2 * offset + 4)
            let bytes = Array("\"\(prefix)\u{1F}xxxxxxxxxxxx\"".utf8)
            let error = bytes.withUnsafeBufferPointer { buffer -> JSONSyntaxError? in
                var scanner = JSONScanner(buffer)
                do throws(JSONSyntaxError) { try scanner.skipValue(); return nil } catch { return error }
            }
            #expect(error?.offset == offset + 1)
        }
    }

    @Test func canonicalReEncoding() {
        #expect(canonical(#" { "b" : [ 1 , 2e3 ] , "a\u0041" : "x\/y\u00e9" } "#.trimmingPrefixSpaces) == #"{"b":[1,2e3],"aA":"x/yé"}"#)
        #expect(canonical(#""\u0001\n\"""#) == #""\u0001\n\"""#)
        #expect(canonical("[]") == "[]")
        #expect(canonical("null") == "null")
        #expect(canonical("[1,]") == nil)
    }

    @Test func readsDecodedStrings() throws {
        let bytes = Array(#""a\u00e9\ud83d\ude00\t""#.utf8)
        let value = try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) -> String in
            var scanner = JSONScanner(buffer)
            var scratch: [UInt8] = []
            return try scanner.readString(scratch: &scratch)
        }
        #expect(value == "aé😀\t")
    }
}

private extension String {
    var trimmingPrefixSpaces: String { String(drop { $0 == " " }) }
}
