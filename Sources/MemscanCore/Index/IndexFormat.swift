import CMemscanShims

/// The on-disk layout of a memscan index (documented for people in docs/INDEX_FORMAT.md).
/// All integers are little-endian. Sections start on 64-byte boundaries so that the
/// shingle table's buckets are cache-line aligned when the file is memory-mapped.
public enum IndexFormat {
    /// PNG-style magic: a non-ASCII first byte and CR LF / EOF bytes catch text-mode mangling.
    public static let magic: [UInt8] = [0x89, 0x4D, 0x53, 0x43, 0x4E, 0x0D, 0x0A, 0x1A]  // \x89MSCN\r\n\x1a
    public static let version: UInt32 = 2
    public static let alignment = 64
    /// Fixed part of the header; the ignore pattern, the section table and the
    /// header checksum follow it.
    public static let fixedHeaderSize = 152
    public static let sectionEntrySize = 32
    /// Largest matching-token count: singleton postings live in 31 bits of a slot value.
    public static let maxMatchTokens: UInt64 = (1 << 31) - 1
    /// Probe values with this bit set index the multi-occurrence entries.
    public static let multiFlag: UInt32 = MS_MULTI_FLAG
    public static let bucketSize = 64

    /// Bits of the per-token flags byte in the vocabulary.
    public static let vocabFlagIgnored: UInt8 = 1
}

/// Section kinds; each appears at most once. Numbers are part of the format.
public enum SectionKind: UInt32, CaseIterable, Sendable {
    case vocabHashes = 1        // UInt64 x V: XXH3 of each token's bytes (token seed)
    case vocabOffsets = 2       // UInt64 x (V+1): offsets into vocabBytes
    case vocabBytes = 3         // UTF-8 token bytes, concatenated
    case vocabFlags = 4         // UInt8 x V: bit 0 = ignored by --ignore
    case vocabTable = 5         // UInt32 x 2^n: token id + 1 by hash, linear probing, 0 = empty
    case recordStarts = 6       // UInt64 x (R+1): first matching token of each record
    case recordLengths = 7      // UInt32 x R: original token count of each record
    case recordIdOffsets = 8    // UInt64 x (R+1): offsets into recordIdBytes
    case recordIdBytes = 9      // UTF-8 external record ids, concatenated
    case shingleTable = 10      // 64-byte buckets x bucketCount, slots bit-packed (ShingleTableGeometry)
    case multiEntries = 11      // (UInt32 start, UInt32 occurrences, UInt32 records) x M
    case postings = 12          // UInt32 matching-token positions, grouped by multi entry, ascending
    case tokenBlockOffsets = 13 // UInt64 x (B+1): offsets of the zstd frames in tokenBlocks
    case tokenBlocks = 14       // zstd frames of UInt32 token ids, blockTokens per block
    case positionBlockOffsets = 15  // with --ignore: as tokenBlockOffsets
    case positionBlocks = 16        // with --ignore: zstd frames of UInt32 original in-record positions
    case tokenSuccessorOffsets = 17 // UInt32 x (V+1): successor list bounds of each token id
    case tokenSuccessors = 18       // UInt32 token ids: frequent successors of each token, most frequent first
    case tokenDictionary = 19       // zstd dictionary of the token-block frames (empty: none)

    public var name: String {
        switch self {
        case .vocabHashes: return "vocab-hashes"
        case .vocabOffsets: return "vocab-offsets"
        case .vocabBytes: return "vocab-bytes"
        case .vocabFlags: return "vocab-flags"
        case .vocabTable: return "vocab-table"
        case .recordStarts: return "record-starts"
        case .recordLengths: return "record-lengths"
        case .recordIdOffsets: return "record-id-offsets"
        case .recordIdBytes: return "record-id-bytes"
        case .shingleTable: return "shingle-table"
        case .multiEntries: return "multi-entries"
        case .postings: return "postings"
        case .tokenBlockOffsets: return "token-block-offsets"
        case .tokenBlocks: return "token-blocks"
        case .positionBlockOffsets: return "position-block-offsets"
        case .positionBlocks: return "position-blocks"
        case .tokenSuccessorOffsets: return "token-successor-offsets"
        case .tokenSuccessors: return "token-successors"
        case .tokenDictionary: return "token-dictionary"
        }
    }

    public var isOptional: Bool { self == .positionBlockOffsets || self == .positionBlocks }
}

/// Every parameter and count stored in the header.
public struct IndexHeader: Sendable, Equatable {
    public var version: UInt32 = IndexFormat.version
    public var tokenizer: TokenizerKind = .codes
    public var k: Int = 8
    public var w: Int = 9
    public var bucketCount: Int = 1
    public var maxDisplacement: Int = 0
    public var tableGeometry = ShingleTableGeometry.forValues(below: 1)
    public var blockTokens: Int = 1024
    public var tokenSeed: UInt64 = 0
    public var shingleSeed: UInt64 = 0
    public var recordCount: Int = 0
    public var corpusTokens: Int = 0
    public var matchTokens: Int = 0
    public var vocabCount: Int = 0
    public var tableEntries: Int = 0
    public var sampledOccurrences: Int = 0
    public var multiEntryCount: Int = 0
    public var blockCount: Int = 0
    public var zstdLevel: Int = 3
    public var ignorePattern: String? = nil
    /// Revision of the tokenizer's behaviour (text mode: its Unicode tables), so an
    /// index is never scanned with a tokenizer that would split differently.
    public var tokenizerRevision: Int = IndexHeader.currentTokenizerRevision

    /// Text mode: 1600 = Unicode 16.0 tables. Bump whenever tokenization changes.
    public static let currentTokenizerRevision = 1600

    /// The detection guarantee: every verbatim span of at least G tokens is found.
    public var guaranteedLength: Int { k + w - 1 }

    public init() {}
}

/// One row of the section table.
public struct SectionEntry: Sendable, Equatable {
    public var kind: SectionKind
    public var offset: Int
    public var length: Int
    public var checksum: UInt64
}
