import Testing
@testable import MemscanCore

/// Tokens of a text-mode string, with offsets as [start, end) pairs.
private func textTokens(_ input: String) -> [String] {
    Tokenizer(kind: .text).tokenize(.string(input)).strings
}

private func textOffsets(_ input: String) -> [[Int32]] {
    let list = Tokenizer(kind: .text).tokenize(.string(input))
    return zip(list.charStarts ?? [], list.charEnds ?? []).map { [$0, $1] }
}

/// Offsets are inside the original string, non-empty, and in order without overlap.
private func offsetsAreOrdered(_ input: String) -> Bool {
    let list = Tokenizer(kind: .text).tokenize(.string(input))
    guard let starts = list.charStarts, let ends = list.charEnds,
          starts.count == list.count, ends.count == list.count else { return false }
    let length = Int32(input.unicodeScalars.count)
    for i in 0 ..< list.count {
        guard starts[i] >= 0, starts[i] < ends[i], ends[i] <= length else { return false }
        if i > 0 && starts[i] < ends[i - 1] { return false }
    }
    return true
}

@Suite struct TokenizerTextTests {
    @Test func clinicalSentence() {
        let input = "Patient JOHN Smith, MRN 004512; BP 120/80."
        #expect(textTokens(input) == ["patient", "john", "smith", "mrn", "004512", "bp", "120", "80"])
        #expect(textOffsets(input)
            == [[0, 7], [8, 12], [13, 18], [20, 23], [24, 30], [32, 34], [35, 38], [39, 41]])
        let list = Tokenizer(kind: .text).tokenize(.string(input))
        #expect(list.charStarts == [0, 8, 13, 20, 24, 32, 35, 39])
        #expect(list.charEnds == [7, 12, 18, 23, 30, 34, 38, 41])
        #expect(list.ends == [7, 11, 16, 19, 25, 27, 30, 32])
    }

    @Test func fullwidthBecomesASCIIThroughNFKC() {
        let input = "Ｆｕｌｌｗｉｄｔｈ\u{3000}１２３"
        #expect(textTokens(input) == ["fullwidth", "123"])
        #expect(textOffsets(input) == [[0, 9], [10, 13]])
        #expect(textTokens("Ｆｕｌｌｗｉｄｔｈ １２３") == ["fullwidth", "123"])
    }

    @Test func ligaturesAndSuperscriptsExpand() {
        #expect(textTokens("ﬁle") == ["file"])
        #expect(textOffsets("ﬁle") == [[0, 3]])
        #expect(textTokens("Oﬃce x² ㎎") == ["office", "x2", "mg"])
        #expect(textOffsets("Oﬃce x² ㎎") == [[0, 4], [5, 7], [8, 9]])
    }

    @Test func unicodeDataIsPinned() {
        // Changing this changes text tokens: text indexes built before must be rebuilt.
        #expect(UnicodeTableData.unicodeVersion == "16.0")
        // Assigned in Unicode 17 (the toolchain's version), unknown to the pinned tables.
        #expect(textTokens("a\u{1ADD}b") == ["a", "b"])
    }

    @Test func fullCaseFolding() {
        // Full folding, not lowercasing: ß -> ss, final sigma -> sigma, ẞ -> ss.
        #expect(textTokens("Straße STRASSE straẞe") == ["strasse", "strasse", "strasse"])
        #expect(textOffsets("Straße") == [[0, 6]])
        #expect(textTokens("ΟΔΟΣ οδος") == ["οδοσ", "οδοσ"])
        #expect(textTokens("İ") == ["i\u{307}"])
        // CaseFolding.txt folds Cherokee small letters to the capitals.
        #expect(textTokens("\u{13A0} \u{AB70}") == ["\u{13A0}", "\u{13A0}"])
    }

    @Test func decomposedInputComposes() {
        #expect(textTokens("e\u{301}") == ["\u{E9}"])
        #expect(textOffsets("e\u{301}") == [[0, 2]])
        let list = Tokenizer(kind: .text).tokenize(.string("Cafe\u{301} au lait"))
        #expect(list.strings == ["caf\u{E9}", "au", "lait"])
        #expect(Array(list.bytes[0 ..< 5]) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
        #expect(list.charStarts == [0, 6, 9])
        #expect(list.charEnds == [5, 8, 13])
        // Precomposed and decomposed spellings give identical bytes.
        #expect(Tokenizer(kind: .text).tokenize(.string("R\u{E9}SUM\u{C9}")).bytes
            == Tokenizer(kind: .text).tokenize(.string("re\u{301}sume\u{301}")).bytes)
        // Reordering: dot below (220) goes before acute (230) whatever the input order.
        #expect(textTokens("a\u{301}\u{323}") == textTokens("a\u{323}\u{301}"))
        #expect(textTokens("a\u{301}\u{323}") == ["\u{1EA1}\u{301}"])
    }

    @Test func marksStayAfterLettersAndDropElsewhere() {
        // No precomposed x-acute: the mark stays in the token.
        #expect(textTokens("x\u{301}y") == ["x\u{301}y"])
        #expect(textOffsets("x\u{301}y") == [[0, 3]])
        // A mark after a separator is not a token.
        #expect(textTokens(" \u{301}x") == ["x"])
        #expect(textOffsets(" \u{301}x") == [[2, 3]])
        #expect(textTokens("\u{301}") == [])
    }

    @Test func halfwidthKatakanaComposesVoicingMarks() {
        // ｶﾞｰｾﾞ (gauze) -> ガーゼ; Foundation on Linux leaves カ + U+3099 here.
        #expect(textTokens("ｶﾞｰｾﾞ") == ["ガーゼ"])
        #expect(textTokens("ｶﾞｰｾﾞ") == textTokens("ガーゼ"))
        #expect(textOffsets("ｶﾞｰｾﾞ") == [[0, 5]])
    }

    @Test func hangulJamoCompose() {
        #expect(textTokens("\u{1100}\u{1161}\u{11A8}") == ["\u{AC01}"])
        #expect(textOffsets("\u{1100}\u{1161}\u{11A8}") == [[0, 3]])
        #expect(textTokens("\u{AC00}\u{11A8} 김민준") == ["\u{AC01}", "김민준"])
    }

    @Test func emojiAndPunctuationSeparate() {
        let input = "pain😀level!!!9/10🙂ok"
        #expect(textTokens(input) == ["pain", "level", "9", "10", "ok"])
        #expect(textOffsets(input) == [[0, 4], [5, 10], [13, 14], [15, 17], [18, 20]])
        #expect(textTokens("a👍🏽b a\u{200D}b (x) [y] {z} \"q\" <w>") == ["a", "b", "a", "b", "x", "y", "z", "q", "w"])
        #expect(textOffsets("a👍🏽b") == [[0, 1], [3, 4]])
        #expect(textTokens("a_b a-b a.b a'b a\u{AD}b") == ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"])
    }

    @Test func digitsStayInsideWords() {
        #expect(textTokens("covid19 COVID-19 2024-01-05 B12 10mg") == ["covid19", "covid", "19", "2024", "01", "05", "b12", "10mg"])
        #expect(textTokens("٣٤٥ ۱۲") == ["٣٤٥", "۱۲"])
    }

    @Test func oneCharacterCanBecomeSeveralTokens() {
        // NFKC turns ½ into 1 U+2044 2: both tokens come from one scalar and share its offsets.
        #expect(textTokens("dose ½ tab") == ["dose", "1", "2", "tab"])
        #expect(textOffsets("dose ½ tab") == [[0, 4], [5, 6], [5, 6], [7, 10]])
    }

    @Test func emptyAndWhitespaceOnlyGiveNoTokens() {
        for input in ["", " ", " \t\n\r ", "\u{3000}\u{A0}", "...!?", "😀🙂"] {
            let list = Tokenizer(kind: .text).tokenize(.string(input))
            #expect(list.count == 0)
            #expect(list.bytes == [])
            #expect(list.charStarts == [])
            #expect(list.charEnds == [])
        }
    }

    @Test func offsetsAreWithinTheStringAndIncreasing() {
        let inputs = [
            "Patient JOHN Smith, MRN 004512; BP 120/80.",
            "Ｆｕｌｌｗｉｄｔｈ １２３", "ﬁle", "Straße", "e\u{301}", "pain😀level!!!9/10🙂ok",
            "Cafe\u{301} naïve ÉCOLE ΟΔΟΣ ｶﾞｰｾﾞ 김민준 \u{1100}\u{1161}",
            "x\u{301}\u{301}\u{301}y \u{301}\u{301}z", "a\u{200D}b\u{FE0F}c", "e\u{301}\u{301}e",
            "ab\u{301}", "a\u{10FFFF}b\u{E000}c", "trailing e\u{301}",
        ]
        for input in inputs {
            #expect(offsetsAreOrdered(input), "\(input)")
        }
    }

    @Test func arrayInTextModeIsJoinedBySpaces() {
        let list = Tokenizer(kind: .text).tokenize(.tokens(TokenList(["Hello,", "WORLD", "e", "\u{301}x"])))
        // "Hello, WORLD e \u{301}x": the mark follows a space, so it is dropped.
        #expect(list.strings == ["hello", "world", "e", "x"])
        #expect(list.charStarts == [0, 7, 13, 16])
        #expect(list.charEnds == [5, 12, 14, 17])
        #expect(Tokenizer(kind: .text).tokenize(.tokens(TokenList())).count == 0)
    }

    @Test func longASCIIMatchesScalarByScalarReading() {
        // Exercises the fast path's run handling against a plain reference.
        let words = ["Pt", "seen", "on", "2023-04-01", "for", "HTN;", "BP=142/91,", "HR 88.", "Plan:", "lisinopril", "10MG", "qd"]
        var input = ""
        for i in 0 ..< 500 { input += words[i % words.count] + (i % 7 == 0 ? "\n" : " ") }
        var expected: [String] = [], current = ""
        for scalar in input.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0" ... "9").contains(scalar) {
                current += String(scalar).lowercased()
            } else if !current.isEmpty {
                expected.append(current)
                current = ""
            }
        }
        if !current.isEmpty { expected.append(current) }
        #expect(textTokens(input) == expected)
        #expect(offsetsAreOrdered(input))
    }
}
