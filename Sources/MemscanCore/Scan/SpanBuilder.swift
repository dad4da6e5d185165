/// Turns the maximal verbatim matches of one generation into reported spans: one
/// span per distinct generation interval, with the number of distinct records
/// containing it and a representative record for which the interval is maximal.
///
/// An interval is left out when a strictly longer reported interval is contained
/// in exactly the same records ("closed" intervals only): every record holding the
/// shorter one holds the longer one too, so the shorter adds nothing but noise
/// (typical of templates whose copies end at slightly different places).
struct SpanBuilder {
    let index: MemscanIndex
    let options: ScanOptions
    let minLength: Int

    /// - Parameters:
    ///   - promptMatching: prompt length in matching tokens.
    ///   - patientID: UTF-8 of the prompting patient's id, when known.
    func spans(finder: MatchFinder, promptMatching: Int, patientID: [UInt8]?) throws -> [Span] {
        let matches = finder.matches.sorted { ($0.genStart, $0.genEnd, $0.record) < ($1.genStart, $1.genEnd, $1.record) }
        guard !matches.isEmpty else { return [] }
        let sequence = finder.sequence
        let k = index.header.k

        // Distinct intervals, each with its group of exact matches and the records
        // containing it. Every record containing gen[a, b) holds it inside one of
        // its maximal matches, and matches are sorted by start: scan those <= a.
        var intervals: [(a: Int, b: Int, group: Range<Int>, containing: [Int])] = []
        var seen = Set<Int>()
        var i = 0
        while i < matches.count {
            let a = matches[i].genStart, b = matches[i].genEnd
            var end = i + 1
            while end < matches.count && matches[end].genStart == a && matches[end].genEnd == b { end += 1 }
            seen.removeAll(keepingCapacity: true)
            var containing: [Int] = []
            for m in matches {
                if m.genStart > a { break }
                if m.genEnd >= b && seen.insert(m.record).inserted { containing.append(m.record) }
            }
            intervals.append((a, b, i ..< end, containing.sorted()))
            i = end
        }

        var spans: [Span] = []
        for interval in intervals {
            let (a, b) = (interval.a, interval.b)
            let newTokens = b - max(a, promptMatching)
            guard newTokens >= minLength else { continue }
            let closed = !intervals.contains { other in
                other.a <= a && other.b >= b && other.b - other.a > b - a && other.containing.count == interval.containing.count
            }
            guard closed else { continue }
            var representative = matches[interval.group.lowerBound]
            var isSelf: Bool? = nil
            if let patientID {
                isSelf = false
                for m in matches[interval.group] where patientID.withUnsafeBytes({ index.recordIDEquals(m.record, $0) }) {
                    representative = m
                    isSelf = true
                    break
                }
            }
            let containing = interval.containing
            let capped = containing.count > options.recordsCap
                || finder.truncatedSeeds.contains { $0 >= a && $0 + k <= b }
            var ids: [String] = []
            if options.maxRecordIDs > 0 {
                ids.append(index.recordID(representative.record))
                for r in containing where ids.count < options.maxRecordIDs && r != representative.record {
                    ids.append(index.recordID(r))
                }
            }
            let records = min(containing.count, options.recordsCap)
            let rarity: Rarity = records == 1 && !capped ? .unique : (records <= options.rareMax && !capped ? .rare : .common)
            let recordStart = try finder.originalRecordPosition(record: representative.record, local: representative.recordStart)
            let recordEnd = try finder.originalRecordPosition(record: representative.record, local: representative.recordEnd - 1) + 1
            spans.append(Span(
                start: Int(sequence.original[a]), end: Int(sequence.original[b - 1]) + 1, newTokens: newTokens,
                record: index.recordID(representative.record), recordIndex: representative.record,
                recordStart: recordStart, recordEnd: recordEnd, records: records, recordsCapped: capped,
                recordIDs: ids, isSelf: isSelf, inReference: nil, rarity: rarity))
        }
        return spans
    }
}
