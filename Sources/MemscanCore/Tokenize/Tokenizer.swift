/// Which tokenizer an index was built with (§2); stored in the index so a scan cuts
/// generations exactly as the records were cut.
public enum TokenizerKind: String, Sendable, CaseIterable {
    /// Structured EHR codes (`AGE//53`, `LAB//50912//Low`), compared byte-exactly.
    case codes
    /// Clinical notes: NFKC, case-folded, runs of letters and digits.
    case text
}

/// Turns record or generation content into tokens.
public struct Tokenizer: Sendable {
    public let kind: TokenizerKind

    public init(kind: TokenizerKind) {
        self.kind = kind
    }

    /// Codes mode: an array passes through unchanged and a string is split on ASCII whitespace,
    /// without any normalization.
    ///
    /// Text mode: a string becomes the maximal runs of letters and digits of its NFKC, fully
    /// case-folded form (marks right after a letter or digit stay in the token); everything
    /// else separates tokens. Token bytes are UTF-8; `charStarts`/`charEnds` are always set
    /// (empty when there are no tokens) and count Unicode scalars of the original string,
    /// end-exclusive. An array is read as its elements joined by single spaces, and the
    /// offsets then refer to that joined string.
    public func tokenize(_ content: RecordContent) -> TokenList {
        switch (kind, content) {
        case (.codes, .tokens(let tokens)):
            return tokens
        case (.codes, .string(let string)):
            return CodesSplitter.split(string)
        case (.text, .string(let string)):
            return TextTokenizer.tokenize(string)
        case (.text, .tokens(let tokens)):
            return TextTokenizer.tokenize(joining: tokens)
        }
    }
}
