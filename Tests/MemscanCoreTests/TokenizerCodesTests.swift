import Testing
@testable import MemscanCore

@Suite struct TokenizerCodesTests {
    let codes = Tokenizer(kind: .codes)

    @Test func kindsAreCodesAndText() {
        #expect(TokenizerKind.allCases == [.codes, .text])
        #expect(TokenizerKind(rawValue: "codes") == .codes)
        #expect(TokenizerKind(rawValue: "text") == .text)
        #expect(codes.kind == .codes)
    }

    @Test func arrayPassesThroughUnchanged() {
        let list = TokenList(["AGE//53", "lab//50912//low", "", "a b", "Ｆｕｌｌ"])
        let tokens = codes.tokenize(.tokens(list))
        #expect(tokens == list)
        #expect(tokens.strings == ["AGE//53", "lab//50912//low", "", "a b", "Ｆｕｌｌ"])
        #expect(tokens.charStarts == nil)
    }

    @Test func stringSplitsOnEveryASCIIWhitespace() {
        let input = "  AGE//53 \t DIAGNOSIS//0030\n\nLAB//50912//Low\r\nTIME//2\u{0B}X\u{0C}Y  "
        let tokens = codes.tokenize(.string(input))
        #expect(tokens.strings == ["AGE//53", "DIAGNOSIS//0030", "LAB//50912//Low", "TIME//2", "X", "Y"])
        #expect(tokens.ends == [7, 22, 37, 44, 45, 46])
        #expect(tokens.charStarts == nil)
        #expect(tokens.charEnds == nil)
    }

    @Test func codesAreByteExact() {
        let input = "LAB//50912//Low lab//50912//low LAB//50912//LOW Ｆｕｌｌ ﬁle e\u{301} \u{E9}"
        #expect(codes.tokenize(.string(input)).strings
            == ["LAB//50912//Low", "lab//50912//low", "LAB//50912//LOW", "Ｆｕｌｌ", "ﬁle", "e\u{301}", "\u{E9}"])
        let bytes = codes.tokenize(.string("e\u{301} \u{E9}")).bytes
        #expect(bytes == [0x65, 0xCC, 0x81, 0xC3, 0xA9])
    }

    @Test func nonASCIISpacesAreNotSeparators() {
        // NBSP, ideographic space and U+2028 belong to the code: a different code was emitted.
        let tokens = codes.tokenize(.string("A\u{A0}B C\u{3000}D E\u{2028}F"))
        #expect(tokens.strings == ["A\u{A0}B", "C\u{3000}D", "E\u{2028}F"])
    }

    @Test func emptyAndWhitespaceOnlyGiveNoTokens() {
        #expect(codes.tokenize(.string("")) == TokenList())
        #expect(codes.tokenize(.string(" \t\n\r\u{0B}\u{0C} ")) == TokenList())
        #expect(codes.tokenize(.tokens(TokenList())) == TokenList())
    }
}
