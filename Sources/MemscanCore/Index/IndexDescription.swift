/// Renders `memscan index info`: every header parameter, counts, and section sizes.
public enum IndexDescription {
    public static func text(_ index: MemscanIndex) -> String {
        let h = index.header
        var lines: [String] = []
        lines.append("index:            \(index.path)")
        lines.append("format version:   \(h.version)")
        lines.append("tokenizer:        \(h.tokenizer.rawValue) (revision \(h.tokenizerRevision))")
        lines.append("k (shingle):      \(h.k)")
        lines.append("w (window):       \(h.w)")
        lines.append("G (guaranteed):   \(h.guaranteedLength) tokens: every verbatim span this long is found")
        lines.append("ignore:           \(h.ignorePattern ?? "(none)")")
        lines.append("records:          \(h.recordCount)")
        lines.append("corpus tokens:    \(h.corpusTokens)")
        lines.append("matching tokens:  \(h.matchTokens)")
        lines.append("vocabulary:       \(h.vocabCount)")
        lines.append("sampled shingles: \(h.sampledOccurrences)")
        lines.append("table entries:    \(h.tableEntries) in \(h.bucketCount) buckets (max displacement \(h.maxDisplacement))")
        let g = h.tableGeometry
        lines.append("table slots:      \(g.slots) per bucket of \(g.slotBits) bits (fingerprint \(g.fingerprintBits), displacement \(g.displacementBits), value \(g.valueBits))")
        lines.append("token blocks:     \(h.blockCount) of \(h.blockTokens) tokens, zstd level \(h.zstdLevel)")
        lines.append("file size:        \(index.fileSize) bytes, \(bytesPerToken(index)) bytes/token")
        lines.append("sections:")
        for section in index.sections {
            let name = section.kind.name.padding(toLength: 24)
            lines.append("  \(name) \(String(section.length).leftPadded(toLength: 14)) bytes  xxh3 \(hex(section.checksum))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ index: MemscanIndex) -> String {
        let h = index.header
        var json = JSONWriter()
        json.beginObject()
        json.field("path", index.path)
        json.field("format_version", Int(h.version))
        json.field("tokenizer", h.tokenizer.rawValue)
        json.field("tokenizer_revision", h.tokenizerRevision)
        json.field("k", h.k)
        json.field("w", h.w)
        json.field("guaranteed_length", h.guaranteedLength)
        json.key("ignore")
        if let ignore = h.ignorePattern { json.string(ignore) } else { json.null() }
        json.field("records", h.recordCount)
        json.field("corpus_tokens", h.corpusTokens)
        json.field("matching_tokens", h.matchTokens)
        json.field("vocabulary", h.vocabCount)
        json.field("sampled_shingles", h.sampledOccurrences)
        json.field("table_entries", h.tableEntries)
        json.field("buckets", h.bucketCount)
        json.field("max_displacement", h.maxDisplacement)
        json.field("slots_per_bucket", h.tableGeometry.slots)
        json.field("fingerprint_bits", h.tableGeometry.fingerprintBits)
        json.field("value_bits", h.tableGeometry.valueBits)
        json.field("multi_entries", h.multiEntryCount)
        json.field("block_tokens", h.blockTokens)
        json.field("blocks", h.blockCount)
        json.field("zstd_level", h.zstdLevel)
        json.field("file_bytes", index.fileSize)
        json.field("bytes_per_token", h.corpusTokens == 0 ? 0 : Double(index.fileSize) / Double(h.corpusTokens))
        json.key("sections")
        json.beginArray()
        for section in index.sections {
            json.beginObject()
            json.field("name", section.kind.name)
            json.field("offset", section.offset)
            json.field("length", section.length)
            json.field("xxh3", hex(section.checksum))
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.newline()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func bytesPerToken(_ index: MemscanIndex) -> String {
        guard index.header.corpusTokens > 0 else { return "n/a" }
        let value = Double(index.fileSize) / Double(index.header.corpusTokens)
        return String(Double(Int(value * 1000)) / 1000)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension String {
    func padding(toLength length: Int) -> String { count >= length ? self : self + String(repeating: " ", count: length - count) }
    func leftPadded(toLength length: Int) -> String { count >= length ? self : String(repeating: " ", count: length - count) + self }
}
