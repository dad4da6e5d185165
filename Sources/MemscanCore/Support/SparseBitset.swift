/// A set of small integers, one bit each, emptied in time proportional to the words it
/// touched: near record counting sets a few thousand bits per region in sets of
/// hundreds of thousands (records) or millions (corpus granules).
final class SparseBitset {
    private(set) var words: UnsafeMutablePointer<UInt64>
    /// The words that were zero when a bit was set in them; one slot more than the words,
    /// as `ms_mark_first_listings` writes a slot before deciding to keep it.
    private(set) var touched: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) var touchedCount = 0
    private var wordCount = 0

    init(bits: Int = 0) {
        words = .allocate(capacity: 1)
        touched = .allocate(capacity: 1)
        reserve(bits: bits)
    }

    deinit {
        words.deallocate()
        touched.deallocate()
    }

    /// Makes room for 0 ..< `bits`; the set must be empty.
    func reserve(bits: Int) {
        let needed = (bits + 63) >> 6
        guard needed > wordCount else { return }
        words.deallocate()
        touched.deallocate()
        words = .allocate(capacity: needed)
        words.initialize(repeating: 0, count: needed)
        touched = .allocate(capacity: needed + 1)
        wordCount = needed
    }

    /// Sets bit `i`; whether it was clear.
    @inline(__always)
    func insert(_ i: Int) -> Bool {
        let w = i >> 6, bit = UInt64(1) << UInt64(i & 63), word = words[w]
        if word & bit != 0 { return false }
        if word == 0 {
            touched[touchedCount] = Int32(w)
            touchedCount += 1
        }
        words[w] = word | bit
        return true
    }

    func removeAll() {
        for i in 0 ..< touchedCount { words[Int(touched[i])] = 0 }
        touchedCount = 0
    }
}
