import CMemscanShims

/// Field widths of the bit-packed shingle table (§6, docs/INDEX_FORMAT.md). Values
/// take as many bits as the corpus needs; the rest of a 512-bit bucket goes to as
/// many slots as fit with a fingerprint of at least `minFingerprintBits`.
public struct ShingleTableGeometry: Sendable, Equatable {
    public var slots: Int
    public var valueBits: Int
    public var fingerprintBits: Int
    public var displacementBits: Int

    public var slotBits: Int { fingerprintBits + displacementBits + valueBits }
    public var maxDisplacement: Int { (1 << displacementBits) - 1 }

    static let bucketBits = 512
    static let minFingerprintBits = 12
    static let maxFingerprintBits = 32
    static let defaultDisplacementBits = 3

    /// The geometry for values below `valueLimit` (positions and multi-entry indexes).
    static func forValues(below valueLimit: Int) -> ShingleTableGeometry {
        // One bit above the largest value flags multi entries.
        let valueBits = max(2, (Int.bitWidth - max(1, valueLimit - 1).leadingZeroBitCount) + 1)
        let displacementBits = defaultDisplacementBits
        let slots = bucketBits / (valueBits + displacementBits + minFingerprintBits)
        let fingerprintBits = min(maxFingerprintBits, bucketBits / slots - valueBits - displacementBits)
        return ShingleTableGeometry(slots: slots, valueBits: valueBits, fingerprintBits: fingerprintBits,
                                    displacementBits: displacementBits)
    }

    /// Whether a header's fields describe a table the probe can walk safely.
    var isValid: Bool {
        (2 ... 32).contains(valueBits) && (1 ... Self.maxFingerprintBits).contains(fingerprintBits)
            && (1 ... 8).contains(displacementBits) && slots >= 1 && slotBits <= 57 && slots * slotBits <= Self.bucketBits
    }

    func fingerprint(_ key: UInt64) -> UInt64 {
        ms_table_fingerprint(key, (1 << UInt64(fingerprintBits)) - 1)
    }
}

/// Groups sampled shingle occurrences into the bucketized hash table of §6.
///
/// An entry is identified by (home bucket, fingerprint): distinct shingles that
/// share both are merged into one entry, which costs a failed verification now
/// and then but means a probe can never be shadowed by another entry, so no match
/// is ever lost to a fingerprint collision.
struct ShingleTable {
    var geometry: ShingleTableGeometry
    var maxDisplacement = 0
    var entries = 0
    /// 8 words (64 bytes) per bucket, slots bit-packed from bit 0 of the first word.
    var buckets: BucketStore
    /// (postings start, occurrences, records) per multi-occurrence entry.
    var multiEntries: ValueSpool
    var postings: ValueSpool

    var bucketCount: Int { buckets.bucketCount }
}

enum ShingleTableBuilder {
    /// Target load: 95% of slots. Buckets of 12 slots keep displacements short even
    /// this full; the table is the largest section, so its load sets the index size.
    static let maxLoad = 0.95

    /// - Parameters:
    ///   - windowBuckets: buckets held in memory while building (nil: all; see `BucketStore`).
    ///   - postingValues: postings and multi-entry values each held in memory before they
    ///     spill (nil: all).
    static func build(sorted occurrences: SortedOccurrences, recordStarts: [UInt64], matchTokens: Int,
                      windowBuckets: Int?, postingValues: Int?, directory: String) throws -> ShingleTable {
        let distinct = occurrences.distinctKeys
        let geometry = ShingleTableGeometry.forValues(below: max(matchTokens, occurrences.count))
        var bucketCount = max(1, Int((Double(distinct) / (Double(geometry.slots) * maxLoad)).rounded(.up)))
        while true {
            if let table = try tryBuild(sorted: occurrences, geometry: geometry, bucketCount: bucketCount,
                                        recordStarts: recordStarts, windowBuckets: windowBuckets,
                                        postingValues: postingValues, directory: directory) {
                return table
            }
            bucketCount += bucketCount / 64 + 1  // a run longer than the displacement limit: spread it out
        }
    }

    /// One attempt at `bucketCount` buckets; nil when some entry would sit further from
    /// its home bucket than the tag can say.
    private static func tryBuild(sorted occurrences: SortedOccurrences, geometry: ShingleTableGeometry,
                                 bucketCount: Int, recordStarts: [UInt64], windowBuckets: Int?,
                                 postingValues: Int?, directory: String) throws -> ShingleTable? {
        let filler = TableFiller(
            table: ShingleTable(
                geometry: geometry,
                buckets: BucketStore(bucketCount: bucketCount, headBuckets: geometry.maxDisplacement + 1,
                                     windowBuckets: windowBuckets, directory: directory),
                multiEntries: ValueSpool(memoryValues: postingValues, directory: directory),
                postings: ValueSpool(memoryValues: postingValues, directory: directory)),
            recordStarts: recordStarts)
        let complete = try occurrences.forEach { try filler.add($0) }
        guard complete, try filler.placeRun() else { return nil }
        return filler.table
    }

    /// The table being filled, one home bucket's run of occurrences at a time. A class whose
    /// fields skip the run-time exclusivity checks: as variables captured by the walk's
    /// closure they paid one per occurrence, a tenth of a build. Only `tryBuild` uses one,
    /// from one thread.
    private final class TableFiller {
        @exclusivity(unchecked) var table: ShingleTable
        let recordStarts: [UInt64]
        let multiFlag: UInt64
        @exclusivity(unchecked) private var fill: [UInt8]
        @exclusivity(unchecked) private var cursor = 0
        @exclusivity(unchecked) private var run: [(fingerprint: UInt64, position: UInt32)] = []
        @exclusivity(unchecked) private var runHome = -1

        init(table: ShingleTable, recordStarts: [UInt64]) {
            self.table = table
            self.recordStarts = recordStarts
            multiFlag = UInt64(1) << UInt64(table.geometry.valueBits - 1)
            fill = [UInt8](repeating: 0, count: table.bucketCount)
        }

        /// Takes the next occurrence (they arrive grouped by home bucket); false when the
        /// table cannot hold them at this size.
        func add(_ occurrence: ShingleOccurrence) throws -> Bool {
            let home = Int(ms_home_bucket(occurrence.key, UInt64(table.bucketCount)))
            if home != runHome {
                guard try placeRun() else { return false }
                runHome = home
            }
            run.append((table.geometry.fingerprint(occurrence.key), occurrence.position))
            return true
        }

        /// Places the entries of one home bucket.
        func placeRun() throws -> Bool {
            guard !run.isEmpty else { return true }
            let geometry = table.geometry, bucketCount = table.bucketCount
            try table.buckets.advance(to: runHome)
            run.sort { $0.fingerprint != $1.fingerprint ? $0.fingerprint < $1.fingerprint : $0.position < $1.position }
            var j = 0
            while j < run.count {
                var end = j + 1
                while end < run.count && run[end].fingerprint == run[j].fingerprint { end += 1 }
                // Homes arrive in increasing order, so every bucket between the home
                // and the cursor is already full: linear probing stays valid.
                cursor = max(cursor, runHome)
                while fill[cursor % bucketCount] == geometry.slots { cursor += 1 }
                let displacement = cursor - runHome
                if displacement > geometry.maxDisplacement || displacement >= bucketCount { return false }
                let bucket = cursor % bucketCount
                let slot = Int(fill[bucket])
                fill[bucket] += 1
                let value = try ShingleTableBuilder.value(for: run[j ..< end], table: &table, recordStarts: recordStarts,
                                                          multiFlag: multiFlag)
                let tag = run[j].fingerprint << UInt64(geometry.displacementBits) | UInt64(displacement)
                let tagBits = geometry.fingerprintBits + geometry.displacementBits
                ShingleTableBuilder.store(tag | value << UInt64(tagBits), bucket: bucket, slot: slot, in: &table)
                table.maxDisplacement = max(table.maxDisplacement, displacement)
                table.entries += 1
                j = end
            }
            run.removeAll(keepingCapacity: true)
            return true
        }
    }

    /// Writes a slot field (at most 57 bits) at its bit offset; it may straddle two words.
    private static func store(_ field: UInt64, bucket: Int, slot: Int, in table: inout ShingleTable) {
        let bit = slot * table.geometry.slotBits
        let word = bit / 64, shift = bit % 64
        table.buckets.or(field << UInt64(shift), bucket: bucket, word: word)
        if shift + table.geometry.slotBits > 64 { table.buckets.or(field >> UInt64(64 - shift), bucket: bucket, word: word + 1) }
    }

    /// Slot value: the position itself for a single occurrence, else a multi entry.
    private static func value(for group: ArraySlice<(fingerprint: UInt64, position: UInt32)>, table: inout ShingleTable,
                              recordStarts: [UInt64], multiFlag: UInt64) throws -> UInt64 {
        if group.count == 1 { return UInt64(group.first!.position) }
        let index = UInt64(table.multiEntries.count / 3)
        var records = 0
        var lastRecord = -1
        for occurrence in group {
            let record = recordContaining(UInt64(occurrence.position), starts: recordStarts)
            if record != lastRecord {
                records += 1
                lastRecord = record
            }
        }
        try table.multiEntries.append(UInt32(table.postings.count))
        try table.multiEntries.append(UInt32(group.count))
        try table.multiEntries.append(UInt32(records))
        for occurrence in group { try table.postings.append(occurrence.position) }
        return multiFlag | index
    }
}
