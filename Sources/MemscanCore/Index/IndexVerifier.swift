import CMemscanShims

/// `memscan index verify`: checks every section checksum, then the structure the
/// probe path relies on (monotonic offsets, in-range postings, decompressible
/// blocks), so that a file which passes can be scanned without surprises.
public enum IndexVerifier {
    public struct Report: Sendable {
        public var sections: Int
        public var bytes: Int
        public var blocks: Int
    }

    public static func verify(path: String) throws -> Report {
        let index = try MemscanIndex(path: path, verifyChecksums: true)
        func fail(_ kind: SectionKind, _ message: String) -> MemscanError {
            .index(path: path, "corrupt index: section \(kind.name): \(message)")
        }
        let h = index.header
        try monotonic(index.vocabOffsets, limit: index.vocabBytes.count, kind: .vocabOffsets, fail)
        try monotonic(index.recordIdOffsets, limit: index.recordIdBytes.count, kind: .recordIdOffsets, fail)
        try monotonic(index.recordStarts, limit: h.matchTokens, kind: .recordStarts, fail)
        guard index.recordStarts.last.map({ Int($0) == h.matchTokens }) ?? false else {
            throw fail(.recordStarts, "does not end at the token count")
        }
        for id in 0 ..< h.vocabCount {
            let start = Int(index.vocabOffsets[id]), end = Int(index.vocabOffsets[id + 1])
            let token = UnsafeRawBufferPointer(rebasing: index.vocabBytes[start ..< end])
            guard index.tokenID(bytes: token, hash: ms_xxh3(token.baseAddress, token.count, h.tokenSeed)) == UInt32(id) else {
                throw fail(.vocabTable, "token \(id) cannot be found by its hash")
            }
        }
        var entries = 0
        var table = index.table
        let tagMask = (UInt64(1) << UInt64(h.tableGeometry.slotBits - h.tableGeometry.valueBits)) - 1
        for bucket in 0 ..< h.bucketCount {
            for slot in 0 ..< h.tableGeometry.slots {
                let field = ms_table_field(&table, table.bytes + bucket * IndexFormat.bucketSize, UInt32(slot))
                if field & tagMask == 0 { continue }
                entries += 1
                _ = try index.occurrences(ofSlotValue: ms_table_value(&table, field))
            }
        }
        guard entries == h.tableEntries else { throw fail(.shingleTable, "holds \(entries) entries, header says \(h.tableEntries)") }
        for p in index.postings where Int(p) >= h.matchTokens { throw fail(.postings, "position \(p) beyond the token store") }
        var buffer: [UInt32] = []
        let decoder = BlockDecoder(store: index.tokenBlocks)
        for block in 0 ..< index.tokenBlocks.blockCount {
            buffer = try decoder.decompress(block)
            for id in buffer where Int(id) >= h.vocabCount { throw fail(.tokenBlocks, "block \(block) holds token id \(id) outside the vocabulary") }
        }
        if let positions = index.positionBlocks {
            let decoder = BlockDecoder(store: positions)
            for block in 0 ..< positions.blockCount { _ = try decoder.decompress(block) }
        }
        return Report(sections: index.sections.count, bytes: index.fileSize, blocks: index.tokenBlocks.blockCount)
    }

    private static func monotonic(_ values: UnsafeBufferPointer<UInt64>, limit: Int, kind: SectionKind,
                                  _ fail: (SectionKind, String) -> MemscanError) throws {
        var previous: UInt64 = 0
        for (i, v) in values.enumerated() {
            guard v >= previous, v <= UInt64(limit) else { throw fail(kind, "entry \(i) out of order or out of range") }
            previous = v
        }
    }
}
