import CMemscanShims

/// Where the chosen pieces' trigrams start, as a bit for each 8-token granule of the
/// corpus that holds one. A window is refused when no granule it overlaps holds a start:
/// never when a trigram lies inside it, and only a few tokens looser than the exact test.
final class TrigramStarts {
    static let granuleShift = 3
    private let granules: SparseBitset

    init(corpusTokens: Int) { granules = SparseBitset(bits: (corpusTokens >> TrigramStarts.granuleShift) + 64) }

    /// Replaces the starts with those of `lists` (positions below the corpus size).
    func set<Lists: Sequence>(_ lists: Lists) where Lists.Element == UnsafeBufferPointer<UInt32> {
        granules.removeAll()
        for list in lists where !list.isEmpty {
            ms_set_granules(list.baseAddress, list.count, Int32(TrigramStarts.granuleShift), granules.words,
                            granules.touched, &granules.touchedCount)
        }
    }

    /// The granules through a plain pointer, valid until the next `set`.
    var view: View { View(granules: UnsafePointer(granules.words)) }

    struct View {
        let granules: UnsafePointer<UInt64>

        /// Whether a granule overlapping the starts of trigrams inside `window` (global
        /// positions) holds a start: true whenever a trigram of the starts lies inside it.
        @inline(__always)
        func mayHoldTrigram(in window: Range<Int>) -> Bool {
            let last = window.upperBound - 3
            guard last >= window.lowerBound else { return false }
            let first = window.lowerBound >> TrigramStarts.granuleShift, end = last >> TrigramStarts.granuleShift
            var g = first
            while g <= end {
                let word = granules[g >> 6] >> UInt64(g & 63)
                if word != 0 { return word.trailingZeroBitCount <= end - g }
                g = (g | 63) + 1
            }
            return false
        }
    }
}
