/// Myers' bit-parallel edit distance (in the block form of Hyyrö and edlib) of one
/// pattern, the generation region of a near span, against many texts, the record
/// windows that may hold it: the smallest number of edits between the whole pattern
/// and any substring of the text. Counting the records that hold a near span checks
/// thousands of windows when the span overlaps a template; this does each in
/// ceil(n / 64) word operations per text token instead of a band of DP cells.
final class BitParallelMatcher {
    let length: Int
    /// The pattern itself, for the banded bound.
    private let pattern: [UInt32]
    private let words: Int
    /// Match masks: `masks[row * words + b]`, row 0 all zeros (tokens the pattern lacks),
    /// then a row per distinct pattern token.
    private let masks: [UInt64]
    /// Each distinct pattern token's row, by vocabulary id: a text token's mask is one
    /// load away (a hash probe's found-or-not branch mispredicted about half the time).
    private let rows: TokenRows
    private let rowsCapacity: Int
    private let rowMap: UnsafeMutablePointer<UInt32>

    /// Texts are record windows, whose tokens are vocabulary ids below `rows.capacity`;
    /// larger ones match nothing. One matcher at a time per `rows`: it sets the entries of
    /// its pattern's tokens and clears them when it goes.
    init(pattern: UnsafeBufferPointer<UInt32>, rows: TokenRows) {
        length = pattern.count
        self.pattern = Array(pattern)
        words = max(1, (pattern.count + 63) / 64)
        precondition(!rows.inUse, "one matcher at a time per TokenRows")
        rows.inUse = true
        var masks = [UInt64](repeating: 0, count: (pattern.count + 1) * words)
        // Rows numbered from 1 in order of first appearance.
        var next: UInt32 = 1
        for (i, token) in pattern.enumerated() where token != MatchingSequence.unknownID && Int(token) < rows.capacity {
            var row = rows.map[Int(token)]
            if row == 0 {
                row = next
                next += 1
                rows.map[Int(token)] = row
            }
            masks[Int(row) * words + i / 64] |= 1 << UInt64(i % 64)
        }
        self.masks = masks
        self.rows = rows
        rowsCapacity = rows.capacity
        rowMap = rows.map
    }

    deinit {
        for token in pattern where token != MatchingSequence.unknownID && Int(token) < rowsCapacity { rowMap[Int(token)] = 0 }
        rows.inUse = false
    }

    /// The row of `masks` for `token` (0, all zeros, when the pattern lacks it).
    @inline(__always)
    private func row(of token: UInt32) -> Int { Int(token) < rowsCapacity ? Int(rowMap[Int(token)]) : 0 }

    /// Whether some substring of `text` is within `maxEdits` edits of the pattern.
    /// Unknown tokens (`MatchingSequence.unknownID`) match nothing. With `band`, texts
    /// failing `withinBand` are refused first (see there).
    func matches(_ text: UnsafeBufferPointer<UInt32>, maxEdits: Int, diagonal: Int = 0, band: Int? = nil,
                 fromEnd: Bool = false) -> Bool {
        guard length > 0 else { return true }
        if length <= maxEdits { return true }
        if let band {
            if withinEditsOnDiagonal(text, diagonal: diagonal, maxEdits: maxEdits, fromEnd: fromEnd) { return true }
            if !withinBand(text, diagonal: diagonal, band: band, maxEdits: maxEdits, fromEnd: fromEnd) { return false }
        }
        return masks.withUnsafeBufferPointer { masks in
            words == 1 ? matchesOneWord(text, maxEdits: maxEdits, masks: masks)
                       : matchesBlocks(text, maxEdits: maxEdits, masks: masks)
        }
    }

    /// A sufficient condition for a match: the pattern against the text on `diagonal`
    /// alone (pattern position i against text position `diagonal` + i, a position outside
    /// the text costing a deletion) differs in at most `maxEdits` places. That alignment
    /// stays in the band, so `withinBand` would pass it too. Near copies of a template
    /// with substitutions only pass here (45% of the similar windows on the benchmark
    /// corpora) without the bound's walk and the edit distance; the walk starts at the
    /// end away from the seed, where the differences are, and stops at `maxEdits` + 1.
    func withinEditsOnDiagonal(_ text: UnsafeBufferPointer<UInt32>, diagonal: Int, maxEdits: Int, fromEnd: Bool) -> Bool {
        guard let base = text.baseAddress else { return length <= maxEdits }
        let n = length, m = text.count
        // Pattern positions whose diagonal partner lies in the text.
        let first = max(0, -diagonal), last = min(n, m - diagonal)
        var differences = n - max(0, last - first)
        guard differences <= maxEdits else { return false }
        return pattern.withUnsafeBufferPointer { pattern in
            // Unknown tokens match nothing, not even themselves.
            let p = pattern.baseAddress!, t = base + diagonal, unknown = MatchingSequence.unknownID
            if fromEnd {
                var i = last - 1
                while i >= first {
                    if p[i] != t[i] || p[i] == unknown { differences &+= 1; if differences > maxEdits { return false } }
                    i &-= 1
                }
            } else {
                var i = first
                while i < last {
                    if p[i] != t[i] || p[i] == unknown { differences &+= 1; if differences > maxEdits { return false } }
                    i &+= 1
                }
            }
            return true
        }
    }

    /// A necessary condition for an alignment whose matches all pair pattern position i
    /// with a text position within `band` of `diagonal` + i: each pattern token with no
    /// equal token in that stretch of text costs an edit. Windows of records that share
    /// only a template with the pattern hold the other pattern words too, but not near
    /// where the pattern has them: at 10 M corpus tokens this refuses 92% of them, against
    /// 1% for a bound on the bags of tokens. Each pattern token is compared with its
    /// stretch directly, its diagonal partner first (a branch-free pass over the rest
    /// vectorizes), and the check stops at `maxEdits` + 1 misses, most windows within a
    /// few tokens: sliding counters of the stretch cost an update per text token going in
    /// and out, most of them for tokens never looked at. `fromEnd` walks the pattern
    /// backwards: the caller starts at the end away from the seed that made the text a
    /// candidate, where the misses are.
    func withinBand(_ text: UnsafeBufferPointer<UInt32>, diagonal: Int, band: Int, maxEdits: Int, fromEnd: Bool) -> Bool {
        guard let base = text.baseAddress else { return length <= maxEdits }
        let m = text.count
        return pattern.withUnsafeBufferPointer { pattern in
            let n = pattern.count, unknown = MatchingSequence.unknownID
            var misses = 0
            var i = fromEnd ? n - 1 : 0
            let step = fromEnd ? -1 : 1
            for _ in 0 ..< n {
                let token = pattern[i]
                let low = max(0, min(m, diagonal &+ i &- band)), high = max(0, min(m, diagonal &+ i &+ band &+ 1))
                let partner = diagonal &+ i
                var found = false
                if token != unknown {
                    if partner >= low && partner < high && base[partner] == token {
                        found = true
                    } else {
                        var equal: UInt32 = 0
                        var j = low
                        while j < high {
                            equal |= base[j] == token ? 1 : 0
                            j &+= 1
                        }
                        found = equal != 0
                    }
                }
                if !found {
                    misses &+= 1
                    if misses > maxEdits { return false }
                }
                i &+= step
            }
            return true
        }
    }

    /// The match mask of `token` for block `b`, or 0.
    @inline(__always)
    private func mask(_ token: UInt32, _ b: Int, _ masks: UnsafeBufferPointer<UInt64>) -> UInt64 {
        masks[row(of: token) * words + b]
    }

    /// One step of a 64-row block: returns the horizontal delta out of row `bit`.
    @inline(__always)
    private static func step(_ pv: inout UInt64, _ mv: inout UInt64, _ eqIn: UInt64, hin: Int, bit: UInt64) -> Int {
        let hinIsNegative: UInt64 = hin < 0 ? 1 : 0
        let xv = eqIn | mv
        let eq = eqIn | hinIsNegative
        let xh = (((eq & pv) &+ pv) ^ pv) | eq
        var ph = mv | ~(xh | pv)
        var mh = pv & xh
        let hout = Int((ph >> bit) & 1) - Int((mh >> bit) & 1)
        ph = (ph << 1) | (hin > 0 ? 1 : 0)
        mh = (mh << 1) | hinIsNegative
        pv = mh | ~(xv | ph)
        mv = ph & xv
        return hout
    }

    private func matchesOneWord(_ text: UnsafeBufferPointer<UInt32>, maxEdits: Int, masks: UnsafeBufferPointer<UInt64>) -> Bool {
        let lastBit = UInt64(length - 1)
        var pv: UInt64 = ~0, mv: UInt64 = 0
        var score = length
        for (j, token) in text.enumerated() {
            // Row 0 is free (a match may start anywhere in the text): no carry in.
            score += BitParallelMatcher.step(&pv, &mv, mask(token, 0, masks), hin: 0, bit: lastBit)
            if score <= maxEdits { return true }
            // The score falls by at most one per text token.
            if score - (text.count - 1 - j) > maxEdits { return false }
        }
        return false
    }

    private func matchesBlocks(_ text: UnsafeBufferPointer<UInt32>, maxEdits: Int, masks: UnsafeBufferPointer<UInt64>) -> Bool {
        let words = self.words
        let lastBit = UInt64((length - 1) % 64)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * words) { state in
            // Vertical deltas of the DP column: +1 everywhere (column 0 is i).
            for b in 0 ..< words { state[2 * b] = ~0; state[2 * b + 1] = 0 }
            var score = length
            let base = masks.baseAddress!
            for (j, token) in text.enumerated() {
                let row = base + row(of: token) * words
                var hin = 0
                for b in 0 ..< words - 1 {
                    hin = BitParallelMatcher.step(&state[2 * b], &state[2 * b + 1], row[b], hin: hin, bit: 63)
                }
                hin = BitParallelMatcher.step(&state[2 * words - 2], &state[2 * words - 1], row[words - 1], hin: hin, bit: lastBit)
                score += hin
                if score <= maxEdits { return true }
                if score - (text.count - 1 - j) > maxEdits { return false }
            }
            return false
        }
    }
}

/// A row number for every vocabulary id, zero except for the tokens of the current
/// matcher's pattern (see `BitParallelMatcher.init(pattern:rows:)`).
final class TokenRows {
    let capacity: Int
    let map: UnsafeMutablePointer<UInt32>
    fileprivate var inUse = false

    init(vocabulary: Int) {
        capacity = vocabulary
        map = .allocate(capacity: max(1, vocabulary))
        map.initialize(repeating: 0, count: max(1, vocabulary))
    }

    deinit { map.deallocate() }
}
