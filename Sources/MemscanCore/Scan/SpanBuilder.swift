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
        let matches = SpanBuilder.sortedByInterval(finder.matches, length: finder.sequence.count)
        guard !matches.isEmpty else { return [] }
        let sequence = finder.sequence

        // Distinct intervals (sorted by start, then end), each with its group of exact
        // matches and the number of distinct records containing it. Every record that
        // contains gen[a, b) holds it inside one of its maximal matches, so the count
        // is the number of records having a match with start <= a and end >= b: a sweep
        // over starts, with a Fenwick tree over each record's furthest end.
        var intervals: [(a: Int, b: Int, group: Range<Int>, count: Int)] = []
        var furthest = DiagonalMap(capacity: matches.count)
        var tree = [Int](repeating: 0, count: sequence.count + 2)
        var recordsSeen = 0
        func add(_ end: Int, _ delta: Int) {
            var i = end + 1
            while i < tree.count { tree[i] += delta; i += i & -i }
        }
        func countAtMost(_ end: Int) -> Int {
            var i = end + 1, total = 0
            while i > 0 { total += tree[i]; i -= i & -i }
            return total
        }
        var added = 0
        var i = 0
        while i < matches.count {
            let a = matches[i].genStart, b = matches[i].genEnd
            var end = i + 1
            while end < matches.count && matches[end].genStart == a && matches[end].genEnd == b { end += 1 }
            while added < matches.count && matches[added].genStart <= a {
                let m = matches[added]
                if let previous = furthest.value(for: m.record) {
                    if m.genEnd > previous {
                        add(previous, -1)
                        add(m.genEnd, 1)
                        furthest.set(m.record, m.genEnd)
                    }
                } else {
                    add(m.genEnd, 1)
                    furthest.set(m.record, m.genEnd)
                    recordsSeen += 1
                }
                added += 1
            }
            intervals.append((a, b, i ..< end, recordsSeen - countAtMost(b - 1)))
            i = end
        }

        let open = SpanBuilder.openIntervals(intervals.map { ($0.a, $0.b, $0.count) })
        var spans: [Span] = []
        for (n, interval) in intervals.enumerated() where !open[n] {
            let (a, b) = (interval.a, interval.b)
            let newTokens = b - max(a, promptMatching)
            guard newTokens >= minLength else { continue }
            var representative = matches[interval.group].min { $0.record < $1.record }!
            var isSelf: Bool? = nil
            if let patientID {
                isSelf = false
                for m in matches[interval.group] where patientID.withUnsafeBytes({ index.recordIDEquals(m.record, $0) }) {
                    representative = m
                    isSelf = true
                    break
                }
            }
            let capped = interval.count > options.recordsCap
                || (!finder.truncatedSeeds.isEmpty && !finder.spanCountIsExact(a: a, b: b))
            var ids: [String] = []
            if options.maxRecordIDs > 0 {
                // Examples: the representative, the other records of the interval's own
                // matches, then other containing records in match order. Templates give
                // thousands of intervals and matches: looking at the interval's own group
                // first keeps this from scanning every match once per interval.
                var examples = [representative.record]
                for m in matches[interval.group] where examples.count < options.maxRecordIDs && !examples.contains(m.record) {
                    examples.append(m.record)
                }
                if examples.count < min(options.maxRecordIDs, interval.count) {
                    for m in matches where examples.count < options.maxRecordIDs {
                        if m.genStart > a { break }
                        if m.genEnd >= b && !examples.contains(m.record) { examples.append(m.record) }
                    }
                }
                ids = examples.map { index.recordID($0) }
            }
            let records = min(interval.count, options.recordsCap)
            let rarity = Rarity(records: records, capped: capped, rareMax: options.rareMax)
            let recordStart = try finder.originalRecordPosition(record: representative.record, local: representative.recordStart)
            let recordEnd = try finder.originalRecordPosition(record: representative.record, local: representative.recordEnd - 1) + 1
            spans.append(Span(
                start: Int(sequence.original[a]), end: Int(sequence.original[b - 1]) + 1, newTokens: newTokens,
                record: index.recordID(representative.record), recordIndex: representative.record,
                recordStart: recordStart, recordEnd: recordEnd, records: records, recordsCapped: capped,
                recordIDs: ids, isSelf: isSelf, inReference: nil, rarity: rarity, matchingRange: a ..< b))
        }
        return spans
    }

    /// Which intervals are not closed: a strictly longer interval contains them and is
    /// held by as many records. Intervals of one count, in (start ascending, end
    /// descending) order, are open exactly when an earlier one reaches as far:
    /// O(n log n) where comparing every pair was quadratic in the intervals a
    /// template produces.
    static func openIntervals(_ intervals: [(a: Int, b: Int, count: Int)]) -> [Bool] {
        var order = Array(intervals.indices)
        order.sort {
            let x = intervals[$0], y = intervals[$1]
            if x.count != y.count { return x.count < y.count }
            if x.a != y.a { return x.a < y.a }
            return x.b > y.b
        }
        var open = [Bool](repeating: false, count: intervals.count)
        var furthest = Int.min
        for (n, i) in order.enumerated() {
            if n > 0 && intervals[order[n - 1]].count != intervals[i].count { furthest = Int.min }
            open[i] = furthest >= intervals[i].b
            furthest = max(furthest, intervals[i].b)
        }
        return open
    }

    /// Matches ordered by (start, end), ties in discovery order: two stable counting
    /// sorts (both keys are below the generation's length) through raw buffers, since
    /// templates produce thousands of matches per generation and a comparison sort (then
    /// closures over a struct array) was a visible cost.
    static func sortedByInterval(_ matches: [VerbatimMatch], length: Int) -> [VerbatimMatch] {
        let n = matches.count
        guard n > 1 else { return matches }
        var counts = [Int](repeating: 0, count: length + 2)
        var byEnd = [Int32](repeating: 0, count: n)
        return matches.withUnsafeBufferPointer { m in
            counts.withUnsafeMutableBufferPointer { c in
                byEnd.withUnsafeMutableBufferPointer { e in
                    for i in 0 ..< n { c[m[i].genEnd + 1] += 1 }
                    for v in 1 ..< c.count { c[v] += c[v - 1] }
                    for i in 0 ..< n {
                        let key = m[i].genEnd
                        e[c[key]] = Int32(i)
                        c[key] += 1
                    }
                    for v in c.indices { c[v] = 0 }
                    for i in 0 ..< n { c[m[i].genStart + 1] += 1 }
                    for v in 1 ..< c.count { c[v] += c[v - 1] }
                    return [VerbatimMatch](unsafeUninitializedCapacity: n) { out, initialized in
                        for j in 0 ..< n {
                            let match = m[Int(e[j])]
                            (out.baseAddress! + c[match.genStart]).initialize(to: match)
                            c[match.genStart] += 1
                        }
                        initialized = n
                    }
                }
            }
        }
    }
}
