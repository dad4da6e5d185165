/// Splits a codes string on ASCII whitespace. Codes are compared byte-exactly, so nothing is
/// normalized, and non-ASCII spaces (U+00A0 and the like) are part of a code rather than
/// separators: a model that emits them has produced a different code.
enum CodesSplitter {
    static func split(_ string: String) -> TokenList {
        var string = string
        return string.withUTF8 { split(utf8: $0) }
    }

    static func split(utf8 input: UnsafeBufferPointer<UInt8>) -> TokenList {
        var list = TokenList()
        list.bytes.reserveCapacity(input.count)
        let n = input.count
        var i = 0
        while i < n {
            while i < n && isASCIIWhitespace(input[i]) { i += 1 }
            let start = i
            while i < n && !isASCIIWhitespace(input[i]) { i += 1 }
            if i > start { list.append(bytes: UnsafeBufferPointer(rebasing: input[start ..< i])) }
        }
        return list
    }

    /// Space, \t, \n, \v, \f, \r: the set Python's `bytes.split()` uses.
    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte &- 0x09) < 5
    }
}
