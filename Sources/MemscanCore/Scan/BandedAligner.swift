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

    fileprivate struct Cell {
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
    /// Buffers reused from one extension to the next.
    struct Scratch {
        fileprivate var previous: [Cell] = []
        fileprivate var current: [Cell] = []
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

        if scratch.previous.count != width {
            scratch.previous = [Cell](repeating: .unreachable, count: width)
            scratch.current = scratch.previous
        }
        for d in 0 ..< width { scratch.previous[d] = .unreachable }
        // Row 0: record tokens skipped before the first generation token (deletions).
        for d in band ..< width {
            let j = d - band
            if j > recordCount { break }
            scratch.previous[d] = Cell(substitutions: 0, insertions: 0, deletions: Int32(j), endsOnMatch: j == 0)
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
            var rowBest = -Double.infinity
            var rowEnd: (slack: Double, cell: Cell, j: Int)? = nil
            for d in 0 ..< width {
                let j = i + d - band
                if j < 0 || j > recordCount { scratch.current[d] = .unreachable; continue }
                var cell = Cell.unreachable
                if j >= 1 {
                    let diagonal = scratch.previous[d]
                    if diagonal.cost < Cell.unreachable.substitutions {
                        let equal = comparable && scratch.record[j - 1] == token
                        cell = diagonal
                        if !equal { cell.substitutions += 1 }
                        cell.endsOnMatch = equal
                    }
                }
                if d + 1 < width, scratch.previous[d + 1].cost + 1 < cell.cost {
                    cell = scratch.previous[d + 1]
                    cell.insertions += 1
                    cell.endsOnMatch = false
                }
                if d >= 1, j >= 1, scratch.current[d - 1].cost + 1 < cell.cost {
                    cell = scratch.current[d - 1]
                    cell.deletions += 1
                    cell.endsOnMatch = false
                }
                scratch.current[d] = cell
                guard cell.cost < Cell.unreachable.substitutions else { continue }
                let value = slack(i, j, cell.cost)
                rowBest = max(rowBest, value)
                if cell.endsOnMatch, rowEnd == nil || value > rowEnd!.slack {
                    rowEnd = (value, cell, j)
                }
            }
            if let end = rowEnd {
                scratch.rows.append(Extension(genLength: i, recordLength: end.j, edits: EditCounts(
                    substitutions: Int(end.cell.substitutions), insertions: Int(end.cell.insertions),
                    deletions: Int(end.cell.deletions))))
                scratch.rowSlack.append(end.slack)
                best = max(best, end.slack)
            }
            if rowBest < best - maxGap || rowBest == -Double.infinity { break }
            swap(&scratch.previous, &scratch.current)
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
