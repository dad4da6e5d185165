import CMemscanShims

/// Sensitive-content categories (§4): each category is a list of POSIX extended
/// regular expressions matched against tokens (after tokenization, so text-mode
/// patterns see case-folded words).
///
/// File format: one `category<TAB or spaces>pattern` per line; `#` starts a comment.
public final class SensitiveCategories: Sendable {
    public let names: [String]
    private let patterns: [(category: Int, pattern: IgnorePattern)]

    /// - Parameter entries: category, pattern and the line it came from (for errors).
    public init(entries: [(category: String, pattern: String, line: Int)], source: String) throws {
        var names: [String] = []
        var patterns: [(Int, IgnorePattern)] = []
        for entry in entries {
            let category: Int
            if let existing = names.firstIndex(of: entry.category) {
                category = existing
            } else {
                category = names.count
                names.append(entry.category)
            }
            do {
                patterns.append((category, try IgnorePattern(entry.pattern)))
            } catch {
                throw MemscanError.input(SourceLocation(file: source, line: entry.line), "invalid pattern '\(entry.pattern)' for category \(entry.category)")
            }
        }
        guard names.count <= 64 else {
            throw MemscanError.input(SourceLocation(file: source, line: 0), "at most 64 categories are supported (got \(names.count))")
        }
        self.names = names
        self.patterns = patterns
    }

    /// Parses the text of a categories file.
    public convenience init(text: String, source: String) throws {
        var entries: [(String, String, Int)] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(inSet: " \t\r")
            if trimmed.isEmpty { continue }
            guard let gap = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw MemscanError.input(SourceLocation(file: source, line: lineNumber), "expected 'category pattern', got '\(trimmed)'")
            }
            let category = String(trimmed[..<gap])
            let pattern = trimmed[gap...].trimmingCharacters(inSet: " \t")
            entries.append((category, pattern, lineNumber))
        }
        try self.init(entries: entries, source: source)
    }

    /// Names of the categories whose patterns match any of `tokens[range]`, in file order.
    public func categories(in tokens: TokenList, range: Range<Int>) -> [String] {
        var cache = SensitiveCache()
        return categories(in: tokens, range: range, cache: &cache)
    }

    /// As above, remembering each distinct token's categories in `cache`: spans
    /// repeat the same codes, and a regex per token per pattern is the slow part.
    public func categories(in tokens: TokenList, range: Range<Int>, cache: inout SensitiveCache) -> [String] {
        var mask: UInt64 = 0
        tokens.bytes.withUnsafeBytes { all in
            for i in range {
                let token = UnsafeRawBufferPointer(rebasing: all[tokens.start(i) ..< tokens.end(i)])
                let key = ms_xxh3(token.baseAddress, token.count, 0)
                if let known = cache.masks[key]?.first(where: { $0.token.elementsEqual(token) }) {
                    mask |= known.mask
                    continue
                }
                var tokenMask: UInt64 = 0
                for (category, pattern) in patterns where tokenMask & (1 << UInt64(category % 64)) == 0 && pattern.matches(token) {
                    tokenMask |= 1 << UInt64(category % 64)
                }
                if cache.masks.count < 1 << 20 { cache.masks[key, default: []].append((Array(token), tokenMask)) }
                mask |= tokenMask
            }
        }
        return names.indices.filter { mask & (1 << UInt64($0 % 64)) != 0 }.map { names[$0] }
    }
}

/// Per-thread memo of token -> category bit mask for one SensitiveCategories, keyed
/// by the token's hash (bytes compared on a hit) so that a lookup allocates nothing.
public struct SensitiveCache {
    var masks: [UInt64: [(token: [UInt8], mask: UInt64)]] = [:]
    public init() {}
}

extension StringProtocol {
    func trimmingCharacters(inSet set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
