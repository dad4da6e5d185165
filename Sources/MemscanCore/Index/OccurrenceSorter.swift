import CMemscanShims

/// Sorts the sampled shingle occurrences by (key, position) within a memory budget:
/// in memory when they fit, else as sorted runs in a spill file merged on reading
/// (the external sort of §8's larger-than-memory build).
final class OccurrenceSorter {
    private let memoryOccurrences: Int
    private let directory: String
    private var buffer: [ShingleOccurrence] = []
    private var file: SpillFile? = nil
    /// (first occurrence, count) of each run in the file.
    private var runs: [(start: Int, count: Int)] = []
    private(set) var count = 0

    init(memoryOccurrences: Int?, directory: String) {
        self.memoryOccurrences = max(1 << 12, memoryOccurrences ?? Int.max)
        self.directory = directory
    }

    func append(contentsOf occurrences: [ShingleOccurrence]) throws {
        buffer.append(contentsOf: occurrences)
        count += occurrences.count
        if buffer.count >= memoryOccurrences { try spill() }
    }

    private func spill() throws {
        guard !buffer.isEmpty else { return }
        OccurrenceSorter.sort(&buffer)
        if file == nil { file = try SpillFile(directory: directory) }
        let start = file!.size / MemoryLayout<ShingleOccurrence>.stride
        try buffer.withUnsafeBytes { try file!.append($0) }
        runs.append((start, buffer.count))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Sorts by (key, position). Occurrences arrive in position order (records in order,
    /// selected positions ascending in each), so a stable sort by key alone is enough: a
    /// radix sort, about three times faster than comparing (key, position) pairs, which
    /// took a tenth of a build. Any other input is sorted by comparison.
    static func sort(_ occurrences: inout [ShingleOccurrence]) {
        let n = occurrences.count
        guard n > 1 else { return }
        let inPositionOrder = occurrences.withUnsafeBufferPointer { all in
            (1 ..< n).allSatisfy { all[$0 - 1].position < all[$0].position }
        }
        guard inPositionOrder, n < Int(UInt32.max), MemoryLayout<ShingleOccurrence>.stride == 16 else {
            occurrences.sort(by: precedes)
            return
        }
        var scratch = [ShingleOccurrence](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        occurrences.withUnsafeMutableBytes { items in
            scratch.withUnsafeMutableBytes { ms_radix_sort_by_key(items.baseAddress, $0.baseAddress, n) }
        }
    }

    @inline(__always)
    static func precedes(_ a: ShingleOccurrence, _ b: ShingleOccurrence) -> Bool {
        a.key != b.key ? a.key < b.key : a.position < b.position
    }

    /// The occurrences in order; may be walked any number of times. Spilled runs are
    /// merged once into one sorted file, so that later walks read it straight through
    /// (the table build walks twice or more) instead of merging again.
    func finish() throws -> SortedOccurrences {
        if file == nil {
            OccurrenceSorter.sort(&buffer)
            var distinct = 0
            for i in buffer.indices where i == 0 || buffer[i].key != buffer[i - 1].key { distinct += 1 }
            return SortedOccurrences(memory: buffer, file: nil, runs: [], count: count, distinctKeys: distinct)
        }
        try spill()
        buffer = []
        let runs = SortedOccurrences(memory: [], file: file, runs: self.runs, count: count, distinctKeys: 0)
        let merged = try SpillFile(directory: directory)
        var pending: [ShingleOccurrence] = []
        pending.reserveCapacity(SortedOccurrences.readAhead)
        var distinct = 0
        var previous: UInt64? = nil
        try runs.forEach { occurrence in
            if occurrence.key != previous { distinct += 1 }
            previous = occurrence.key
            pending.append(occurrence)
            if pending.count == SortedOccurrences.readAhead {
                try pending.withUnsafeBytes { try merged.append($0) }
                pending.removeAll(keepingCapacity: true)
            }
            return true
        }
        try pending.withUnsafeBytes { try merged.append($0) }
        file = nil
        return SortedOccurrences(memory: [], file: merged, runs: [(0, count)], count: count, distinctKeys: distinct)
    }
}

/// Sampled occurrences in (key, position) order: an array, or runs merged on the fly.
struct SortedOccurrences {
    let memory: [ShingleOccurrence]
    let file: SpillFile?
    let runs: [(start: Int, count: Int)]
    let count: Int
    /// Distinct keys (table entries before fingerprint merges), counted while sorting.
    let distinctKeys: Int

    /// Occurrences read from a run at a time.
    static let readAhead = 1 << 14

    /// Calls `body` on every occurrence in order until it returns false; returns
    /// whether the walk reached the end.
    @discardableResult
    func forEach(_ body: (ShingleOccurrence) throws -> Bool) throws -> Bool {
        guard let file else {
            for occurrence in memory where try !body(occurrence) { return false }
            return true
        }
        // k-way merge: a binary heap of run cursors keyed by their current occurrence.
        var buffers = [[ShingleOccurrence]](repeating: [], count: runs.count)
        var next = [Int](repeating: 0, count: runs.count)       // next index in the run
        var offsets = [Int](repeating: 0, count: runs.count)    // index in the buffer
        func refill(_ r: Int) throws -> Bool {
            let remaining = runs[r].count - next[r]
            guard remaining > 0 else { return false }
            let n = min(remaining, SortedOccurrences.readAhead)
            buffers[r] = [ShingleOccurrence](repeating: ShingleOccurrence(key: 0, position: 0), count: n)
            try buffers[r].withUnsafeMutableBytes {
                try file.read(at: (runs[r].start + next[r]) * MemoryLayout<ShingleOccurrence>.stride, into: $0)
            }
            next[r] += n
            offsets[r] = 0
            return true
        }
        var heap: [Int] = []
        for r in runs.indices where try refill(r) { heap.append(r) }
        func current(_ r: Int) -> ShingleOccurrence { buffers[r][offsets[r]] }
        func less(_ a: Int, _ b: Int) -> Bool { OccurrenceSorter.precedes(current(heap[a]), current(heap[b])) }
        func siftDown(_ from: Int) {
            var i = from
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < heap.count && less(l, smallest) { smallest = l }
                if r < heap.count && less(r, smallest) { smallest = r }
                if smallest == i { return }
                heap.swapAt(i, smallest)
                i = smallest
            }
        }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        while let top = heap.first {
            guard try body(current(top)) else { return false }
            offsets[top] += 1
            if offsets[top] == buffers[top].count {
                let more = try refill(top)
                if !more {
                    heap[0] = heap[heap.count - 1]
                    heap.removeLast()
                }
            }
            if !heap.isEmpty { siftDown(0) }
        }
        return true
    }
}
