/// A wavelet matrix over a permutation of 0 ..< n: counts and lists the points
/// (position, value) inside a rectangle of positions x values in O(log n) per count
/// and per point listed. A context order keeps one over the left-context ranks of its
/// occurrences in right-context order, so that the occurrences whose extensions reach
/// given lengths on both sides (a rectangle of ranks) are counted without visiting
/// them.
///
/// Each level splits on two bits of the value (a digit 0 ... 3), not one: a level's
/// rank is a dependent cache miss, and with one bit per level those misses were most
/// of the time spent counting (8-17% of an exhaustive scan); two bits halve them.
///
/// The values are also kept in position order: most rectangles of a scan span a few dozen
/// positions, and reading those few values in a row (one or two cache lines) is cheaper
/// than even a two-bit walk, a dependent miss per level for every value listed.
struct WaveletMatrix: Sendable {
    /// Per level (most significant digit first) and 64-position block, one 32-byte block:
    /// the digits' high bits, their low bits, then as 32-bit counts the digits below
    /// 0, 1, 2 and 3 before the block (the first always 0, so that the digit indexes its
    /// count). Blocks are 32-byte aligned, so a rank at a position, of a digit or of the
    /// digits below it, reads one cache line. After the levels: per level the position
    /// where each digit's values begin at the next level, then the values themselves.
    private let storage: Storage
    private let levels: Int
    private let blocksPerLevel: Int
    let count: Int

    private static let blockBytes = 32
    /// Rectangles spanning at most so many positions are read from the values rather than
    /// walked. Measured on random permutations of 300,000 (a walk that misses the cache):
    /// reading wins by 3-10x for counts up to 512 positions; listings also sort what they
    /// read, which at 128 positions all inside costs a few microseconds, still far below the
    /// walk's one miss per level per value.
    static let readLimits = (count: 256, list: 128)
    /// `readLimits`, or none (0, 0) for tests of the walk itself.
    private let countScanLimit: Int, listScanLimit: Int

    /// Owns the aligned allocation, which an array cannot promise. `@unchecked Sendable`:
    /// it is written only in `WaveletMatrix.init`, before it is shared, and read after.
    private final class Storage: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        init(byteCount: Int) {
            base = .allocate(byteCount: byteCount, alignment: 64)
            base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        }
        deinit { base.deallocate() }
    }

    /// - Parameter values: a permutation of 0 ..< values.count.
    init(_ values: [Int32], readLimits: (count: Int, list: Int) = Self.readLimits) {
        count = values.count
        countScanLimit = readLimits.count
        listScanLimit = readLimits.list
        let bits = max(1, Int.bitWidth - max(1, values.count - 1).leadingZeroBitCount)
        let levels = (bits + 1) / 2, blocks = count / 64 + 1
        self.levels = levels
        blocksPerLevel = blocks
        let startsOffset = levels * blocks * Self.blockBytes
        let valuesOffset = startsOffset + levels * 4 * MemoryLayout<Int>.stride
        storage = Storage(byteCount: valuesOffset + count * MemoryLayout<Int32>.stride)
        let base = storage.base
        let n = count
        values.withUnsafeBytes { if let source = $0.baseAddress { (base + valuesOffset).copyMemory(from: source, byteCount: $0.count) } }
        // The values in this level's order, then room for the next level's.
        let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 2 * max(1, n))
        defer { buffer.deallocate() }
        _ = buffer.initialize(fromContentsOf: values)
        var current = buffer.baseAddress!, next = current + n
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4) { placed in
            for l in 0 ..< levels {
                let shift = 2 * (levels - 1 - l)
                let level = base + l * blocks * Self.blockBytes
                var below1: UInt32 = 0, below2: UInt32 = 0, below3: UInt32 = 0
                for b in 0 ..< blocks {
                    let first = b << 6, end = min(n, first + 64)
                    var high: UInt64 = 0, low: UInt64 = 0
                    for i in first ..< max(first, end) {
                        let digit = UInt64(truncatingIfNeeded: current[i] >> shift) & 3
                        high |= (digit >> 1) << UInt64(i & 63)
                        low |= (digit & 1) << UInt64(i & 63)
                    }
                    let block = level + b * Self.blockBytes
                    block.storeBytes(of: high, as: UInt64.self)
                    block.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
                    block.storeBytes(of: below1, toByteOffset: 20, as: UInt32.self)
                    block.storeBytes(of: below2, toByteOffset: 24, as: UInt32.self)
                    block.storeBytes(of: below3, toByteOffset: 28, as: UInt32.self)
                    // Padding past the last value would read as digit 0.
                    let valid = end - first >= 64 ? ~0 : ((1 as UInt64) &<< UInt64(max(0, end - first))) &- 1
                    below1 &+= UInt32((~high & ~low & valid).nonzeroBitCount)
                    below2 &+= UInt32((~high & valid).nonzeroBitCount)
                    below3 &+= UInt32((~(high & low) & valid).nonzeroBitCount)
                }
                let startSlot = base + startsOffset + 4 * l * MemoryLayout<Int>.stride
                placed[0] = 0
                placed[1] = Int(below1)
                placed[2] = Int(below2)
                placed[3] = Int(below3)
                for d in 0 ..< 4 { startSlot.storeBytes(of: placed[d], toByteOffset: d * MemoryLayout<Int>.stride, as: Int.self) }
                // Stable partition by digit.
                for i in 0 ..< n {
                    let v = current[i], digit = Int(truncatingIfNeeded: v >> shift) & 3
                    next[placed[digit]] = v
                    placed[digit] += 1
                }
                swap(&current, &next)
            }
        }
    }

    /// Where a level's digit `d` values begin at the next level.
    @inline(__always)
    private func childStart(level n: Int, digit d: Int, _ base: UnsafeRawPointer) -> Int {
        base.load(fromByteOffset: levels * blocksPerLevel * Self.blockBytes + (4 * n + d) * MemoryLayout<Int>.stride, as: Int.self)
    }

    /// The values in position order.
    @inline(__always)
    private func values(_ base: UnsafeRawPointer) -> UnsafePointer<Int32> {
        (base + (levels * blocksPerLevel * Self.blockBytes + levels * 4 * MemoryLayout<Int>.stride)).assumingMemoryBound(to: Int32.self)
    }

    /// Points with position in `positions` and value in lower ..< upper (within
    /// 0 ... count), read one by one.
    @inline(__always)
    private func scanCount(_ positions: Range<Int>, _ lower: Int, _ upper: Int, _ base: UnsafeRawPointer) -> Int {
        let values = values(base), width = UInt(upper - lower)
        var result = 0
        for p in positions where UInt(bitPattern: Int(values[p]) - lower) < width { result += 1 }
        return result
    }

    /// Values before position `i` of level `level` (a level's base) with a digit below
    /// `d` and with digit `d`. `d` selects masks rather than branches: it follows the
    /// bound's digits, which are unpredictable.
    @inline(__always)
    private static func below(_ i: Int, digit d: Int, in level: UnsafeRawPointer) -> (below: Int, equal: Int) {
        let block = level + (i >> 6) * blockBytes
        let high = block.load(as: UInt64.self), low = block.load(fromByteOffset: 8, as: UInt64.self)
        let before = (1 as UInt64) &<< UInt64(i & 63) &- 1
        let highSet: UInt64 = d & 2 == 0 ? 0 : ~0, lowSet: UInt64 = d & 1 == 0 ? 0 : ~0
        let sameHigh = ~(high ^ highSet)
        let belowMask = (highSet & ~high) | (sameHigh & lowSet & ~low)
        let equalMask = sameHigh & ~(low ^ lowSet)
        let countBelow = Int(block.load(fromByteOffset: 16 + 4 * d, as: UInt32.self))
        let countUpTo = d == 3 ? i & ~63 : Int(block.load(fromByteOffset: 20 + 4 * d, as: UInt32.self))
        return (countBelow + (belowMask & before).nonzeroBitCount, countUpTo - countBelow + (equalMask & before).nonzeroBitCount)
    }

    /// Points with position in `positions` and value below `bound`.
    func count(_ positions: Range<Int>, below bound: Int) -> Int {
        guard !positions.isEmpty, bound > 0 else { return 0 }
        if bound >= count { return positions.count }
        let base = UnsafeRawPointer(storage.base), levels = levels, levelBytes = blocksPerLevel * Self.blockBytes
        if positions.count <= countScanLimit { return scanCount(positions, 0, bound, base) }
        var low = positions.lowerBound, high = positions.upperBound
        var result = 0
        for n in 0 ..< levels {
            let d = (bound >> (2 * (levels - 1 - n))) & 3
            let level = base + n * levelBytes
            let atLow = Self.below(low, digit: d, in: level), atHigh = Self.below(high, digit: d, in: level)
            result += atHigh.below - atLow.below
            let start = childStart(level: n, digit: d, base)
            low = start + atLow.equal
            high = start + atHigh.equal
            if low >= high { break }
        }
        return result
    }

    /// Points inside positions x values: the points below its upper bound less those
    /// below its lower bound. The two walks share their path down to the first digit
    /// where the bounds differ, so those levels are read once, and from there on they go
    /// level by level side by side so that their cache misses overlap.
    func count(_ positions: Range<Int>, _ values: Range<Int>) -> Int {
        guard !positions.isEmpty else { return 0 }
        let lower = max(0, values.lowerBound), upper = min(count, values.upperBound)
        guard lower < upper else { return 0 }
        let base = UnsafeRawPointer(storage.base), levels = levels, levelBytes = blocksPerLevel * Self.blockBytes
        if positions.count <= countScanLimit { return scanCount(positions, lower, upper, base) }
        if upper == count { return positions.count - count(positions, below: lower) }
        if lower == 0 { return count(positions, below: upper) }
        var low = positions.lowerBound, high = positions.upperBound
        // The bounds differ, so some digit does, at the latest at the last level.
        var n = 0
        while true {
            let shift = 2 * (levels - 1 - n)
            let d = (upper >> shift) & 3
            if d != (lower >> shift) & 3 { break }
            let level = base + n * levelBytes, start = childStart(level: n, digit: d, base)
            low = start + Self.below(low, digit: d, in: level).equal
            high = start + Self.below(high, digit: d, in: level).equal
            if low >= high { return 0 }
            n += 1
        }
        var upperLow = low, upperHigh = high, lowerLow = low, lowerHigh = high
        var result = 0
        while n < levels {
            let shift = 2 * (levels - 1 - n), level = base + n * levelBytes
            if upperLow < upperHigh {
                let d = (upper >> shift) & 3, start = childStart(level: n, digit: d, base)
                let atLow = Self.below(upperLow, digit: d, in: level), atHigh = Self.below(upperHigh, digit: d, in: level)
                result += atHigh.below - atLow.below
                upperLow = start + atLow.equal
                upperHigh = start + atHigh.equal
            }
            if lowerLow < lowerHigh {
                let d = (lower >> shift) & 3, start = childStart(level: n, digit: d, base)
                let atLow = Self.below(lowerLow, digit: d, in: level), atHigh = Self.below(lowerHigh, digit: d, in: level)
                result -= atHigh.below - atLow.below
                lowerLow = start + atLow.equal
                lowerHigh = start + atHigh.equal
            }
            n += 1
        }
        return result
    }

    /// Calls `body` with the value of each point inside positions x values, in
    /// ascending value order, while it returns true.
    ///
    /// A depth-first walk with its own stack over the matrix's raw blocks: a recursive
    /// walk retained and released the matrix's storage at every node it visited (4% of
    /// the scan of memorization-heavy generations).
    func forEachValue(_ positions: Range<Int>, _ values: Range<Int>, _ body: (Int) throws -> Bool) rethrows {
        guard !positions.isEmpty, !values.isEmpty else { return }
        let base = UnsafeRawPointer(storage.base), levels = levels, levelBytes = blocksPerLevel * Self.blockBytes
        if positions.count <= listScanLimit {
            let lower = max(0, values.lowerBound), upper = min(count, values.upperBound)
            guard lower < upper else { return }
            let inOrder = self.values(base), width = UInt(upper - lower)
            try withUnsafeTemporaryAllocation(of: Int32.self, capacity: positions.count) { found in
                // Insertion sort: the few values inside arrive in no order.
                var k = 0
                for p in positions {
                    let v = inOrder[p]
                    guard UInt(bitPattern: Int(v) - lower) < width else { continue }
                    var j = k
                    while j > 0 && found[j - 1] > v {
                        found[j] = found[j - 1]
                        j -= 1
                    }
                    found[j] = v
                    k += 1
                }
                for i in 0 ..< k where !(try body(Int(found[i]))) { return }
            }
            return
        }
        // A node's children are visited in ascending digit order, so they are pushed in
        // descending order; the stack never holds more than three nodes per level plus
        // the four children of the node being split.
        try withUnsafeTemporaryAllocation(of: Node.self, capacity: 3 * levels + 4) { stack in
            stack[0] = Node(level: 0, low: positions.lowerBound, high: positions.upperBound, prefix: 0)
            var top = 1
            while top > 0 {
                top -= 1
                let node = stack[top]
                let n = node.level
                if n == levels {
                    for _ in node.low ..< node.high where !(try body(node.prefix)) { return }
                    continue
                }
                if node.high - node.low == 1 {
                    // One position (most nodes a few levels down a wide listing): follow
                    // its digit alone, one count per level instead of three per side.
                    var at = node.low, prefix = node.prefix, m = n
                    while m < levels {
                        let level = base + m * levelBytes, block = level + (at >> 6) * Self.blockBytes
                        let d = Int(truncatingIfNeeded: block.load(fromByteOffset: 8, as: UInt64.self) >> UInt64(at & 63)) & 1
                            | Int(truncatingIfNeeded: block.load(as: UInt64.self) >> UInt64(at & 63)) << 1 & 2
                        prefix = prefix << 2 | d
                        guard overlaps(prefix, 2 * (levels - 1 - m), values) else { break }
                        at = childStart(level: m, digit: d, base) + Self.below(at, digit: d, in: level).equal
                        m += 1
                    }
                    if m == levels, !(try body(prefix)) { return }
                    continue
                }
                // The children whose values (prefix << shift ..< (prefix + 1) << shift)
                // meet `values`: usually one, deep down a narrow listing, which needs one
                // count per side rather than three.
                let shift = 2 * (levels - 1 - n), level = base + n * levelBytes
                let lowest = max(0, (max(0, values.lowerBound) >> shift) - node.prefix << 2)
                let highest = min(3, ((values.upperBound - 1) >> shift) - node.prefix << 2)
                if lowest == highest {
                    let d = lowest, start = childStart(level: n, digit: d, base)
                    let childLow = start + Self.below(node.low, digit: d, in: level).equal
                    let childHigh = start + Self.below(node.high, digit: d, in: level).equal
                    if childLow < childHigh {
                        stack[top] = Node(level: n + 1, low: childLow, high: childHigh, prefix: node.prefix << 2 | d)
                        top += 1
                    }
                    continue
                }
                let lowBelow = Self.belowEach(node.low, in: level), highBelow = Self.belowEach(node.high, in: level)
                var d = highest
                while d >= lowest {
                    let childLow = lowBelow.upTo(d) - lowBelow.below(d), childHigh = highBelow.upTo(d) - highBelow.below(d)
                    if childLow < childHigh {
                        let start = childStart(level: n, digit: d, base)
                        stack[top] = Node(level: n + 1, low: start + childLow, high: start + childHigh, prefix: node.prefix << 2 | d)
                        top += 1
                    }
                    d -= 1
                }
            }
        }
    }

    /// Values before a position with a digit below 1, 2, 3 and 4 (the position itself).
    private struct Below {
        var counts: (Int, Int, Int, Int)
        @inline(__always)
        func below(_ d: Int) -> Int {
            switch d {
            case 0: 0
            case 1: counts.0
            case 2: counts.1
            default: counts.2
            }
        }
        @inline(__always)
        func upTo(_ d: Int) -> Int {
            switch d {
            case 0: counts.0
            case 1: counts.1
            case 2: counts.2
            default: counts.3
            }
        }
    }

    /// Values before position `i` of a level with each digit bound, for splitting a node
    /// into its four children.
    @inline(__always)
    private static func belowEach(_ i: Int, in level: UnsafeRawPointer) -> Below {
        let block = level + (i >> 6) * blockBytes
        let high = block.load(as: UInt64.self), low = block.load(fromByteOffset: 8, as: UInt64.self)
        let before = (1 as UInt64) &<< UInt64(i & 63) &- 1
        return Below(counts: (
            Int(block.load(fromByteOffset: 20, as: UInt32.self)) + (~high & ~low & before).nonzeroBitCount,
            Int(block.load(fromByteOffset: 24, as: UInt32.self)) + (~high & before).nonzeroBitCount,
            Int(block.load(fromByteOffset: 28, as: UInt32.self)) + (~(high & low) & before).nonzeroBitCount,
            i))
    }

    /// A node of the walk: a range of positions at a level, and the value digits above it.
    private struct Node {
        var level: Int
        var low: Int
        var high: Int
        var prefix: Int
    }

    @inline(__always)
    private func overlaps(_ prefix: Int, _ shift: Int, _ values: Range<Int>) -> Bool {
        let first = prefix << shift, end = (prefix + 1) << shift
        return first < values.upperBound && end > values.lowerBound
    }
}
