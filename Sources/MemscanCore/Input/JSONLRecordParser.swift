import CMemscanShims

/// Parses one JSONL line into a record in a single pass over the top-level object.
///
/// Keys are matched against the wanted fields as bytes; unwanted values are skipped (and
/// still validated). The content field is decoded straight into a TokenList as soon as it
/// is met, when it ranks above any content found so far, so the bulk of the line is read
/// once. Other wanted fields are small: their start offsets are noted and decoded after
/// the object is known to be valid.
struct JSONLRecordParser: LineRecordParser {
    let file: String
    let plan: InputFieldPlan
    /// Offset of each wanted field's value in the current line, -1 when absent.
    private var valueStarts: [Int]
    private var scratch: [UInt8] = []
    /// Start and end offsets of the strings of a token array (see `plainTokens`).
    private var stringBounds: [Int64] = []

    init(file: String, plan: InputFieldPlan) {
        self.file = file
        self.plan = plan
        valueStarts = Array(repeating: -1, count: plan.count)
    }

    /// A content-like value (content field or prompt) as found.
    private enum ContentValue {
        case absent
        case content(RecordContent)
        case invalid(String)
    }

    /// A string-or-number field (id, patient) as found.
    private enum ScalarText {
        case absent
        case text(String)
        case invalid(String)
    }

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) -> RecordOutcome {
        var scanner = JSONScanner(line)
        scanner.skipWhitespace()
        if scanner.atEnd { return .blank }
        if let bad = UTF8Validation.firstInvalidByte(line) {
            return .malformed("invalid UTF-8 at byte \(bad + 1)")
        }
        do {
            return try parseRecord(&scanner, lineNumber: lineNumber)
        } catch {
            return .malformed(error.description)
        }
    }

    private mutating func parseRecord(_ s: inout JSONScanner, lineNumber: Int) throws(JSONSyntaxError) -> RecordOutcome {
        guard s.current == UInt8(ascii: "{") else {
            let kind = s.currentKind
            try s.skipValue()
            return .malformed("expected a JSON object, found \(kind.name)")
        }
        for i in valueStarts.indices { valueStarts[i] = -1 }
        var bestRank = Int.max
        var best = ContentValue.absent

        s.position += 1
        s.skipWhitespace()
        if s.current != UInt8(ascii: "}") {
            while true {
                guard s.current == UInt8(ascii: "\"") else { throw s.unexpected("a string key") }
                let field = try readKeyField(&s)
                s.skipWhitespace()
                try s.expect(UInt8(ascii: ":"))
                s.skipWhitespace()
                if field >= 0 {
                    if valueStarts[field] < 0 { valueStarts[field] = s.position }
                    let rank = plan.contentRank[field]
                    if rank < bestRank {
                        let value = try readContent(&s, field: field)
                        if case .absent = value {} else {
                            bestRank = rank
                            best = value
                        }
                    } else {
                        try s.skipValue(depth: 1)
                    }
                } else {
                    try s.skipValue(depth: 1)
                }
                s.skipWhitespace()
                if s.current == UInt8(ascii: ",") {
                    s.position += 1
                    s.skipWhitespace()
                    continue
                }
                guard s.current == UInt8(ascii: "}") else { throw s.unexpected("',' or '}'") }
                break
            }
        }
        s.position += 1
        s.skipWhitespace()
        guard s.atEnd else { throw s.error("unexpected data after the JSON object") }

        let content: RecordContent
        switch best {
        case .absent: return .malformed("no content field (tried \(plan.contentFieldList))")
        case .invalid(let message): return .malformed(message)
        case .content(let value): content = value
        }

        var id = String(lineNumber)
        for field in plan.idFields where valueStarts[field] >= 0 {
            switch try readScalarText(s.bytes, field: field) {
            case .absent: continue
            case .invalid(let message): return .malformed(message)
            case .text(let text): id = text
            }
            break
        }

        var prompt: PromptSpec?
        var patientID: String?
        if plan.readGenerationFields {
            if let field = plan.promptField, valueStarts[field] >= 0 {
                var t = JSONScanner(s.bytes, position: valueStarts[field])
                switch try readContent(&t, field: field) {
                case .absent: break
                case .invalid(let message): return .malformed(message)
                case .content(let value): prompt = .content(value)
                }
            }
            if prompt == nil, let field = plan.promptLengthField, valueStarts[field] >= 0 {
                var t = JSONScanner(s.bytes, position: valueStarts[field])
                let kind = t.currentKind
                if kind != .null {
                    var found = kind.name
                    var length: Int?
                    if kind == .number {
                        let start = t.position
                        length = try t.readNonNegativeInteger()
                        found = String(decoding: UnsafeBufferPointer(rebasing: s.bytes[start ..< t.position]), as: UTF8.self)
                    }
                    guard let length else {
                        return .malformed("field '\(plan.names[field])' must be a non-negative integer, found \(found)")
                    }
                    prompt = .length(length)
                }
            }
            if let field = plan.patientField, valueStarts[field] >= 0 {
                switch try readScalarText(s.bytes, field: field) {
                case .absent: break
                case .invalid(let message): return .malformed(message)
                case .text(let text): patientID = text
                }
            }
        }

        var groups: [GroupValue] = []
        if !plan.groupFields.isEmpty {
            groups.reserveCapacity(plan.groupFields.count)
            for (k, field) in plan.groupFields.enumerated() {
                var json = "null"
                if valueStarts[field] >= 0 {
                    var t = JSONScanner(s.bytes, position: valueStarts[field])
                    scratch.removeAll(keepingCapacity: true)
                    try t.appendCanonical(to: &scratch, depth: 1)
                    json = String(decoding: scratch, as: UTF8.self)
                }
                groups.append(GroupValue(field: plan.groupNames[k], json: json))
            }
        }

        return .record(InputRecord(
            id: id,
            location: SourceLocation(file: file, line: lineNumber),
            content: content,
            prompt: prompt,
            patientID: patientID,
            groups: groups))
    }

    /// Reads the key at the scanner and returns its field index (-1 when not wanted).
    private mutating func readKeyField(_ s: inout JSONScanner) throws(JSONSyntaxError) -> Int {
        let opening = s.position
        let escaped = try s.skipString()
        if !escaped {
            return plan.fieldIndex(UnsafeBufferPointer(rebasing: s.bytes[opening + 1 ..< s.position - 1]))
        }
        // Keys with escapes are rare: decode them into the scratch buffer.
        var t = JSONScanner(s.bytes, position: opening)
        scratch.removeAll(keepingCapacity: true)
        try t.appendString(to: &scratch)
        let plan = self.plan
        return scratch.withUnsafeBufferPointer { plan.fieldIndex($0) }
    }

    /// Reads a content value: an array of strings (tokens, no String per token) or a string.
    /// Always leaves the scanner after the value, so a wrong type is reported, not thrown.
    private mutating func readContent(_ s: inout JSONScanner, field: Int) throws(JSONSyntaxError) -> ContentValue {
        switch s.current {
        case UInt8(ascii: "["):
            let arrayStart = s.position
            if let tokens = plainTokens(&s) { return .content(.tokens(tokens)) }
            s.position = arrayStart
            var tokens = TokenList()
            var badElement: (index: Int, kind: JSONKind)?
            var index = 0
            s.position += 1
            s.skipWhitespace()
            if s.current == UInt8(ascii: "]") {
                s.position += 1
                return .content(.tokens(tokens))
            }
            while true {
                if s.current == UInt8(ascii: "\"") {
                    try s.appendString(to: &tokens.bytes)
                    tokens.ends.append(Int32(tokens.bytes.count))
                } else {
                    if badElement == nil { badElement = (index, s.currentKind) }
                    try s.skipValue(depth: 2)
                }
                index += 1
                s.skipWhitespace()
                if s.current == UInt8(ascii: ",") {
                    s.position += 1
                    s.skipWhitespace()
                    continue
                }
                guard s.current == UInt8(ascii: "]") else { throw s.unexpected("',' or ']'") }
                s.position += 1
                break
            }
            if let bad = badElement {
                return .invalid("field '\(plan.names[field])' must be an array of strings (element \(bad.index) is \(article(bad.kind)))")
            }
            return .content(.tokens(tokens))
        case UInt8(ascii: "\""):
            return .content(.string(try s.readString(scratch: &scratch)))
        case UInt8(ascii: "n"):
            try s.skipValue(depth: 1)
            return .absent
        default:
            let kind = s.currentKind
            try s.skipValue(depth: 1)
            return .invalid("field '\(plan.names[field])' must be an array of strings or a string, found \(kind.name)")
        }
    }

    /// The token array at `s.position` when it is the common case, strings without
    /// escapes, with `s.position` moved past it; nil otherwise (the general path then
    /// reads it and reports what is wrong). The strings are located first (a C loop)
    /// and copied into one buffer of the right size: appending them one at a time to
    /// growing arrays was a fifth of a scan of generations that rarely match.
    private mutating func plainTokens(_ s: inout JSONScanner) -> TokenList? {
        let line = s.bytes
        var end = 0
        var count = -2
        while count == -2 {
            if stringBounds.isEmpty { stringBounds = [Int64](repeating: 0, count: 2 * 1024) }
            count = stringBounds.withUnsafeMutableBufferPointer {
                ms_json_plain_strings(line.baseAddress, line.count, s.position, $0.baseAddress, $0.count / 2, &end)
            }
            if count == -2 { stringBounds = [Int64](repeating: 0, count: 2 * stringBounds.count) }
        }
        guard count >= 0 else { return nil }
        var total = 0
        for i in 0 ..< count { total += Int(stringBounds[2 * i + 1] - stringBounds[2 * i]) }
        guard total <= Int(Int32.max) else { return nil }
        s.position = end
        var tokens = TokenList()
        var ends = [Int32](repeating: 0, count: count)
        tokens.bytes = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            // All strings empty: no buffer, and every end is 0 already.
            guard out.baseAddress != nil else { initialized = 0; return }
            stringBounds.withUnsafeBufferPointer { bounds in
                ends.withUnsafeMutableBufferPointer { ends in
                    ms_gather_strings(line.baseAddress, bounds.baseAddress, count, out.baseAddress, ends.baseAddress)
                }
            }
            initialized = total
        }
        tokens.ends = ends
        return tokens
    }

    /// A string or number as text (numbers as written); null is absent.
    private mutating func readScalarText(_ bytes: UnsafeBufferPointer<UInt8>, field: Int) throws(JSONSyntaxError) -> ScalarText {
        var t = JSONScanner(bytes, position: valueStarts[field])
        switch t.currentKind {
        case .string: return .text(try t.readString(scratch: &scratch))
        case .number: return .text(try t.readNumberText())
        case .null: return .absent
        case let kind: return .invalid("field '\(plan.names[field])' must be a string or a number, found \(kind.name)")
        }
    }

    private func article(_ kind: JSONKind) -> String {
        kind == .object || kind == .array ? "an \(kind.name)" : "a \(kind.name)"
    }
}
