/// An append-only store of UInt32 values (the corpus token stream, with --ignore the
/// original positions, the shingle table's postings) that stays in memory up to
/// `memoryValues` and then moves to a spill file, flushing in chunks: what lets a
/// build stay under --memory-limit.
final class ValueSpool {
    private let memoryValues: Int
    private let directory: String
    // Appended to once per corpus token: no dynamic exclusivity check per append.
    @exclusivity(unchecked) private var buffer: [UInt32] = []
    private var file: SpillFile? = nil
    /// Values already in the file.
    private var spilled = 0

    /// - Parameter memoryValues: values kept in memory before spilling (nil: never spill).
    init(memoryValues: Int?, directory: String) {
        self.memoryValues = max(1 << 12, memoryValues ?? Int.max)
        self.directory = directory
    }

    var count: Int { spilled + buffer.count }

    @inline(__always)
    func append(_ value: UInt32) throws {
        buffer.append(value)
        if buffer.count >= memoryValues { try flush() }
    }

    private func flush() throws {
        if file == nil { file = try SpillFile(directory: directory) }
        try buffer.withUnsafeBytes { try file!.append($0) }
        spilled += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Hands out every value in order, a chunk at a time.
    func write(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var chunk: [UInt32] = []
        for start in stride(from: 0, to: count, by: 1 << 18) {
            chunk.removeAll(keepingCapacity: true)
            try read(start ..< min(count, start + (1 << 18)), into: &chunk)
            try chunk.withUnsafeBytes { try emit($0) }
        }
    }

    /// Appends the values at `range` to `values`.
    func read(_ range: Range<Int>, into values: inout [UInt32]) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        let fromFile = range.clamped(to: 0 ..< spilled)
        if !fromFile.isEmpty, let file {
            let start = values.count
            values.append(contentsOf: repeatElement(0, count: fromFile.count))
            try values.withUnsafeMutableBytes {
                try file.read(at: fromFile.lowerBound * 4, into: UnsafeMutableRawBufferPointer(rebasing: $0[start * 4 ..< (start + fromFile.count) * 4]))
            }
        }
        let fromBuffer = range.clamped(to: spilled ..< count)
        if !fromBuffer.isEmpty { values.append(contentsOf: buffer[(fromBuffer.lowerBound - spilled) ..< (fromBuffer.upperBound - spilled)]) }
    }
}
