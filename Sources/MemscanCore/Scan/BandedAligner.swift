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

    private struct Cell {
        var substitutions: Int32
        var insertions: Int32
        var deletions: Int32
        /// Whether the last step was two equal tokens (an extension may end only there).
        var endsOnMatch: Bool
        var cost: Int32 { substitutions + insertions + deletions }
        static let unreachable = Cell(substitutions: Int32.max / 4, insertions: 0, deletions: 0, endsOnMatch: false)
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
                coreGen: Int, coreRecord: Int, coreEdits: Int, rows: inout [Extension]) rethrows -> Extension {
        let width = 2 * band + 1
        let s = slackPerToken
        func slack(_ i: Int, _ j: Int, _ cost: Int32) -> Double {
            s * Double(max(coreGen + i, coreRecord + j)) - Double(coreEdits + Int(cost))
        }
        var previous = [Cell](repeating: .unreachable, count: width)
        var current = previous
        // Row 0: record tokens skipped before the first generation token (deletions).
        for d in band ..< width {
            let j = d - band
            if j > recordCount { break }
            previous[d] = Cell(substitutions: 0, insertions: 0, deletions: Int32(j), endsOnMatch: j == 0)
        }
        var best = slack(0, 0, 0)
        rows.removeAll(keepingCapacity: true)
        rows.append(Extension())
        var rowSlack: [Double] = [best]
        var i = 0
        while i < genCount {
            i += 1
            let token = gen(i - 1)
            var rowBest = -Double.infinity
            var rowEnd: (slack: Double, cell: Cell, j: Int)? = nil
            for d in 0 ..< width {
                let j = i + d - band
                if j < 0 { current[d] = .unreachable; continue }
                if j > recordCount { current[d] = .unreachable; continue }
                var cell = Cell.unreachable
                if j >= 1 {
                    let diagonal = previous[d]
                    if diagonal.cost < Cell.unreachable.substitutions {
                        let equal = try record(j - 1) == token && token != MatchingSequence.unknownID
                        cell = diagonal
                        if !equal { cell.substitutions += 1 }
                        cell.endsOnMatch = equal
                    }
                }
                if d + 1 < width, previous[d + 1].cost + 1 < cell.cost {
                    cell = previous[d + 1]
                    cell.insertions += 1
                    cell.endsOnMatch = false
                }
                if d >= 1, j >= 1, current[d - 1].cost + 1 < cell.cost {
                    cell = current[d - 1]
                    cell.deletions += 1
                    cell.endsOnMatch = false
                }
                current[d] = cell
                guard cell.cost < Cell.unreachable.substitutions else { continue }
                let value = slack(i, j, cell.cost)
                rowBest = max(rowBest, value)
                if cell.endsOnMatch, rowEnd == nil || value > rowEnd!.slack {
                    rowEnd = (value, cell, j)
                }
            }
            if let end = rowEnd {
                rows.append(Extension(genLength: i, recordLength: end.j, edits: EditCounts(
                    substitutions: Int(end.cell.substitutions), insertions: Int(end.cell.insertions),
                    deletions: Int(end.cell.deletions))))
                rowSlack.append(end.slack)
                best = max(best, end.slack)
            }
            if rowBest < best - maxGap || rowBest == -Double.infinity { break }
            swap(&previous, &current)
        }
        var chosen = Extension()
        var chosenNet = 0
        for r in rows.indices where rowSlack[r] >= 0 {
            let e = rows[r]
            let matches = e.genLength - e.edits.substitutions - e.edits.insertions
            let net = matches - e.edits.total
            if net > chosenNet { chosen = e; chosenNet = net }
        }
        return chosen
    }

    /// The best alignment of the whole generation region `gen` (n tokens) against some
    /// region of `window` (the record tokens from `band` before the region's expected
    /// start to `band` after its expected end), free at both record ends. Returns the
    /// similarity 1 - edits / max(n, record length) of the alignment with fewest edits
    /// (ties: the higher similarity), or nil when no alignment stays inside the band.
    func bestSimilarity(gen: UnsafeBufferPointer<UInt32>, window: UnsafeBufferPointer<UInt32>, offset: Int) -> Double? {
        let n = gen.count, m = window.count
        guard n > 0 else { return nil }
        let width = 2 * band + 1
        // Cells hold (cost, record start); j = i + d + offset - band in window coordinates.
        var previousCost = [Int32](repeating: Int32.max / 4, count: width)
        var previousStart = [Int32](repeating: 0, count: width)
        var currentCost = previousCost
        var currentStart = previousStart
        for d in 0 ..< width {
            let j = d + offset - band
            if j >= 0 && j <= m { previousCost[d] = 0; previousStart[d] = Int32(j) }
        }
        for i in 1 ... n {
            let token = gen[i - 1]
            for d in 0 ..< width {
                let j = i + d + offset - band
                var cost = Int32.max / 4, start: Int32 = 0
                if j >= 0 && j <= m {
                    if j >= 1 && previousCost[d] < Int32.max / 4 {
                        cost = previousCost[d] + (window[j - 1] == token && token != MatchingSequence.unknownID ? 0 : 1)
                        start = previousStart[d]
                    }
                    if d + 1 < width && previousCost[d + 1] + 1 < cost {
                        cost = previousCost[d + 1] + 1
                        start = previousStart[d + 1]
                    }
                    if d >= 1 && j >= 1 && currentCost[d - 1] + 1 < cost {
                        cost = currentCost[d - 1] + 1
                        start = currentStart[d - 1]
                    }
                }
                currentCost[d] = cost
                currentStart[d] = start
            }
            swap(&previousCost, &currentCost)
            swap(&previousStart, &currentStart)
        }
        var result: Double? = nil
        for d in 0 ..< width where previousCost[d] < Int32.max / 4 {
            let j = n + d + offset - band
            let length = max(n, j - Int(previousStart[d]))
            let similarity = 1 - Double(previousCost[d]) / Double(length)
            if result == nil || similarity > result! { result = similarity }
        }
        return result
    }
}
