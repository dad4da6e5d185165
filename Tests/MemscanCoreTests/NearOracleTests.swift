import Foundation
import Testing
@testable import MemscanCore

// Near-verbatim spans checked against a brute-force O(n m) aligner: every reported near
// span must truly reach the similarity threshold against the record region it names,
// record counts must not exceed what any record could hold, and planted near copies
// within the guaranteed edit density must be found. The aligner routines are also
// checked cell for cell against plain dynamic programming.

/// Plain O(n m) token edit distance.
func bruteLevenshtein<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0 ... b.count)
    var current = previous
    for i in 1 ... a.count {
        current[0] = i
        for j in 1 ... b.count {
            current[j] = min(previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// Smallest edit distance between all of a pattern of `n` tokens and any substring of a
/// text of `m` tokens, where pattern token i may be matched with text token j when
/// `match(i, j)`.
func bruteSubstringDistance(patternCount n: Int, textCount m: Int, match: (Int, Int) -> Bool) -> Int {
    guard n > 0 else { return 0 }
    var previous = [Int](repeating: 0, count: m + 1)
    var current = previous
    for i in 1 ... n {
        current[0] = i
        for j in stride(from: 1, through: m, by: 1) {
            current[j] = min(previous[j - 1] + (match(i - 1, j - 1) ? 0 : 1), previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous.min()!
}

/// Smallest edit distance between all of `pattern` and any substring of `text`.
func bruteSubstringDistance<T: Equatable>(_ pattern: [T], in text: [T]) -> Int {
    bruteSubstringDistance(patternCount: pattern.count, textCount: text.count) { pattern[$0] == text[$1] }
}

/// The same over alignments whose matches pair pattern position i with a text position
/// within `band` of `diagonal` + i (a match elsewhere counts as a substitution); unknown
/// tokens match nothing.
func bruteBandedSubstringDistance(_ pattern: [UInt32], in text: [UInt32], diagonal: Int, band: Int) -> Int {
    bruteSubstringDistance(patternCount: pattern.count, textCount: text.count) { i, j in
        pattern[i] == text[j] && pattern[i] != MatchingSequence.unknownID && abs(j - (diagonal + i)) <= band
    }
}

/// A copy of `source` with `edits` substitutions, insertions and deletions at distinct
/// positions, keeping the first and last `margin` tokens intact.
func plantNearCopy(_ source: [String], edits: Int, margin: Int, vocabulary: [String], rng: inout SplitMix64) -> [String] {
    guard source.count > 2 * margin else { return source }
    var positions = Set<Int>()
    while positions.count < min(edits, source.count - 2 * margin) { positions.insert(rng.int(margin ... source.count - margin - 1)) }
    var out: [String] = []
    for (i, token) in source.enumerated() {
        guard positions.contains(i) else { out.append(token); continue }
        switch rng.int(0 ... 2) {
        case 0: out.append("EDIT//\(rng.int(0 ... 999_999))")
        case 1: out.append(token); out.append("EDIT//\(rng.int(0 ... 999_999))")
        default: break
        }
    }
    return out
}

@Suite("Near-verbatim spans")
struct NearOracleTests {
    @Test("the bit-parallel matcher agrees with the O(n m) substring distance")
    func bitParallelMatcherAgrees() {
        var rng = SplitMix64(seed: 0x4E_4541_5201)
        // One map of mask rows for all patterns, as near record counting keeps one: a row
        // a matcher left behind would show up as a wrong answer for a later pattern.
        let rows = TokenRows(vocabulary: 13)
        for _ in 0 ..< 400 {
            let alphabet = UInt32(rng.int(2 ... 12))
            let n = rng.int(1 ... 150), m = rng.int(0 ... 200)
            let pattern = (0 ..< n).map { _ in rng.chance(0.03) ? MatchingSequence.unknownID : UInt32(rng.int(0 ... Int(alphabet))) }
            var text = (0 ..< m).map { _ in UInt32(rng.int(0 ... Int(alphabet))) }
            if m > 0 && rng.chance(0.5) {
                // Part of the pattern inside the text, so that small distances occur.
                let s = rng.int(0 ... m - 1)
                for (i, t) in pattern.enumerated() where s + i < m { text[s + i] = t }
            }
            // Unknown tokens match nothing, not even each other.
            let expected = bruteSubstringDistance(pattern.enumerated().map { $0.element == MatchingSequence.unknownID ? Int(-1 - $0.offset) : Int($0.element) },
                                                  in: text.map { Int($0) })
            let matcher = pattern.withUnsafeBufferPointer { BitParallelMatcher(pattern: $0, rows: rows) }
            for maxEdits in [expected - 1, expected, expected + 1] where maxEdits >= 0 {
                let got = text.withUnsafeBufferPointer { matcher.matches($0, maxEdits: maxEdits) }
                #expect(got == (expected <= maxEdits), "n=\(n) m=\(m) distance \(expected) maxEdits \(maxEdits)")
            }
        }
    }

    @Test("the banded token bound never refuses a text within the band, and the filtered matcher stays exact there")
    func bandedBoundIsSound() {
        var rng = SplitMix64(seed: 0x4E_4541_5203)
        var refused = 0, acceptedOnDiagonal = 0
        let rows = TokenRows(vocabulary: 41)
        for _ in 0 ..< 200 {
            let alphabet = rng.int(3 ... 40)
            let n = rng.int(1 ... 90)
            let pattern = (0 ..< n).map { _ in rng.chance(0.02) ? MatchingSequence.unknownID : UInt32(rng.int(0 ... alphabet)) }
            let band = rng.int(0 ... 14)
            // A window as the scan cuts it: the pattern's place on the diagonal, `band` either
            // side, clipped at a record end now and then.
            let diagonal = rng.chance(0.2) ? rng.int(-3 ... band) : band
            var text = (0 ..< max(0, diagonal + n + band - (rng.chance(0.2) ? rng.int(0 ... 10) : 0))).map { _ in
                UInt32(rng.int(0 ... alphabet))
            }
            if !text.isEmpty && rng.chance(0.7) {
                // A copy with edits, drifting within the band.
                var j = max(0, diagonal + rng.int(-band ... band) / 2)
                for token in pattern where j < text.count {
                    switch rng.int(0 ... 19) {
                    case 0: j += 1
                    case 1: continue
                    case 2: text[j] = UInt32(rng.int(0 ... alphabet)); j += 1
                    default: text[j] = token; j += 1
                    }
                }
            }
            let banded = bruteBandedSubstringDistance(pattern, in: text, diagonal: diagonal, band: band)
            let unbanded = bruteSubstringDistance(pattern.enumerated().map { $0.element == MatchingSequence.unknownID ? Int(-1 - $0.offset) : Int($0.element) },
                                                  in: text.map { Int($0) })
            let matcher = pattern.withUnsafeBufferPointer { BitParallelMatcher(pattern: $0, rows: rows) }
            for maxEdits in Set([banded - 1, banded, banded + 1, unbanded, n / 5]) where maxEdits >= 0 {
                for fromEnd in [false, true] {
                    let bound = text.withUnsafeBufferPointer {
                        matcher.withinBand($0, diagonal: diagonal, band: band, maxEdits: maxEdits, fromEnd: fromEnd)
                    }
                    // The bound is exactly its definition: pattern tokens with no equal token
                    // within `band` of their place on the diagonal, unknown tokens never equal.
                    let misses = pattern.indices.filter { i in
                        let stretch = max(0, min(text.count, diagonal + i - band)) ..< max(0, min(text.count, diagonal + i + band + 1))
                        return pattern[i] == MatchingSequence.unknownID || !text[stretch].contains(pattern[i])
                    }.count
                    #expect(bound == (misses <= maxEdits), "n=\(n) band \(band) diagonal \(diagonal) misses \(misses) maxEdits \(maxEdits)")
                    if !bound {
                        refused += 1
                        #expect(banded > maxEdits, "refused: n=\(n) band \(band) diagonal \(diagonal) banded distance \(banded) maxEdits \(maxEdits)")
                    }
                    let filtered = text.withUnsafeBufferPointer {
                        matcher.matches($0, maxEdits: maxEdits, diagonal: diagonal, band: band, fromEnd: fromEnd)
                    }
                    // Never more than the unbanded truth, never less than the banded one.
                    if filtered { #expect(unbanded <= maxEdits) }
                    if banded <= maxEdits { #expect(filtered, "n=\(n) banded distance \(banded) maxEdits \(maxEdits)") }
                    // The diagonal shortcut changes no answer: the same as the bound, then the distance.
                    let onDiagonal = text.withUnsafeBufferPointer {
                        matcher.withinEditsOnDiagonal($0, diagonal: diagonal, maxEdits: maxEdits, fromEnd: fromEnd)
                    }
                    if onDiagonal { acceptedOnDiagonal += 1 }
                    #expect(filtered == (bound && unbanded <= maxEdits) || n <= maxEdits,
                            "n=\(n) band \(band) diagonal \(diagonal) maxEdits \(maxEdits) on diagonal \(onDiagonal)")
                }
            }
        }
        // The bound must also refuse, and the shortcut accept: a test passed by accepting
        // everything, or by never taking the shortcut, says nothing.
        #expect(refused > 200, "refused \(refused)")
        #expect(acceptedOnDiagonal > 100, "accepted on the diagonal \(acceptedOnDiagonal)")
    }

    @Test("banded extensions: edits are never below the true distance and the threshold holds")
    func extensionsAreSound() throws {
        var rng = SplitMix64(seed: 0x4E_4541_5202)
        for _ in 0 ..< 600 {
            let similarity = rng.pick([0.7, 0.8, 0.9])
            let aligner = BandedAligner(band: rng.int(0 ... 12), maxGap: rng.int(1 ... 8), minSimilarity: similarity)
            let source = (0 ..< rng.int(0 ... 120)).map { _ in UInt32(rng.int(0 ... 30)) }
            let copy = plantNearCopy(source.map(String.init), edits: rng.int(0 ... source.count / 4), margin: 0,
                                     vocabulary: [], rng: &rng).map { UInt32($0) ?? UInt32(1000 + rng.int(0 ... 50)) }
            let gen = copy + (0 ..< rng.int(0 ... 20)).map { _ in UInt32(rng.int(0 ... 30)) }
            let record = source + (0 ..< rng.int(0 ... 20)).map { _ in UInt32(rng.int(0 ... 30)) }
            let core = rng.int(1 ... 20)
            var scratch = BandedAligner.Scratch()
            let e = aligner.extend(gen: { gen[$0] }, genCount: gen.count, record: { record[$0] }, recordCount: record.count,
                                   coreGen: core, coreRecord: core, coreEdits: 0, scratch: &scratch)
            #expect(e.genLength <= gen.count && e.recordLength <= record.count)
            let truth = bruteLevenshtein(Array(gen[0 ..< e.genLength]), Array(record[0 ..< e.recordLength]))
            #expect(e.edits.total >= truth)
            let total = Double(e.edits.total) / Double(max(core + e.genLength, core + e.recordLength))
            #expect(1 - total >= similarity - 1e-12)
            // The counts describe a real path: gen = matches + substitutions + insertions.
            #expect(e.edits.substitutions + e.edits.insertions <= e.genLength)
            #expect(e.edits.substitutions + e.edits.deletions <= e.recordLength)
            #expect(e.genLength - e.edits.insertions == e.recordLength - e.edits.deletions)
            if e.genLength > 0 { #expect(gen[e.genLength - 1] == record[e.recordLength - 1], "an extension ends on a match") }
        }
    }

    @Test("thresholds 0 and 1 and band 0 scan without trouble", arguments: [(0.0, 12), (1.0, 12), (0.8, 0), (0.5, 3)])
    func extremeSettings(similarity: Double, band: Int) throws {
        var rng = SplitMix64(seed: 0x4E_4541_5203)
        let (corpus, vocabulary) = CorpusGenerator.corpus(CorpusShape(recordCount: 20 ... 40), rng: &rng)
        let directory = OracleTempDirectory("near-extreme")
        defer { directory.remove() }
        let path = try buildOracleIndex(corpus, k: 4, w: 2, in: directory, name: "e.index")
        var scanOptions = ScanOptions()
        scanOptions.minSimilarity = similarity
        scanOptions.nearBand = band
        let scanner = GenerationScanner(context: try ScanContext(index: try MemscanIndex(path: path), options: scanOptions))
        for gen in 0 ..< 10 {
            let (tokens, _) = CorpusGenerator.generation(corpus: corpus, vocabulary: vocabulary, maxLength: 150, timeTokens: 0, rng: &rng)
            let result = try scanner.scan(InputRecord(id: "g\(gen)", location: MemscanCore.SourceLocation(file: "<x>", line: gen + 1),
                                                      content: .tokens(TokenList(tokens))))
            for span in result.spans where span.kind == .near {
                #expect(similarity < 1, "no near span can reach similarity 1 with an edit")
                #expect(span.similarity >= similarity - 1e-12 && span.edits.total > 0)
            }
        }
    }

    @Test("random corpora: every near span meets the threshold by brute force; planted copies are found",
          arguments: [(k: 4, w: 2, seed: UInt64(0x4E_0001), grouped: false), (k: 5, w: 1, seed: UInt64(0x4E_0002), grouped: false),
                      (k: 8, w: 9, seed: UInt64(0x4E_0003), grouped: false), (k: 4, w: 2, seed: UInt64(0x4E_0004), grouped: true),
                      (k: 8, w: 9, seed: UInt64(0x4E_0005), grouped: true)])
    func randomCorpora(k: Int, w: Int, seed: UInt64, grouped: Bool) throws {
        var rng = SplitMix64(seed: seed)
        let log = FailureLog()
        var nearSpans = 0, planted = 0, found = 0, guaranteed = 0, guaranteedFound = 0, exactEnds = 0
        for trial in 0 ..< 4 {
            var shape = CorpusShape()
            shape.recordCount = 30 ... 80
            shape.vocabulary = 30 ... 200
            shape.recordLength = 40 ... 220
            let (corpus, vocabulary) = CorpusGenerator.corpus(shape, rng: &rng)
            let directory = OracleTempDirectory("near-oracle")
            defer { directory.remove() }
            let blockTokens = rng.pick([16, 64, 100, 512])
            let path = try buildOracleIndex(corpus, k: k, w: w, in: directory, name: "n.index") { $0.blockTokens = blockTokens }
            let index = try MemscanIndex(path: path)
            var scanOptions = ScanOptions()
            scanOptions.minSimilarity = rng.pick([0.75, 0.8, 0.85])
            scanOptions.recordsCap = rng.pick([3, 1000])
            if grouped {
                // Every seed held twice or more goes through its context orders as a group.
                scanOptions.contextMinimum = 2
                scanOptions.contextBuildAfter = 0
            }
            let s = scanOptions.minSimilarity
            let scanner = GenerationScanner(context: try ScanContext(index: index, options: scanOptions))
            let G = k + w - 1
            let context = "k=\(k) w=\(w) seed=0x\(String(seed, radix: 16)) grouped=\(grouped) trial=\(trial) s=\(s)"
            for gen in 0 ..< 25 {
                // Novel tokens, a near copy of a record region, novel tokens.
                let candidates = corpus.records.indices.filter { corpus.records[$0].count >= 30 }
                guard !candidates.isEmpty else { continue }
                let source = rng.pick(candidates)
                let record = corpus.records[source]
                let length = rng.int(min(record.count, 2 * G) ... min(record.count, 120))
                let start = rng.int(0 ... record.count - length)
                let rate = rng.pick([0.0, 0.02, 0.05, 0.1, 0.15])
                let copy = plantNearCopy(Array(record[start ..< start + length]), edits: Int((rate * Double(length)).rounded()),
                                         margin: 2, vocabulary: vocabulary, rng: &rng)
                let before = (0 ..< rng.int(0 ... 30)).map { _ in "NOVEL//\(rng.int(0 ... 999_999))" }
                let after = (0 ..< rng.int(0 ... 30)).map { _ in "NOVEL//\(rng.int(0 ... 999_999))" }
                let tokens = before + copy + after
                let result = try scanner.scan(InputRecord(
                    id: "g\(gen)", location: MemscanCore.SourceLocation(file: "<near>", line: gen + 1),
                    content: .tokens(TokenList(tokens))))
                var failures: [String] = []
                for span in result.spans where span.kind == .near {
                    nearSpans += 1
                    guard let r = corpus.ids.firstIndex(of: span.record) else { failures.append("unknown record \(span.record)"); continue }
                    let genRegion = Array(tokens[span.start ..< span.end])
                    let recordRegion = Array(corpus.records[r][span.recordStart ..< span.recordEnd])
                    let distance = bruteLevenshtein(genRegion, recordRegion)
                    let truth = 1 - Double(distance) / Double(max(genRegion.count, recordRegion.count))
                    if truth < s - 1e-12 { failures.append("near span [\(span.start), \(span.end)) vs \(span.record)[\(span.recordStart), \(span.recordEnd)) has similarity \(truth) < \(s)") }
                    if span.edits.total < distance { failures.append("edits \(span.edits.total) below the distance \(distance)") }
                    if span.similarity > truth + 1e-12 { failures.append("reported similarity \(span.similarity) above the true \(truth)") }
                    let expected = 1 - Double(span.edits.total) / Double(max(genRegion.count, recordRegion.count))
                    if abs(span.similarity - expected) > 1e-12 { failures.append("similarity \(span.similarity) does not follow from the edits (\(expected))") }
                    if span.edits.total == 0 { failures.append("a near span without edits") }
                    if span.newTokens < G { failures.append("near span of \(span.newTokens) new tokens, below --min-length") }
                    // No record can hold a similar region unless the region is within
                    // (1 - s) n / s edits of one of its substrings.
                    if !span.recordsCapped {
                        let bound = Int(((1 - s) * Double(genRegion.count) / s).rounded(.down))
                        let possible = corpus.records.filter { bruteSubstringDistance(genRegion, in: $0) <= bound }.count
                        if span.records > possible { failures.append("records \(span.records) but only \(possible) records can hold a similar region") }
                        if span.records < 1 { failures.append("records \(span.records)") }
                    }
                    if let coreStart = span.coreStart, let coreEnd = span.coreEnd,
                       coreStart < span.start || coreEnd > span.end || coreEnd <= coreStart {
                        failures.append("core [\(coreStart), \(coreEnd)) outside the span")
                    }
                }
                // A verbatim span inside a near span of a record holding it is only its core,
                // unless fewer records hold it.
                for v in result.spans where v.kind == .verbatim {
                    if result.spans.contains(where: { $0.kind == .near && $0.start <= v.start && v.end <= $0.end && $0.recordIndex == v.recordIndex
                                                      && !(!v.recordsCapped && ($0.recordsCapped || v.records < $0.records)) }) {
                        failures.append("verbatim [\(v.start), \(v.end)) reported inside a near span of its record")
                    }
                }
                // The planted copy: found when a span names its record (or a record with the
                // same region) and covers most of it.
                let plantStart = before.count, plantEnd = before.count + copy.count
                let edits = bruteLevenshtein(copy, Array(record[start ..< start + length]))
                guard edits > 0, 1 - Double(edits) / Double(max(copy.count, length)) >= s + 0.02 else { continue }
                planted += 1
                let covering = result.spans.first { span in
                    min(span.end, plantEnd) - max(span.start, plantStart) >= (plantEnd - plantStart) * 3 / 4
                }
                if covering != nil { found += 1 }
                if let covering, abs(covering.start - plantStart) <= 2, abs(covering.end - plantEnd) <= 2 { exactEnds += 1 }
                // Guaranteed: an exact piece of at least G tokens that no other record holds
                // seeds the copy (DESIGN: lone seeds shared by many records are not extended).
                let longest = longestCommonRun(copy, Array(record[start ..< start + length]))
                if longest >= G && corpus.records.filter({ containsRun($0, longestRun: copy, length: longest) }).count <= NearFinder.commonSeedRecords {
                    guaranteed += 1
                    if result.spans.contains(where: { min($0.end, plantEnd) - max($0.start, plantStart) >= G }) { guaranteedFound += 1 } else {
                        failures.append("planted copy [\(plantStart), \(plantEnd)) of \(corpus.ids[source])[\(start), \(start + length)) with \(edits) edits and an exact run of \(longest) >= G not found")
                    }
                }
                log.record("\(context) gen=\(gen)", failures)
            }
        }
        #expect(nearSpans > 0)
        #expect(guaranteed > 0 && guaranteedFound == guaranteed)
        // Not a guarantee, but a regression alarm: most planted copies are found.
        #expect(Double(found) >= 0.8 * Double(planted), "found \(found) of \(planted) planted near copies")
        print("near oracle k=\(k) w=\(w) grouped=\(grouped): \(nearSpans) near spans checked; planted \(planted), found \(found), ends within 2 tokens \(exactEnds); guaranteed \(guaranteedFound)/\(guaranteed)")
    }
}

/// Length of the longest run of equal consecutive tokens shared by `a` and `b`.
func longestCommonRun(_ a: [String], _ b: [String]) -> Int {
    var best = 0
    var previous = [Int](repeating: 0, count: b.count + 1)
    for i in a.indices {
        var current = [Int](repeating: 0, count: b.count + 1)
        for j in b.indices where a[i] == b[j] {
            current[j + 1] = previous[j] + 1
            best = max(best, current[j + 1])
        }
        previous = current
    }
    return best
}

/// Whether `record` holds some run of `length` consecutive tokens of `copy`'s longest runs.
func containsRun(_ record: [String], longestRun copy: [String], length: Int) -> Bool {
    guard length > 0, copy.count >= length, record.count >= length else { return false }
    for s in 0 ... copy.count - length {
        let piece = Array(copy[s ..< s + length])
        for r in 0 ... record.count - length where Array(record[r ..< r + length]) == piece { return true }
    }
    return false
}
