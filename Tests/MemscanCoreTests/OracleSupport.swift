import Foundation
import Testing
@testable import MemscanCore

// A brute-force oracle for verbatim matching (§4) and the random corpora that the
// property tests in OracleTests.swift feed to it and to the real index + scanner.

/// SplitMix64: a tiny, fully specified generator so that a failing seed replays
/// identically on every platform and standard-library version.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The step synth uses too (`splitMix64`).
    mutating func next() -> UInt64 { splitMix64(&state) }

    /// Uniform in `range` (modulo bias is irrelevant at these sizes).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(UInt64(1) << 53) < p
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0 ... items.count - 1)] }
}

/// A unique temporary directory, removed by `remove()`.
struct OracleTempDirectory {
    let url: URL

    init(_ label: String) {
        url = TestScratch.directory(label)
    }

    /// The folder holding `file` (already existing; e.g. shared with a child process).
    init(parentOf file: String) {
        url = URL(fileURLWithPath: file).deletingLastPathComponent()
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A corpus of training records (original tokens, ignored ones included).
struct OracleCorpus {
    var ids: [String] = []
    var records: [[String]] = []
}

/// Shape of a random corpus.
struct CorpusShape: Sendable, CustomStringConvertible {
    var recordCount: ClosedRange<Int> = 20 ... 200
    var vocabulary: ClosedRange<Int> = 5 ... 40
    var recordLength: ClosedRange<Int> = 0 ... 120
    /// Probability that a token slot becomes an ignorable `TIME//n` token.
    var timeTokens: Double = 0

    var description: String { "records \(recordCount) vocab \(vocabulary) length \(recordLength) time \(timeTokens)" }
}

enum CorpusGenerator {
    static let prefixes = ["DIAGNOSIS//", "LAB//", "MEDICATION//", "PROCEDURE//", "AGE//", "ADMISSION//"]

    static func vocabulary(_ size: Int, rng: inout SplitMix64) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        while out.count < size {
            let code = rng.pick(prefixes) + String(rng.int(0 ... 999))
            if seen.insert(code).inserted { out.append(code) }
        }
        return out
    }

    static func time(_ rng: inout SplitMix64) -> String { "TIME//\(rng.int(0 ... 6))" }

    /// Random corpus with repeated templates, exact copies and near-duplicates.
    static func corpus(_ shape: CorpusShape, rng: inout SplitMix64) -> (OracleCorpus, vocabulary: [String]) {
        let vocab = vocabulary(rng.int(shape.vocabulary), rng: &rng)
        func token(_ rng: inout SplitMix64) -> String {
            shape.timeTokens > 0 && rng.chance(shape.timeTokens) ? time(&rng) : rng.pick(vocab)
        }
        // 1-3 templates of 20-40 tokens, shared by many records.
        var templates: [[String]] = []
        for _ in 0 ..< rng.int(1 ... 3) {
            templates.append((0 ..< rng.int(20 ... 40)).map { _ in token(&rng) })
        }
        var corpus = OracleCorpus()
        let count = rng.int(shape.recordCount)
        for n in 0 ..< count {
            var tokens: [String] = []
            let roll = rng.int(0 ... 99)
            if roll < 5 && !corpus.records.isEmpty {
                // An exact copy of an earlier record.
                tokens = rng.pick(corpus.records)
            } else if roll < 25 && !corpus.records.isEmpty {
                // A near-duplicate: a few substitutions, maybe an insertion or deletion.
                tokens = rng.pick(corpus.records)
                if !tokens.isEmpty {
                    for _ in 0 ..< rng.int(1 ... 3) { tokens[rng.int(0 ... tokens.count - 1)] = token(&rng) }
                    if rng.chance(0.3) { tokens.insert(token(&rng), at: rng.int(0 ... tokens.count)) }
                    if rng.chance(0.3) && !tokens.isEmpty { tokens.remove(at: rng.int(0 ... tokens.count - 1)) }
                }
            } else {
                let target = rng.int(shape.recordLength)
                while tokens.count < target {
                    if rng.chance(0.25) {
                        // A whole template or a piece of one.
                        let t = rng.pick(templates)
                        if rng.chance(0.6) {
                            tokens += t
                        } else {
                            let s = rng.int(0 ... t.count - 1)
                            tokens += t[s ..< rng.int(s + 1 ... t.count)]
                        }
                    } else {
                        for _ in 0 ..< rng.int(1 ... 12) { tokens.append(token(&rng)) }
                    }
                }
                if tokens.count > shape.recordLength.upperBound + 40 { tokens.removeLast(tokens.count - shape.recordLength.upperBound - 40) }
            }
            corpus.ids.append("P\(n)")
            corpus.records.append(tokens)
        }
        return (corpus, vocab)
    }

    /// A generation mixing random tokens (some unknown to the index) with planted
    /// copies of record spans of 1-80 tokens, often at the very start or end.
    static func generation(corpus: OracleCorpus, vocabulary: [String], maxLength: Int, timeTokens: Double,
                           rng: inout SplitMix64) -> (tokens: [String], sources: [Int]) {
        var out: [String] = []
        var sources: [Int] = []
        let target = rng.int(1 ... maxLength)
        let nonEmpty = corpus.records.indices.filter { !corpus.records[$0].isEmpty }
        func randomToken(_ rng: inout SplitMix64) -> String {
            if timeTokens > 0 && rng.chance(timeTokens) { return rng.chance(0.2) ? "TIME//\(rng.int(100 ... 999))" : time(&rng) }
            if rng.chance(0.05) { return "UNSEEN//\(rng.int(0 ... 9))" }
            return rng.pick(vocabulary)
        }
        func plant(_ rng: inout SplitMix64) {
            guard !nonEmpty.isEmpty else { return }
            let source = rng.pick(nonEmpty)
            sources.append(source)
            let record = corpus.records[source]
            let length = min(record.count, rng.chance(0.5) ? rng.int(1 ... 20) : rng.int(1 ... 80))
            let start = rng.int(0 ... record.count - length)
            out += record[start ..< start + length]
        }
        if rng.chance(0.4) { plant(&rng) }
        while out.count < target {
            if rng.chance(0.45) {
                plant(&rng)
            } else {
                for _ in 0 ..< rng.int(1 ... 6) { out.append(randomToken(&rng)) }
            }
        }
        if rng.chance(0.4) { plant(&rng) }
        return (out, sources)
    }
}

/// A generation interval in matching coordinates (ignored tokens removed), end-exclusive.
struct OracleInterval: Hashable, Comparable {
    var a: Int
    var b: Int
    static func < (x: OracleInterval, y: OracleInterval) -> Bool { (x.a, x.b) < (y.a, y.b) }
}

/// One maximal match of a generation interval in a record (matching coordinates).
struct OracleHit: Hashable {
    var record: Int
    var j: Int
}

/// A sequence as the oracle sees it: matching tokens as small integers, with the
/// original index of each.
struct OracleSequence {
    var ids: [Int32] = []
    var original: [Int] = []
    /// Original index -> matching index, nil for ignored tokens.
    var matchingIndex: [Int?] = []
}

/// Brute force over every record: exact by construction, slow on purpose.
final class BruteForceOracle {
    let corpus: OracleCorpus
    let ignorePrefix: String?
    private(set) var dictionary: [String: Int32] = [:]
    private(set) var records: [OracleSequence] = []
    private(set) var recordByID: [String: Int] = [:]

    init(corpus: OracleCorpus, ignorePrefix: String?) {
        self.corpus = corpus
        self.ignorePrefix = ignorePrefix
        for (n, id) in corpus.ids.enumerated() { recordByID[id] = n }
        records = corpus.records.map { sequence($0, intern: true) }
    }

    func isIgnored(_ token: String) -> Bool { ignorePrefix.map { token.hasPrefix($0) } ?? false }

    /// Unknown generation tokens map to -1, which no record holds.
    func sequence(_ tokens: [String], intern: Bool = false) -> OracleSequence {
        var s = OracleSequence()
        for (i, token) in tokens.enumerated() {
            if isIgnored(token) {
                s.matchingIndex.append(nil)
                continue
            }
            var id = dictionary[token] ?? -1
            if id < 0 && intern {
                id = Int32(dictionary.count)
                dictionary[token] = id
            }
            s.matchingIndex.append(s.ids.count)
            s.ids.append(id)
            s.original.append(i)
        }
        return s
    }

    /// Every maximal match of `g` in every record, grouped by generation interval.
    func maximalMatches(_ g: OracleSequence) -> [OracleInterval: [OracleHit]] {
        var out: [OracleInterval: [OracleHit]] = [:]
        let n = g.ids.count
        g.ids.withUnsafeBufferPointer { gp in
            for (r, record) in records.enumerated() {
                let m = record.ids.count
                guard n > 0, m > 0 else { continue }
                record.ids.withUnsafeBufferPointer { rp in
                    // Walk every diagonal i - j = d; runs of equal tokens are exactly the maximal matches.
                    for d in -(m - 1) ... (n - 1) {
                        var i = max(d, 0), j = i - d
                        var run = 0
                        while i < n && j < m {
                            if gp[i] == rp[j] && gp[i] >= 0 {
                                run += 1
                            } else if run > 0 {
                                out[OracleInterval(a: i - run, b: i), default: []].append(OracleHit(record: r, j: j - run))
                                run = 0
                            }
                            i += 1
                            j += 1
                        }
                        if run > 0 {
                            out[OracleInterval(a: i - run, b: i), default: []].append(OracleHit(record: r, j: j - run))
                        }
                    }
                }
            }
        }
        return out
    }

    /// Records whose matching tokens contain `g[a..<b]` contiguously (naive search).
    func recordsContaining(_ g: OracleSequence, _ interval: OracleInterval) -> [Int] {
        let len = interval.b - interval.a
        var out: [Int] = []
        g.ids.withUnsafeBufferPointer { gp in
            let needle = gp.baseAddress! + interval.a
            for (r, record) in records.enumerated() where record.ids.count >= len {
                let found = record.ids.withUnsafeBufferPointer { rp -> Bool in
                    for s in 0 ... rp.count - len {
                        var t = 0
                        while t < len && rp[s + t] == needle[t] { t += 1 }
                        if t == len { return true }
                    }
                    return false
                }
                if found { out.append(r) }
            }
        }
        return out
    }
}

/// Which reporting rule the oracle expects.
enum OracleSemantics {
    /// false (the contract in the test brief and SPEC §4): one span for EVERY distinct
    /// generation interval of a maximal match with new tokens >= min-length; every such
    /// interval of >= G tokens is reported.
    /// true: only "closed" intervals, i.e. an interval is left out when a strictly longer
    /// maximal-match interval containing it occurs in exactly the same records (the rule
    /// SpanBuilder.swift adopted during this work). Flip this if that rule is the intended one;
    /// MEMSCAN_ORACLE_CLOSED=1 selects it for one run.
    /// memscan reports "closed" intervals only (see SpanBuilder): an interval is left
    /// out when a strictly longer reported interval lies in exactly the same records, or
    /// when both lie in more records than the cap (both print ">=cap").
    /// MEMSCAN_ORACLE_CLOSED=0 checks the raw every-maximal-interval semantics instead.
    static let closedIntervalsOnly = ProcessInfo.processInfo.environment["MEMSCAN_ORACLE_CLOSED"] != "0"
}

/// What one scan was asked to do, for checking its result.
struct OracleScanSetup {
    var guaranteed: Int
    var minLength: Int
    var recordsCap: Int
    var maxRecordIDs: Int
    var rareMax: Int = 5
    /// ScanOptions.maxOccurrences when set small: shingles with more occurrences are only
    /// partly enumerated, so spans may be missed, but a count not flagged capped is exact.
    var truncatedOccurrences = false
}

/// What the checked spans exercised, so that a test can insist it was not vacuous.
struct OracleStats: CustomStringConvertible {
    var spans = 0
    var atLeastG = 0
    var belowG = 0
    var selfTrue = 0
    var selfFalse = 0
    var capped = 0
    var sharedByMany = 0
    var crossingPrompt = 0
    var withIgnoredInside = 0
    var atGenerationStart = 0
    var atGenerationEnd = 0

    var description: String {
        "spans \(spans) (>=G \(atLeastG), <G \(belowG)), self \(selfTrue)/\(selfFalse), capped \(capped), "
            + "records>=3 \(sharedByMany), across prompt \(crossingPrompt), ignored inside \(withIgnoredInside), "
            + "at start \(atGenerationStart), at end \(atGenerationEnd)"
    }
}

/// Checks one `GenerationResult` against the oracle; returns human-readable failures.
func oracleCheck(result: GenerationResult, oracle: BruteForceOracle, generation tokens: [String],
                 promptLength: Int, patientID: String?, setup: OracleScanSetup, stats: inout OracleStats) -> [String] {
    var failures: [String] = []
    func fail(_ message: String) { failures.append(message) }
    let g = oracle.sequence(tokens)
    let all = oracle.maximalMatches(g)
    let promptMatching = g.original.prefix { $0 < promptLength }.count
    func newTokens(_ v: OracleInterval) -> Int { v.b - max(v.a, promptMatching) }
    func originalInterval(_ v: OracleInterval) -> Range<Int> { g.original[v.a] ..< g.original[v.b - 1] + 1 }
    func show(_ v: OracleInterval) -> String {
        let r = originalInterval(v)
        return "[\(r.lowerBound), \(r.upperBound)) \(tokens[r].joined(separator: " "))"
    }

    if result.tokens != tokens.count { fail("result.tokens \(result.tokens) != \(tokens.count)") }
    if result.promptTokens != promptLength { fail("result.promptTokens \(result.promptTokens) != \(promptLength)") }
    if result.longest != (result.spans.map(\.newTokens).max() ?? 0) { fail("longest \(result.longest) is not the longest span") }

    // Coverage: continuation tokens inside some span, over continuation tokens.
    let continuation = tokens.count - promptLength
    var covered = Set<Int>()
    for span in result.spans { for t in max(span.start, promptLength) ..< max(span.end, promptLength) { covered.insert(t) } }
    let coverage = continuation > 0 ? Double(covered.count) / Double(continuation) : 0
    if abs(result.coverage - coverage) > 1e-9 { fail("coverage \(result.coverage), expected \(coverage)") }
    if result.maxRisk != result.spans.map(\.risk).max() { fail("maxRisk \(String(describing: result.maxRisk)) is not the spans' maximum") }

    var reported = Set<OracleInterval>()
    for span in result.spans {
        let label = "span [\(span.start), \(span.end)) record \(span.record) [\(span.recordStart), \(span.recordEnd))"
        guard span.start >= 0, span.start < span.end, span.end <= tokens.count,
              let a = g.matchingIndex[span.start], let last = g.matchingIndex[span.end - 1]
        else {
            fail("\(label): bounds or ends on an ignored token (generation has \(tokens.count) tokens)")
            continue
        }
        let v = OracleInterval(a: a, b: last + 1)
        stats.spans += 1
        if v.b - v.a >= setup.guaranteed { stats.atLeastG += 1 } else { stats.belowG += 1 }
        if span.isSelf == true { stats.selfTrue += 1 }
        if span.isSelf == false { stats.selfFalse += 1 }
        if span.recordsCapped { stats.capped += 1 }
        if span.records >= 3 { stats.sharedByMany += 1 }
        if span.start < promptLength { stats.crossingPrompt += 1 }
        if span.end - span.start != v.b - v.a { stats.withIgnoredInside += 1 }
        if span.start == 0 { stats.atGenerationStart += 1 }
        if span.end == tokens.count { stats.atGenerationEnd += 1 }
        if !reported.insert(v).inserted { fail("\(label): interval reported twice") }
        if span.kind != .verbatim { fail("\(label): kind \(span.kind)") }
        if span.end <= promptLength { fail("\(label): lies entirely inside the prompt (\(promptLength) tokens)") }
        if span.newTokens != newTokens(v) { fail("\(label): newTokens \(span.newTokens), expected \(newTokens(v))") }
        if span.newTokens < setup.minLength { fail("\(label): newTokens \(span.newTokens) below minLength \(setup.minLength)") }

        // (a) + (d): the representative holds the interval as a maximal match, checked directly.
        guard let r = oracle.recordByID[span.record] else {
            fail("\(label): unknown record id")
            continue
        }
        let rec = oracle.records[r]
        let recTokens = oracle.corpus.records[r]
        if span.recordStart < 0 || span.recordStart >= span.recordEnd || span.recordEnd > recTokens.count {
            fail("\(label): record positions out of range (record has \(recTokens.count) tokens)")
            continue
        }
        if span.recordIndex != r { fail("\(label): recordIndex \(span.recordIndex), expected \(r)") }
        guard let j = rec.matchingIndex[span.recordStart], let jLast = rec.matchingIndex[span.recordEnd - 1] else {
            fail("\(label): record positions start or end on an ignored token")
            continue
        }
        let len = v.b - v.a
        if jLast + 1 - j != len {
            fail("\(label): record interval has \(jLast + 1 - j) matching tokens, generation \(len)")
            continue
        }
        if !g.ids[v.a ..< v.b].elementsEqual(rec.ids[j ..< j + len]) {
            fail("\(label): NOT A MATCH: generation \(show(v)) vs record \(recTokens[span.recordStart ..< span.recordEnd].joined(separator: " "))")
            continue
        }
        if v.a > 0 && j > 0 && g.ids[v.a - 1] == rec.ids[j - 1] { fail("\(label): not maximal, extends left") }
        if v.b < g.ids.count && j + len < rec.ids.count && g.ids[v.b] == rec.ids[j + len] { fail("\(label): not maximal, extends right") }
        if !(all[v]?.contains(OracleHit(record: r, j: j)) ?? false) { fail("\(label): oracle does not know this maximal match") }

        // (b) + (c): records containing the span.
        let containing = oracle.recordsContaining(g, v)
        let containingIDs = Set(containing.map { oracle.corpus.ids[$0] })
        let trueCount = containing.count
        if len >= setup.guaranteed && setup.truncatedOccurrences && span.recordsCapped {
            if span.records < 1 || span.records > min(trueCount, setup.recordsCap) {
                fail("\(label): capped records \(span.records) outside 1...min(\(trueCount), cap \(setup.recordsCap))")
            }
        } else if len >= setup.guaranteed {
            if span.records != min(trueCount, setup.recordsCap) {
                fail("\(label): records \(span.records), expected min(\(trueCount), cap \(setup.recordsCap))")
            }
            if span.recordsCapped != (trueCount > setup.recordsCap) {
                fail("\(label): recordsCapped \(span.recordsCapped) with \(trueCount) records, cap \(setup.recordsCap)")
            }
            if span.recordIDs.count != min(setup.maxRecordIDs, trueCount) {
                fail("\(label): \(span.recordIDs.count) record ids, expected min(\(setup.maxRecordIDs), \(trueCount))")
            }
        } else {
            if span.records < 1 || span.records > min(trueCount, setup.recordsCap) {
                fail("\(label): records \(span.records) outside 1...min(\(trueCount), cap \(setup.recordsCap)) (best effort)")
            }
            if span.recordIDs.count > setup.maxRecordIDs { fail("\(label): \(span.recordIDs.count) record ids > max") }
        }
        if Set(span.recordIDs).count != span.recordIDs.count { fail("\(label): duplicate record ids \(span.recordIDs)") }
        for id in span.recordIDs where !containingIDs.contains(id) { fail("\(label): record id \(id) does not contain the span") }
        if setup.maxRecordIDs > 0 && span.recordIDs.isEmpty { fail("\(label): no record ids") }
        let rarity: Rarity = span.recordsCapped ? .common
            : (span.records == 1 ? .unique : (span.records <= setup.rareMax ? .rare : .common))
        if span.rarity != rarity { fail("\(label): rarity \(span.rarity) with \(span.records) records (capped \(span.recordsCapped))") }

        // Targeted: self when the patient's record has a maximal match exactly here.
        if let patientID {
            let selfHere = oracle.recordByID[patientID].map { p in all[v]?.contains { $0.record == p } ?? false } ?? false
            if len >= setup.guaranteed && !(setup.truncatedOccurrences && span.recordsCapped) {
                if span.isSelf != selfHere { fail("\(label): isSelf \(String(describing: span.isSelf)), expected \(selfHere)") }
                if selfHere && span.record != patientID { fail("\(label): patient \(patientID) matches here but record is \(span.record)") }
            } else if span.isSelf == nil {
                // Below G the patient's own match may go unseen (best effort), but the flag must be set.
                fail("\(label): isSelf nil with a patient")
            }
            if (span.isSelf == true) != (span.record == patientID) {
                fail("\(label): isSelf \(String(describing: span.isSelf)) but record \(span.record), patient \(patientID)")
            }
        } else if span.isSelf != nil {
            fail("\(label): isSelf \(String(describing: span.isSelf)) without a patient")
        }
    }

    // (d) every reported interval is a real maximal-match interval; guarantee for >= G.
    for v in reported where all[v] == nil { fail("reported \(show(v)) is not the interval of any maximal match") }
    var isClosed: (OracleInterval) -> Bool = { _ in true }
    if OracleSemantics.closedIntervalsOnly {
        // Records containing each interval, from the maximal matches that cover it.
        let keys = Array(all.keys)
        var containing: [OracleInterval: Set<Int>] = [:]
        for v in keys where v.b - v.a >= setup.guaranteed {
            var set = Set<Int>()
            for (u, hits) in all where u.a <= v.a && u.b >= v.b { for h in hits { set.insert(h.record) } }
            containing[v] = set
        }
        // Counts compare as printed: above the cap both are ">=cap".
        func sameAsPrinted(_ u: OracleInterval, _ v: OracleInterval) -> Bool {
            guard let x = containing[u], let y = containing[v] else { return false }
            return x == y || (x.count > setup.recordsCap && y.count > setup.recordsCap)
        }
        isClosed = { v in
            !keys.contains { u in u.a <= v.a && u.b >= v.b && u.b - u.a > v.b - v.a && sameAsPrinted(u, v) }
        }
        for v in reported where !setup.truncatedOccurrences && v.b - v.a >= setup.guaranteed && all[v] != nil && !isClosed(v) {
            fail("reported \(show(v)) although a longer interval holds it in the same records")
        }
    }
    for v in all.keys.sorted() where !setup.truncatedOccurrences && v.b - v.a >= setup.guaranteed
        && newTokens(v) >= setup.minLength && !reported.contains(v) && isClosed(v) {
        let hits = all[v]!.prefix(3).map { "\(oracle.corpus.ids[$0.record])@\(oracle.records[$0.record].original[$0.j])" }
        fail("MISSED maximal match \(show(v)) (\(v.b - v.a) tokens, new \(newTokens(v))) in \(hits)")
    }
    return failures
}

/// Builds an index over `corpus` and returns its path.
/// Builds `corpus` into `directory`/`name` with shingle size k and window w (and
/// whatever `configure` sets); returns the index path.
func buildOracleIndex(_ corpus: OracleCorpus, k: Int, w: Int, in directory: OracleTempDirectory, name: String,
                      configure: (inout IndexBuildOptions) -> Void = { _ in }) throws -> String {
    var options = IndexBuildOptions()
    options.k = k
    options.w = w
    configure(&options)
    let path = directory.path(name)
    _ = try buildOracleIndex(corpus, options: options, path: path)
    return path
}

func buildOracleIndex(_ corpus: OracleCorpus, options: IndexBuildOptions, path: String) throws -> IndexBuildReport {
    let builder = try IndexBuilder(options: options)
    for (id, tokens) in zip(corpus.ids, corpus.records) {
        try builder.add(id: id, tokens: TokenList(tokens))
    }
    return try builder.write(to: path)
}

/// A corpus of few distinct tokens and repeated templates (seeds with hundreds of
/// occurrences), and its index at k and w: fixed by a one-value range, or drawn from the
/// range after the corpus.
func templateHeavyIndex(records: ClosedRange<Int> = 150 ... 300, vocabulary: ClosedRange<Int> = 4 ... 12,
                        lengths: ClosedRange<Int> = 20 ... 160, k: ClosedRange<Int>, w: ClosedRange<Int>,
                        in directory: OracleTempDirectory, rng: inout SplitMix64) throws -> (OracleCorpus, [String], MemscanIndex) {
    let shape = CorpusShape(recordCount: records, vocabulary: vocabulary, recordLength: lengths)
    let (corpus, tokens) = CorpusGenerator.corpus(shape, rng: &rng)
    let shingle = k.count == 1 ? k.lowerBound : rng.int(k)
    let window = w.count == 1 ? w.lowerBound : rng.int(w)
    let index = try MemscanIndex(path: try buildOracleIndex(corpus, k: shingle, w: window, in: directory, name: "t.index"))
    return (corpus, tokens, index)
}

/// A finder that groups every seed held more than once (its context order built when first
/// needed); with `skipsKnownOccurrences` false, the one that looks at every occurrence.
func groupingFinder(_ index: MemscanIndex, skipsKnownOccurrences: Bool = true) -> MatchFinder {
    MatchFinder(index: index, maxOccurrences: .max, contextMinimum: 2, contextBuildAfter: 0, grouping: true,
                skipsKnownOccurrences: skipsKnownOccurrences)
}

/// Scanners of `index` with `options`: one grouping every seed held more than once, one
/// extending every occurrence on its own (no context orders).
func groupedAndPlainScanners(_ index: MemscanIndex, options: ScanOptions) throws -> (grouped: GenerationScanner, plain: GenerationScanner) {
    var groupedOptions = options
    groupedOptions.contextMinimum = 2
    groupedOptions.contextBuildAfter = 0
    var plainOptions = options
    plainOptions.grouping = false
    plainOptions.contextMinimum = Int.max
    return (GenerationScanner(context: try ScanContext(index: index, options: groupedOptions)),
            GenerationScanner(context: try ScanContext(index: index, options: plainOptions)))
}

