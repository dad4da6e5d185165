/// Myers' bit-parallel edit distance (in the block form of Hyyrö and edlib) of one
/// pattern, the generation region of a near span, against many texts, the record
/// windows that may hold it: the smallest number of edits between the whole pattern
/// and any substring of the text. Counting the records that hold a near span checks
/// thousands of windows when the span overlaps a template; this does each in
/// ceil(n / 64) word operations per text token instead of a band of DP cells.
struct BitParallelMatcher {
    let length: Int
    private let words: Int
    /// Match masks: `masks[slot * words + b]` for the token in table slot `slot`.
    private var masks: [UInt64]
    /// Open-addressing table of the pattern's distinct tokens (`empty` marks a free slot).
    private var tokens: [UInt32]
    /// Occurrences in the pattern of the token in each slot.
    private var counts: [UInt16]
    /// A 4096-bit set of the pattern's tokens (by a hash): the first, cheapest bound.
    private var presence: [UInt64]
    private let tableMask: Int
    private static let empty = UInt32.max

    init(pattern: UnsafeBufferPointer<UInt32>) {
        length = pattern.count
        words = max(1, (pattern.count + 63) / 64)
        var size = 16
        while size < pattern.count * 2 { size <<= 1 }
        tableMask = size - 1
        tokens = [UInt32](repeating: BitParallelMatcher.empty, count: size)
        counts = [UInt16](repeating: 0, count: size)
        presence = [UInt64](repeating: 0, count: 64)
        // One row more than the table: all zeros, for tokens the pattern lacks.
        masks = [UInt64](repeating: 0, count: (size + 1) * words)
        for (i, token) in pattern.enumerated() where token != MatchingSequence.unknownID {
            let slot = insert(token)
            masks[slot * words + i / 64] |= 1 << UInt64(i % 64)
            counts[slot] &+= 1
            let bit = BitParallelMatcher.presenceBit(token)
            presence[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    @inline(__always)
    private static func presenceBit(_ token: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(token) &* 0xD6E8_FEB8_6659_FD93) >> 52)
    }

    @inline(__always)
    private static func home(_ token: UInt32, mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(token) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    private mutating func insert(_ token: UInt32) -> Int {
        var slot = BitParallelMatcher.home(token, mask: tableMask)
        while tokens[slot] != BitParallelMatcher.empty && tokens[slot] != token { slot = (slot + 1) & tableMask }
        tokens[slot] = token
        return slot
    }

    @inline(__always)
    private func slot(of token: UInt32) -> Int? {
        var slot = BitParallelMatcher.home(token, mask: tableMask)
        while true {
            let found = tokens[slot]
            if found == token { return slot }
            if found == BitParallelMatcher.empty { return nil }
            slot = (slot + 1) & tableMask
        }
    }

    /// Whether some substring of `text` is within `maxEdits` edits of the pattern.
    /// Unknown tokens (`MatchingSequence.unknownID`) match nothing.
    func matches(_ text: UnsafeBufferPointer<UInt32>, maxEdits: Int) -> Bool {
        guard length > 0 else { return true }
        if length <= maxEdits { return true }
        guard sharesEnoughTokens(text, maxEdits: maxEdits) else { return false }
        return masks.withUnsafeBufferPointer { masks in
            words == 1 ? matchesOneWord(text, maxEdits: maxEdits, masks: masks)
                       : matchesBlocks(text, maxEdits: maxEdits, masks: masks)
        }
    }

    /// A necessary condition, several times cheaper than the alignment: every pattern
    /// token left unmatched costs an edit, and at most as many of a token can be matched
    /// as the text holds. Windows of records that share only a template with the
    /// pattern fail it, most before their end.
    private func sharesEnoughTokens(_ text: UnsafeBufferPointer<UInt32>, maxEdits: Int) -> Bool {
        let needed = length - maxEdits
        // Past this many text tokens left unmatched, `needed` is out of reach.
        let spare = text.count - needed
        guard spare >= 0 else { return false }
        // First a bound that ignores how often a token occurs: text tokens that may be in
        // the pattern at all (one bit test each in a table that stays in L1).
        let possible = presence.withUnsafeBufferPointer { bits in
            var possible = 0, missed = 0
            for token in text {
                let bit = BitParallelMatcher.presenceBit(token)
                if bits[bit >> 6] & (1 << UInt64(bit & 63)) != 0 {
                    possible += 1
                    if possible >= needed { break }
                } else {
                    missed += 1
                    if missed > spare { break }
                }
            }
            return possible
        }
        guard possible >= needed else { return false }
        return tokens.withUnsafeBufferPointer { table in
            counts.withUnsafeBufferPointer { counts in
                withUnsafeTemporaryAllocation(of: UInt16.self, capacity: counts.count) { used in
                    used.initialize(repeating: 0)
                    let mask = tableMask
                    var matched = 0, missed = 0
                    for token in text {
                        var slot = BitParallelMatcher.home(token, mask: mask)
                        while table[slot] != token && table[slot] != BitParallelMatcher.empty { slot = (slot + 1) & mask }
                        if table[slot] == token && token != MatchingSequence.unknownID && used[slot] < counts[slot] {
                            used[slot] += 1
                            matched += 1
                            if matched >= needed { return true }
                        } else {
                            missed += 1
                            if missed > spare { return false }
                        }
                    }
                    return matched >= needed
                }
            }
        }
    }

    /// The match mask of `token` for block `b`, or 0.
    @inline(__always)
    private func mask(_ token: UInt32, _ b: Int, _ masks: UnsafeBufferPointer<UInt64>) -> UInt64 {
        guard token != MatchingSequence.unknownID, let slot = slot(of: token) else { return 0 }
        return masks[slot * words + b]
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
        let zeroRow = (tableMask + 1) * words
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * words) { state in
            // Vertical deltas of the DP column: +1 everywhere (column 0 is i).
            for b in 0 ..< words { state[2 * b] = ~0; state[2 * b + 1] = 0 }
            var score = length
            let base = masks.baseAddress!
            for (j, token) in text.enumerated() {
                let row = base + (token == MatchingSequence.unknownID ? zeroRow : (slot(of: token).map { $0 * words } ?? zeroRow))
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
