import CMemscanShims
import Synchronization

/// Records by id, for targeted scans of grouped seeds: which of the thousands of
/// records holding a template is the prompting patient's is then a lookup, not a
/// comparison per record. Built on first use (a hash per record) and shared.
final class RecordIDLookup: Sendable {
    /// Top 32 bits of the id's hash, then the record, sorted.
    private let table = Mutex<[UInt64]?>(nil)

    /// The records whose id is `id`.
    func records(withID id: [UInt8], in index: MemscanIndex) -> [Int] {
        let sorted = table.withLock { table in
            if let table { return table }
            var built = [UInt64](repeating: 0, count: index.recordCount)
            for r in 0 ..< index.recordCount { built[r] = RecordIDLookup.key(index.recordIDBytes(r), record: r) }
            built.sort()
            table = built
            return built
        }
        let wanted = id.withUnsafeBytes { RecordIDLookup.hash($0) }
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) >> 1
            if sorted[mid] >> RecordIDLookup.recordBits < wanted { low = mid + 1 } else { high = mid }
        }
        var result: [Int] = []
        while low < sorted.count && sorted[low] >> RecordIDLookup.recordBits == wanted {
            let r = Int(sorted[low] & RecordIDLookup.recordMask)
            if id.withUnsafeBytes({ index.recordIDEquals(r, $0) }) { result.append(r) }
            low += 1
        }
        return result
    }

    private static let recordBits: UInt64 = 32
    private static let recordMask: UInt64 = (1 << recordBits) - 1

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        ms_xxh3(bytes.baseAddress, bytes.count, 0) >> recordBits
    }

    private static func key(_ bytes: UnsafeRawBufferPointer, record: Int) -> UInt64 {
        hash(bytes) << recordBits | UInt64(record) & recordMask
    }
}
