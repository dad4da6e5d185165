import Foundation
import Testing
@testable import MemscanCore

@Suite("JSON writer")
struct JSONWriterTests {
    /// Every string, plain (copied whole) or needing escapes (written a byte at a time),
    /// reads back as itself through an independent JSON parser.
    @Test("strings round-trip through JSONSerialization")
    func stringsRoundTrip() throws {
        var strings = ["", "plain", "DIAGNOSIS//F11.20", "naïve café ✓", "tab\there", "quote\"inside", "back\\slash",
                       "line\nbreak", "cr\rlf", "\u{7F} and \u{80}"]
        strings += (0 ..< 0x20).map { "c\(String(UnicodeScalar(UInt8($0))))c" }
        var rng = SplitMix64(seed: 0x4A53_5752)
        let alphabet = Array("ab\"\\\n\t\u{01}é✓ ")
        for _ in 0 ..< 200 { strings.append(String((0 ..< rng.int(0 ... 12)).map { _ in alphabet[rng.int(0 ... alphabet.count - 1)] })) }
        var json = JSONWriter()
        json.beginObject()
        for (i, s) in strings.enumerated() { json.field(s.isEmpty ? "empty\(i)" : "k\(i)\(s)", s) }
        json.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String])
        #expect(object.count == strings.count)
        for (i, s) in strings.enumerated() {
            #expect(object[s.isEmpty ? "empty\(i)" : "k\(i)\(s)"] == s, "string \(i): \(s.debugDescription)")
            // The same escaping as a literal on its own (the summary reader's compact text).
            let literal = try JSONSerialization.jsonObject(with: Data(JSONWriter.quoted(s).utf8), options: .fragmentsAllowed)
            #expect(literal as? String == s, "quoted string \(i): \(s.debugDescription)")
        }
    }
}
