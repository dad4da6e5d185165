import CMemscanShims

/// Encodes and decodes the index header (fixed fields, ignore pattern, section
/// table, header checksum). Decoding never trusts a field before checking it.
enum HeaderCodec {
    static func encode(_ header: IndexHeader, sections: [SectionEntry]) -> [UInt8] {
        var out = [UInt8]()
        out.append(contentsOf: IndexFormat.magic)
        let ignoreBytes = Array((header.ignorePattern ?? "").utf8)
        let tableStart = IndexFormat.fixedHeaderSize + padded(ignoreBytes.count, to: 8)
        let checksumAt = tableStart + sections.count * IndexFormat.sectionEntrySize
        let headerLength = padded(checksumAt + 8, to: IndexFormat.alignment)
        out.appendLE(UInt32(header.version))
        out.appendLE(UInt32(headerLength))
        let hasPositions = sections.contains { $0.kind == .positionBlocks }
        out.appendLE(UInt64(hasPositions ? 1 : 0))
        out.appendLE(UInt32(header.tokenizer == .codes ? 0 : 1))
        out.appendLE(UInt32(header.k))
        out.appendLE(UInt32(header.w))
        out.appendLE(UInt32(header.bucketCount))
        out.appendLE(UInt32(header.maxDisplacement))
        out.appendLE(UInt32(header.blockTokens))
        out.appendLE(header.tokenSeed)
        out.appendLE(header.shingleSeed)
        for count in [header.recordCount, header.corpusTokens, header.matchTokens, header.vocabCount,
                      header.tableEntries, header.sampledOccurrences, header.multiEntryCount, header.blockCount] {
            out.appendLE(UInt64(count))
        }
        out.appendLE(UInt32(header.zstdLevel))
        out.appendLE(UInt32(sections.count))
        out.appendLE(UInt32(ignoreBytes.count))
        out.appendLE(UInt32(header.tokenizerRevision))
        let geometry = header.tableGeometry
        out.append(contentsOf: [UInt8(geometry.slots), UInt8(geometry.valueBits), UInt8(geometry.fingerprintBits),
                                UInt8(geometry.displacementBits), 0, 0, 0, 0])
        assert(out.count == IndexFormat.fixedHeaderSize)
        out.append(contentsOf: ignoreBytes)
        out.append(contentsOf: [UInt8](repeating: 0, count: tableStart - out.count))
        for section in sections {
            out.appendLE(section.kind.rawValue)
            out.appendLE(UInt32(0))
            out.appendLE(UInt64(section.offset))
            out.appendLE(UInt64(section.length))
            out.appendLE(section.checksum)
        }
        let checksum = out.withUnsafeBytes { ms_xxh3($0.baseAddress, $0.count, 0) }
        out.appendLE(checksum)
        out.append(contentsOf: [UInt8](repeating: 0, count: headerLength - out.count))
        return out
    }

    /// Decodes and validates the header of a file of `fileSize` bytes.
    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (IndexHeader, [SectionEntry], headerLength: Int) {
        func fail(_ message: String) -> MemscanError { .index(path: path, message) }
        guard bytes.count >= IndexFormat.magic.count,
              Array(bytes[0 ..< IndexFormat.magic.count]) == IndexFormat.magic
        else {
            if bytes.count < IndexFormat.magic.count && IndexFormat.magic.starts(with: Array(bytes)) {
                throw fail("truncated index file (\(bytes.count) bytes)")
            }
            throw fail("not a memscan index (bad magic bytes)")
        }
        guard bytes.count >= IndexFormat.fixedHeaderSize else {
            throw fail("truncated index file: header needs \(IndexFormat.fixedHeaderSize) bytes, file has \(bytes.count)")
        }
        let version = bytes.loadLE(UInt32.self, at: 8)
        if version > IndexFormat.version {
            throw fail("index format version \(version) is newer than this memscan supports (\(IndexFormat.version)); upgrade memscan")
        }
        guard version == IndexFormat.version else {
            throw fail("unsupported index format version \(version) (this memscan reads version \(IndexFormat.version)): rebuild the index")
        }
        let headerLength = Int(bytes.loadLE(UInt32.self, at: 12))
        let sectionCount = Int(bytes.loadLE(UInt32.self, at: 132))
        let ignoreLength = Int(bytes.loadLE(UInt32.self, at: 136))
        guard sectionCount <= 64, ignoreLength <= 65536 else { throw fail("corrupt header (section count or pattern length out of range)") }
        let tableStart = IndexFormat.fixedHeaderSize + padded(ignoreLength, to: 8)
        let checksumAt = tableStart + sectionCount * IndexFormat.sectionEntrySize
        guard headerLength == padded(checksumAt + 8, to: IndexFormat.alignment) else {
            throw fail("corrupt header (inconsistent header length \(headerLength))")
        }
        guard bytes.count >= headerLength else {
            throw fail("truncated index file: header needs \(headerLength) bytes, file has \(bytes.count)")
        }
        let stored = bytes.loadLE(UInt64.self, at: checksumAt)
        let actual = ms_xxh3(bytes.baseAddress, checksumAt, 0)
        guard stored == actual else { throw fail("header checksum mismatch: the index is corrupt") }

        var header = IndexHeader()
        header.version = version
        let tokenizer = bytes.loadLE(UInt32.self, at: 24)
        guard tokenizer <= 1 else { throw fail("corrupt header (unknown tokenizer \(tokenizer))") }
        header.tokenizer = tokenizer == 0 ? .codes : .text
        header.k = Int(bytes.loadLE(UInt32.self, at: 28))
        header.w = Int(bytes.loadLE(UInt32.self, at: 32))
        header.bucketCount = Int(bytes.loadLE(UInt32.self, at: 36))
        header.maxDisplacement = Int(bytes.loadLE(UInt32.self, at: 40))
        header.blockTokens = Int(bytes.loadLE(UInt32.self, at: 44))
        header.tokenSeed = bytes.loadLE(UInt64.self, at: 48)
        header.shingleSeed = bytes.loadLE(UInt64.self, at: 56)
        let counts = (0 ..< 8).map { Int(clamping: bytes.loadLE(UInt64.self, at: 64 + 8 * $0)) }
        header.recordCount = counts[0]
        header.corpusTokens = counts[1]
        header.matchTokens = counts[2]
        header.vocabCount = counts[3]
        header.tableEntries = counts[4]
        header.sampledOccurrences = counts[5]
        header.multiEntryCount = counts[6]
        header.blockCount = counts[7]
        header.zstdLevel = Int(bytes.loadLE(UInt32.self, at: 128))
        header.tokenizerRevision = Int(bytes.loadLE(UInt32.self, at: 140))
        header.tableGeometry = ShingleTableGeometry(slots: Int(bytes[144]), valueBits: Int(bytes[145]),
                                                    fingerprintBits: Int(bytes[146]), displacementBits: Int(bytes[147]))
        if ignoreLength > 0 {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[IndexFormat.fixedHeaderSize ..< IndexFormat.fixedHeaderSize + ignoreLength])
            guard let pattern = String(validating: raw, as: UTF8.self) else { throw fail("corrupt header (ignore pattern is not UTF-8)") }
            header.ignorePattern = pattern
        }
        guard (1 ... 64).contains(header.k), (1 ... 1024).contains(header.w), header.bucketCount >= 1,
              header.tableGeometry.isValid,
              header.maxDisplacement <= header.tableGeometry.maxDisplacement, header.blockTokens >= 1,
              header.blockTokens <= 1 << 24, UInt64(header.matchTokens) <= IndexFormat.maxMatchTokens
        else { throw fail("corrupt header (parameter out of range)") }

        var sections: [SectionEntry] = []
        for i in 0 ..< sectionCount {
            let at = tableStart + i * IndexFormat.sectionEntrySize
            let rawKind = bytes.loadLE(UInt32.self, at: at)
            guard let kind = SectionKind(rawValue: rawKind) else { throw fail("corrupt header (unknown section kind \(rawKind))") }
            guard !sections.contains(where: { $0.kind == kind }) else { throw fail("corrupt header (section \(kind.name) twice)") }
            let offset = bytes.loadLE(UInt64.self, at: at + 8)
            let length = bytes.loadLE(UInt64.self, at: at + 16)
            guard offset <= UInt64(Int.max / 2), length <= UInt64(Int.max / 2) else { throw fail("corrupt header (section \(kind.name) out of range)") }
            sections.append(SectionEntry(kind: kind, offset: Int(offset), length: Int(length),
                                         checksum: bytes.loadLE(UInt64.self, at: at + 24)))
        }
        return (header, sections, headerLength)
    }

    static func padded(_ value: Int, to alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
