/// Sensitive-content categories (§4): each category is a list of POSIX extended
/// regular expressions matched against tokens (after tokenization, so text-mode
/// patterns see case-folded words).
///
/// File format: one `category<TAB or spaces>pattern` per line; `#` starts a comment.
public final class SensitiveCategories: Sendable {
    public let names: [String]
    private let patterns: [(category: Int, pattern: IgnorePattern)]

    public init(entries: [(category: String, pattern: String)], source: String) throws {
        var names: [String] = []
        var patterns: [(Int, IgnorePattern)] = []
        for (n, entry) in entries.enumerated() {
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
                throw MemscanError.input(SourceLocation(file: source, line: n + 1), "invalid pattern '\(entry.pattern)' for category \(entry.category)")
            }
        }
        self.names = names
        self.patterns = patterns
    }

    /// Parses the text of a categories file.
    public convenience init(text: String, source: String) throws {
        var entries: [(String, String)] = []
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
            entries.append((category, pattern))
        }
        try self.init(entries: entries, source: source)
    }

    /// Names of the categories whose patterns match any of `tokens[range]`, in file order.
    public func categories(in tokens: TokenList, range: Range<Int>) -> [String] {
        var hit = [Bool](repeating: false, count: names.count)
        tokens.bytes.withUnsafeBytes { all in
            for i in range {
                let token = UnsafeRawBufferPointer(rebasing: all[tokens.start(i) ..< tokens.end(i)])
                for (category, pattern) in patterns where !hit[category] && pattern.matches(token) {
                    hit[category] = true
                }
            }
        }
        return names.indices.filter { hit[$0] }.map { names[$0] }
    }
}

extension StringProtocol {
    func trimmingCharacters(inSet set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
