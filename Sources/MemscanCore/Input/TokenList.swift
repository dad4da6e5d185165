/// A sequence of tokens stored in one byte buffer: no allocation per token.
///
/// Token `i` occupies `bytes[start(i) ..< ends[i]]`. In text mode each token also
/// carries its offsets in the original string, counted in Unicode scalars
/// (code points, the unit Python's `str` indexes by), end-exclusive.
public struct TokenList: Sendable, Equatable {
    public var bytes: [UInt8] = []
    public var ends: [Int32] = []
    /// Character offsets in the original string (text mode only).
    public var charStarts: [Int32]? = nil
    public var charEnds: [Int32]? = nil

    public init() {}

    public init(_ tokens: [String]) {
        for token in tokens { append(utf8: token) }
    }

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    @inline(__always)
    public func start(_ index: Int) -> Int { index == 0 ? 0 : Int(ends[index - 1]) }

    @inline(__always)
    public func end(_ index: Int) -> Int { Int(ends[index]) }

    public mutating func append<C: Collection>(bytes token: C) where C.Element == UInt8 {
        bytes.append(contentsOf: token)
        ends.append(Int32(bytes.count))
    }

    public mutating func append(utf8 token: String) {
        var token = token
        token.withUTF8 { bytes.append(contentsOf: $0) }
        ends.append(Int32(bytes.count))
    }

    /// Appends a token with its character offsets (text mode).
    public mutating func append<C: Collection>(bytes token: C, charStart: Int, charEnd: Int) where C.Element == UInt8 {
        append(bytes: token)
        if charStarts == nil {
            charStarts = []
            charEnds = []
        }
        charStarts!.append(Int32(charStart))
        charEnds!.append(Int32(charEnd))
    }

    /// The token as a String (for messages and tests; not for hot paths).
    public func string(at index: Int) -> String {
        String(decoding: bytes[start(index) ..< end(index)], as: UTF8.self)
    }

    public var strings: [String] { (0 ..< count).map { string(at: $0) } }

    /// Calls `body` with the raw bytes of token `index`.
    @inline(__always)
    public func withTokenBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let s = start(index), e = end(index)
        return try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[s ..< e]))
        }
    }
}
