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
    /// A distinct generation interval: its exact matches (`group`, in the sorted
    /// matches), its count of containing records, and the grouped seed that counted them
    /// (-1: the explicit matches did).
    struct Interval {
        var a: Int
        var b: Int
        var group: Range<Int>
        var count: Int
        var seed = -1
    }

    func spans(finder: MatchFinder, promptMatching: Int, patientID: [UInt8]?) throws -> [Span] {
        let matches = SpanBuilder.sortedByInterval(finder.matches, length: finder.sequence.count)
        guard !matches.isEmpty || !finder.groupIntervals.isEmpty else { return [] }
        let sequence = finder.sequence
        var intervals = SpanBuilder.intervals(matches, adding: finder.groupIntervals)
        countExplicitly(&intervals, matches: matches, length: sequence.count)
        if !finder.groupedSeeds.isEmpty { countThroughGroups(&intervals, finder: finder) }

        // Closed intervals compare counts as printed: above the cap they are all ">=cap".
        let open = SpanBuilder.openIntervals(intervals.map { ($0.a, $0.b, min($0.count, options.recordsCap + 1)) })
        var spans: [Span] = []
        for (n, interval) in intervals.enumerated() where !open[n] {
            let (a, b) = (interval.a, interval.b)
            let newTokens = b - max(a, promptMatching)
            guard newTokens >= minLength else { continue }
            let found = interval.seed >= 0
                ? try groupedRepresentative(interval, seed: finder.groupedSeeds[interval.seed], patientID: patientID)
                : explicitRepresentative(interval, matches: matches, patientID: patientID)
            guard let (representative, isSelf, examples) = found else { continue }
            let capped = interval.count > options.recordsCap
                || (!finder.truncatedSeeds.isEmpty && !finder.spanCountIsExact(a: a, b: b))
            let records = min(interval.count, options.recordsCap)
            let rarity = Rarity(records: records, capped: capped, rareMax: options.rareMax)
            let recordStart = try finder.originalRecordPosition(record: representative.record, local: representative.recordStart)
            let recordEnd = try finder.originalRecordPosition(record: representative.record, local: representative.recordEnd - 1) + 1
            spans.append(Span(
                start: Int(sequence.original[a]), end: Int(sequence.original[b - 1]) + 1, newTokens: newTokens,
                record: index.recordID(representative.record), recordIndex: representative.record,
                recordStart: recordStart, recordEnd: recordEnd, records: records, recordsCapped: capped,
                recordIDs: examples.map { index.recordID($0) }, isSelf: isSelf, inReference: nil, rarity: rarity,
                matchingRange: a ..< b))
        }
        return spans
    }

    /// The distinct intervals of the matches (sorted by start, then end) and of the
    /// grouped seeds, in that order.
    static func intervals(_ matches: [VerbatimMatch], adding grouped: [(a: Int, b: Int, occurrences: Int)]) -> [Interval] {
        var intervals: [Interval] = []
        var i = 0
        while i < matches.count {
            let a = matches[i].genStart, b = matches[i].genEnd
            var end = i + 1
            while end < matches.count && matches[end].genStart == a && matches[end].genEnd == b { end += 1 }
            intervals.append(Interval(a: a, b: b, group: i ..< end, count: 0))
            i = end
        }
        guard !grouped.isEmpty else { return intervals }
        for (a, b, _) in grouped { intervals.append(Interval(a: a, b: b, group: 0 ..< 0, count: 0)) }
        intervals.sort { ($0.a, $0.b, $1.group.count) < ($1.a, $1.b, $0.group.count) }
        // One per interval, the one with the matches first.
        var unique: [Interval] = []
        for interval in intervals where unique.last.map({ $0.a != interval.a || $0.b != interval.b }) ?? true {
            unique.append(interval)
        }
        return unique
    }

    /// Counts, for each interval, the distinct records having an explicit match that
    /// contains it. Every record that contains gen[a, b) holds it inside one of its
    /// maximal matches, so the count is the number of records having a match with
    /// start <= a and end >= b: a sweep over starts, with a Fenwick tree over each
    /// record's furthest end. (Exact unless the interval's records are only in groups.)
    private func countExplicitly(_ intervals: inout [Interval], matches: [VerbatimMatch], length: Int) {
        var furthest = DiagonalMap(capacity: matches.count)
        var tree = [Int](repeating: 0, count: length + 2)
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
        for n in intervals.indices {
            let a = intervals[n].a, b = intervals[n].b
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
            intervals[n].count = recordsSeen - countAtMost(b - 1)
        }
    }

    /// Recounts the intervals whose records may be only in groups: those whose charged
    /// seeds (selected in every record that holds the interval) are all grouped. They
    /// are counted in the context orders of one charged seed whose extensions it needs
    /// are below the kept depth; occurrences reaching deeper were extended, so an
    /// interval without such a seed is held only by explicit matches.
    private func countThroughGroups(_ intervals: inout [Interval], finder: MatchFinder) {
        var seedAt: [Int: Int] = [:]
        for (s, seed) in finder.groupedSeeds.enumerated() { seedAt[seed.position] = s }
        let depth = ContextOrder.depth
        for n in intervals.indices where intervals[n].b - intervals[n].a >= index.header.guaranteedLength {
            let (a, b) = (intervals[n].a, intervals[n].b)
            // No seed lies within the depth of both ends of a longer interval: skip it before
            // listing its charged seeds (a repetition loop gives thousands of long ones).
            guard b - a <= 2 * (depth - 1) else { continue }
            let charged = finder.chargedSeeds(a: a, b: b)
            guard charged.allSatisfy({ seedAt[$0] != nil }),
                  let c = charged.first(where: { $0 - a < depth && b - $0 < depth }), let s = seedAt[c] else { continue }
            let seed = finder.groupedSeeds[s]
            let (right, left) = seed.reaching(backward: c - a, forward: b - c)
            intervals[n].count = finder.distinctRecords(seed, right: right, left: left, limit: options.recordsCap + 1)
            intervals[n].seed = s
        }
    }

    typealias Representative = (match: VerbatimMatch, isSelf: Bool?, examples: [Int])

    /// The lowest record among the interval's matches (the patient's own when it is one
    /// of them), and example records: those of the interval's own matches first, then
    /// other containing records in match order.
    private func explicitRepresentative(_ interval: Interval, matches: [VerbatimMatch], patientID: [UInt8]?) -> Representative? {
        guard !interval.group.isEmpty else { return nil }
        let (a, b) = (interval.a, interval.b)
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
        var examples: [Int] = []
        if options.maxRecordIDs > 0 {
            // Templates give thousands of intervals and matches: looking at the interval's
            // own group first keeps this from scanning every match once per interval.
            examples = [representative.record]
            for m in matches[interval.group] where examples.count < options.maxRecordIDs && !examples.contains(m.record) {
                examples.append(m.record)
            }
            if examples.count < min(options.maxRecordIDs, interval.count) {
                for m in matches where examples.count < options.maxRecordIDs {
                    if m.genStart > a { break }
                    if m.genEnd >= b && !examples.contains(m.record) { examples.append(m.record) }
                }
            }
        }
        return (representative, isSelf, examples)
    }

    /// For an interval counted through a grouped seed: an occurrence whose extensions are
    /// exactly the interval's (the patient's own when there is one), and example records
    /// from the occurrences reaching at least as far.
    private func groupedRepresentative(_ interval: Interval, seed: LocatedSeed, patientID: [UInt8]?) throws -> Representative? {
        let (a, b, c) = (interval.a, interval.b, seed.position)
        let exact = (backward: c - a, forward: b - c)
        var chosen: Int? = nil
        var isSelf: Bool? = nil
        if let patientID {
            isSelf = false
            search: for record in index.recordIDs.records(withID: patientID, in: index) {
                for o in seed.occurrences(in: index.recordRange(record)) where seed.extensions(of: o) == exact {
                    chosen = o
                    isSelf = true
                    break search
                }
            }
        }
        let (right, left) = seed.reaching(backward: exact.backward, forward: exact.forward)
        if chosen == nil {
            // Exactly that far = at least that far but not one further.
            let (rightFurther, leftFurther) = seed.reaching(backward: exact.backward + 1, forward: exact.forward + 1)
            seed.order.forEachOccurrence(right: right, notIn: rightFurther, left: left, notIn: leftFurther) { o in
                chosen = o
                return false
            }
        }
        guard let o = chosen else { return nil }
        let record = Int(seed.order.record[o])
        let position = Int(seed.postings[o]), base = index.recordRange(record).lowerBound
        let match = VerbatimMatch(genStart: a, genEnd: b, record: record,
                                  recordStart: position - exact.backward - base, recordEnd: position + exact.forward - base)
        var examples = options.maxRecordIDs > 0 ? [record] : []
        if examples.count < options.maxRecordIDs {
            seed.order.forEachOccurrence(right: right, left: left) { o in
                let other = Int(seed.order.record[o])
                if !examples.contains(other) { examples.append(other) }
                return examples.count < options.maxRecordIDs
            }
        }
        return (match, isSelf, examples)
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
