import CMemscanShims

/// The records near record counting has listed for the current region, one bit each
/// (a region next to a template lists each holder once per seed of the template, 3.6
/// times on average at 10 M tokens, and most listings find the record listed already).
/// Emptied in time proportional to what was listed.
final class RecordListing {
    private var listed: UnsafeMutablePointer<UInt64>
    private var touched: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var touchedCount = 0
    private var words = 0
    private var fresh: UnsafeMutablePointer<Int32>
    private var freshCapacity = 0

    init() {
        listed = .allocate(capacity: 1)
        touched = .allocate(capacity: 1)
        fresh = .allocate(capacity: 1)
    }

    deinit {
        listed.deallocate()
        touched.deallocate()
        fresh.deallocate()
    }

    /// Makes room for records 0 ..< `records`; the listing must be empty.
    func reserve(records: Int) {
        let needed = (records + 63) >> 6
        guard needed > words else { return }
        listed.deallocate()
        touched.deallocate()
        listed = .allocate(capacity: needed)
        listed.initialize(repeating: 0, count: needed)
        // One more than the words: the shim writes a slot before deciding to keep it.
        touched = .allocate(capacity: needed + 1)
        words = needed
    }

    /// Lists `record`; whether it was not listed before.
    @inline(__always)
    func first(_ record: Int) -> Bool {
        let w = record >> 6, bit = UInt64(1) << UInt64(record & 63), word = listed[w]
        if word & bit != 0 { return false }
        if word == 0 {
            touched[touchedCount] = Int32(w)
            touchedCount += 1
        }
        listed[w] = word | bit
        return true
    }

    /// Lists the records of the occurrences of `order` in the rectangle, and returns the
    /// occurrences (ascending) whose record was not listed before; valid until the next call.
    func first(in order: ContextOrder, right: Range<Int>, left: Range<Int>) -> UnsafeBufferPointer<Int32> {
        let n = order.record.count
        if n > freshCapacity {
            fresh.deallocate()
            freshCapacity = max(n, 2 * freshCapacity)
            fresh = .allocate(capacity: freshCapacity)
        }
        let everything = right.count == n && left.count == n
        let count = order.record.withUnsafeBufferPointer { records in
            order.right.rank.withUnsafeBufferPointer { rightRank in
                order.left.rank.withUnsafeBufferPointer { leftRank in
                    ms_mark_first_listings(records.baseAddress, n, everything ? nil : rightRank.baseAddress,
                                           Int32(right.lowerBound), Int32(right.upperBound), leftRank.baseAddress,
                                           Int32(left.lowerBound), Int32(left.upperBound), listed, fresh, touched, &touchedCount)
                }
            }
        }
        return UnsafeBufferPointer(start: fresh, count: count)
    }

    func removeAll() {
        for i in 0 ..< touchedCount { listed[Int(touched[i])] = 0 }
        touchedCount = 0
    }
}
