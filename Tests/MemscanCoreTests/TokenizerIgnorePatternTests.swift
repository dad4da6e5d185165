import Testing
@testable import MemscanCore

@Suite struct TokenizerIgnorePatternTests {
    private func matches(_ pattern: IgnorePattern, _ token: String) -> Bool {
        Array(token.utf8).withUnsafeBytes { pattern.matches($0) }
    }

    @Test func anchoredPatternMatchesOnlyAtTokenStart() throws {
        let pattern = try IgnorePattern("^TIME//")
        #expect(pattern.source == "^TIME//")
        #expect(matches(pattern, "TIME//2"))
        #expect(matches(pattern, "TIME//"))
        #expect(!matches(pattern, "X TIME//"))
        #expect(!matches(pattern, "time//2"))
        #expect(!matches(pattern, "AGE//53"))
        #expect(!matches(pattern, ""))
    }

    @Test func unanchoredPatternSearchesLikeGrep() throws {
        let pattern = try IgnorePattern("//(Low|High)$")
        #expect(matches(pattern, "LAB//50912//Low"))
        #expect(matches(pattern, "LAB//1//High"))
        #expect(!matches(pattern, "LAB//50912//Lower"))
        #expect(!matches(pattern, "LAB//50912"))
    }

    @Test func tokensInsideTheSharedBufferAreBoundedByTheirOwnBytes() throws {
        // Token bytes sit back to back in one buffer, with no NUL after any of them.
        let list = TokenList(["AGE//53", "TIME//2", "XTIME//", "TIME//2"])
        let exact = try IgnorePattern("^TIME//2$")
        let anchored = try IgnorePattern("^TIME//")
        let exactResults = (0 ..< list.count).map { i in list.withTokenBytes(i) { exact.matches($0) } }
        let anchoredResults = (0 ..< list.count).map { i in list.withTokenBytes(i) { anchored.matches($0) } }
        #expect(exactResults == [false, true, false, true])
        #expect(anchoredResults == [false, true, false, true])
    }

    @Test func emptyTokenAndEmbeddedNulBytes() throws {
        let empty = try IgnorePattern("^$")
        #expect(empty.matches(UnsafeRawBufferPointer(start: nil, count: 0)))
        #expect(!matches(empty, "A"))
        let afterNul = try IgnorePattern("B$")
        #expect(matches(afterNul, "A\u{0}B"))
    }

    @Test func invalidRegexIsAUsageErrorNamingThePattern() {
        #expect(throws: MemscanError.self) { try IgnorePattern("a(") }
        do {
            _ = try IgnorePattern("a(")
            Issue.record("no error thrown")
        } catch let error as MemscanError {
            #if os(Linux)
            #expect(error == .usage("--ignore: invalid regular expression 'a(': Unmatched ( or \\("))
            #else
            #expect(error.description.hasPrefix("--ignore: invalid regular expression 'a(': "))
            #endif
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: MemscanError.usage("--ignore: invalid regular expression 'x\u{0}y': it contains a NUL character")) {
            try IgnorePattern("x\u{0}y")
        }
    }
}
