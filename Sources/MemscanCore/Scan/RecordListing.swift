import CMemscanShims

/// The records near record counting has listed for the current region, one bit each
/// (a region next to a template lists each holder once per seed of the template, 3.6
/// times on average at 10 M tokens, and most listings find the record listed already).
/// Emptied in time proportional to what was listed.
final class RecordListing {
    private let listed = SparseBitset()
    private var fresh: UnsafeMutablePointer<Int32>
    private var freshCapacity = 0

    init() { fresh = .allocate(capacity: 1) }

    deinit { fresh.deallocate() }

    /// Makes room for records 0 ..< `records`; the listing must be empty.
    func reserve(records: Int) { listed.reserve(bits: records) }

    /// Lists `record`; whether it was not listed before.
    @inline(__always)
    func first(_ record: Int) -> Bool { listed.insert(record) }

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
        if everything {
            // Only a record's first occurrence can be its first listing.
            let count = order.firstRecords.withUnsafeBufferPointer { records in
                ms_mark_first_listings(records.baseAddress, records.count, nil, 0, 0, nil, 0, 0, listed.words, fresh,
                                       listed.touched, &listed.touchedCount)
            }
            order.firstOccurrences.withUnsafeBufferPointer { first in
                for i in 0 ..< count { fresh[i] = first[Int(fresh[i])] }
            }
            return UnsafeBufferPointer(start: fresh, count: count)
        }
        let count = order.record.withUnsafeBufferPointer { records in
            order.right.rank.withUnsafeBufferPointer { rightRank in
                order.left.rank.withUnsafeBufferPointer { leftRank in
                    ms_mark_first_listings(records.baseAddress, n, rightRank.baseAddress,
                                           Int32(right.lowerBound), Int32(right.upperBound), leftRank.baseAddress,
                                           Int32(left.lowerBound), Int32(left.upperBound), listed.words, fresh,
                                           listed.touched, &listed.touchedCount)
                }
            }
        }
        return UnsafeBufferPointer(start: fresh, count: count)
    }

    func removeAll() { listed.removeAll() }
}
