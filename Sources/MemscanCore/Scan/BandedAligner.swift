/// Token-level banded edit-distance alignment for near-verbatim spans.
///
/// Both routines work in *slack*: with s = 1 - min-similarity, a region pair of lengths
/// (g, r) with e edits meets the threshold exactly when s * max(g, r) - e >= 0. Every
/// matching token earns s, every edit costs 1, so slack is a running alignment score
/// whose sign is the threshold test.
struct BandedAligner {
    /// Largest drift between the generation and the record (net insertions minus
    /// deletions) an alignment may take.
    let band: Int
    /// Extension stops once the score has fallen this many edits below its best: the
    /// longest run of differences it will cross.
    let maxGap: Double
    /// 1 - min-similarity.
    let slackPerToken: Double
    init(band: Int, maxGap: Int, minSimilarity: Double) {
        self.band = max(0, band)
        self.maxGap = Double(max(1, maxGap))
        slackPerToken = 1 - minSimilarity
    }

    /// How far an alignment extends past a core, in one direction.
    struct Extension: Equatable {
        var genLength = 0
        var recordLength = 0
        var edits = EditCounts()
    }

    /// A DP cell is its cost (edits so far) and, packed in one word, its insertions (low
    /// 32 bits), deletions (next 31) and whether its last step matched two equal tokens
    /// (top bit; an extension may end only there). Substitutions are the rest of the
    /// cost. Two flat arrays instead of a struct per cell keep the row loop free of
    /// copies: it runs about 25 cells for every generation token an alignment crosses.
    fileprivate static let unreachable = Int32.max / 4
    fileprivate static let endsOnMatch: UInt64 = 1 << 63
    fileprivate static let oneDeletion: UInt64 = 1 << 32

    /// Buffers reused from one extension to the next.
    struct Scratch {
        fileprivate var gen: [UInt32] = []
        fileprivate var record: [UInt32] = []
        fileprivate var rows: [Extension] = []
        fileprivate var rowSlack: [Double] = []
    }

    /// Rows an extension runs without a single match before its score has fallen
    /// `maxGap` below where it started (each such row costs at least 1 - s).
    private var rowsWithoutMatch: Int {
        let drop = 1 - slackPerToken
        // At --min-similarity 0 nothing ever drops: there is no such bound.
        return drop <= 0 ? Int.max : Int(min(1e9, maxGap / drop)) + 2
    }

    /// Extends an alignment whose core spans `coreGen` generation and `coreRecord`
    /// record tokens with `coreEdits` edits, over `gen` and `record` (both read away
    /// from the core: index 0 is the token next to it). `record(j)` is asked for
    /// j below `recordCount` only.
    ///
    /// The alignment runs until its score falls `maxGap` below the best (the copy has
    /// ended). Its end is then the point, among those where the whole alignment still
    /// meets the threshold, with the most matches net of edits: a stretch of
    /// differences at the end of a copy is kept when matches outnumber its edits
    /// (a dense but real tail) and dropped when they do not (the copy is over and
    /// only chance matches follow).
    func extend(gen: (Int) -> UInt32, genCount: Int, record: (Int) throws -> UInt32, recordCount: Int,
                coreGen: Int, coreRecord: Int, coreEdits: Int, scratch: inout Scratch) rethrows -> Extension {
        let width = 2 * band + 1
        let s = slackPerToken
        func slack(_ i: Int, _ j: Int, _ cost: Int32) -> Double {
            s * Double(max(coreGen + i, coreRecord + j)) - Double(coreEdits + Int(cost))
        }
        // Tokens are read once each (not once per cell) into the scratch buffers.
        scratch.gen.removeAll(keepingCapacity: true)
        scratch.record.removeAll(keepingCapacity: true)
        func loadRecord(upTo j: Int) throws {
            let target = min(j, recordCount)
            while scratch.record.count < target { scratch.record.append(try record(scratch.record.count)) }
        }
        // Most seeds are copies of common phrasing whose surroundings differ at once:
        // when no token of the first rows occurs in the record tokens they can reach,
        // the alignment would stop there with nothing, so the rows are not computed.
        let probeRows = min(genCount, rowsWithoutMatch)
        try loadRecord(upTo: probeRows + band)
        var anyEqual = false
        for i in 0 ..< probeRows {
            let token = gen(i)
            scratch.gen.append(token)
            if !anyEqual && token != MatchingSequence.unknownID {
                let upper = min(scratch.record.count, i + band + 1)
                var j = max(0, i - band)
                while j < upper { if scratch.record[j] == token { anyEqual = true; break }; j += 1 }
            }
        }
        guard anyEqual else { return Extension() }

        // The two DP rows live on the stack for the whole extension and are swapped as
        // pointers: rows kept in the scratch arrays were re-borrowed (and their storage
        // retained and released) for every generation token.
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * width) { costs in
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * width) { allEdits in
        var previousCost = costs.baseAddress!, currentCost = previousCost + width
        var previousEdits = allEdits.baseAddress!, currentEdits = previousEdits + width
        let unreachable = BandedAligner.unreachable, endsOnMatch = BandedAligner.endsOnMatch
        // Row 0: record tokens skipped before the first generation token (deletions).
        for d in 0 ..< width {
            let j = d - band
            let reachable = j >= 0 && j <= recordCount
            previousCost[d] = reachable ? Int32(j) : unreachable
            previousEdits[d] = reachable ? UInt64(j) * BandedAligner.oneDeletion | (j == 0 ? endsOnMatch : 0) : 0
        }
        var best = slack(0, 0, 0)
        scratch.rows.removeAll(keepingCapacity: true)
        scratch.rowSlack.removeAll(keepingCapacity: true)
        scratch.rows.append(Extension())
        scratch.rowSlack.append(best)
        var i = 0
        while i < genCount {
            i += 1
            if scratch.gen.count < i { scratch.gen.append(gen(i - 1)) }
            try loadRecord(upTo: i + band)
            let token = scratch.gen[i - 1]
            let comparable = token != MatchingSequence.unknownID
            // Cells with 0 <= j <= recordCount, where j = i + d - band.
            let firstD = max(0, band - i), endD = min(width, recordCount - i + band + 1)
            let row: (best: Double, endSlack: Double, endD: Int) = scratch.record.withUnsafeBufferPointer { record in
                var rowBest = -Double.infinity, endSlack = -Double.infinity, endAt = -1
                for d in 0 ..< firstD { currentCost[d] = unreachable }
                if endD < width { for d in max(endD, 0) ..< width { currentCost[d] = unreachable } }
                guard firstD < endD else { return (rowBest, endSlack, endAt) }
                for d in firstD ..< endD {
                    let j = i + d - band
                    var cost = unreachable, edits: UInt64 = 0
                    if j >= 1 && previousCost[d] < unreachable {
                        let equal = comparable && record[j - 1] == token
                        cost = previousCost[d] + (equal ? 0 : 1)
                        edits = previousEdits[d] & ~endsOnMatch | (equal ? endsOnMatch : 0)
                    }
                    if d + 1 < width && previousCost[d + 1] + 1 < cost {
                        cost = previousCost[d + 1] + 1
                        edits = (previousEdits[d + 1] & ~endsOnMatch) + 1
                    }
                    if d >= 1 && j >= 1 && currentCost[d - 1] + 1 < cost {
                        cost = currentCost[d - 1] + 1
                        edits = (currentEdits[d - 1] & ~endsOnMatch) + BandedAligner.oneDeletion
                    }
                    currentCost[d] = cost
                    currentEdits[d] = edits
                    guard cost < unreachable else { continue }
                    let value = slack(i, j, cost)
                    rowBest = max(rowBest, value)
                    if edits & endsOnMatch != 0 && value > endSlack {
                        endSlack = value
                        endAt = d
                    }
                }
                return (rowBest, endSlack, endAt)
            }
            if row.endD >= 0 {
                let cost = Int(currentCost[row.endD]), edits = currentEdits[row.endD]
                let insertions = Int(edits & 0xFFFF_FFFF), deletions = Int((edits & ~endsOnMatch) >> 32)
                scratch.rows.append(Extension(genLength: i, recordLength: i + row.endD - band, edits: EditCounts(
                    substitutions: cost - insertions - deletions, insertions: insertions, deletions: deletions)))
                scratch.rowSlack.append(row.endSlack)
                best = max(best, row.endSlack)
            }
            if row.best < best - maxGap || row.best == -Double.infinity { break }
            swap(&previousCost, &currentCost)
            swap(&previousEdits, &currentEdits)
        }
        }
        }
        var chosen = Extension()
        var chosenNet = 0
        for r in scratch.rows.indices where scratch.rowSlack[r] >= 0 {
            let e = scratch.rows[r]
            let matches = e.genLength - e.edits.substitutions - e.edits.insertions
            let net = matches - e.edits.total
            if net > chosenNet { chosen = e; chosenNet = net }
        }
        return chosen
    }
}
