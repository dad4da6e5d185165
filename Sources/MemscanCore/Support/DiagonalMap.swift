import CMemscanShims

/// Int -> Int open-addressing map for the scan's per-generation bookkeeping and the
/// builder's lookups by token (vocabulary hashes, successor ranks). It is cleared in
/// O(1) by bumping an epoch, because it is reset for every generation and Swift's
/// Dictionary (SipHash, allocation on clear) was a visible cost there.
/// Key, value and epoch share one 16-byte slot: on templates the map holds tens of
/// thousands of diagonals, and each probe is then one cache miss, not three.
/// Values must fit in an Int32 (generation positions, record indices).
struct DiagonalMap {
    private struct Slot {
        var key: Int
        var value: Int32
        var epoch: UInt32
    }

    private var slots: [Slot] = []
    private var epoch: UInt32 = 1
    private var count = 0
    private var mask = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        allocate(size)
    }

    private mutating func allocate(_ size: Int) {
        slots = [Slot](repeating: Slot(key: 0, value: 0, epoch: 0), count: size)
        mask = size - 1
        count = 0
    }

    mutating func removeAll() {
        epoch &+= 1
        if epoch == 0 {
            for i in slots.indices { slots[i].epoch = 0 }
            epoch = 1
        }
        count = 0
    }

    @inline(__always)
    private func slot(_ key: Int) -> Int { Int(truncatingIfNeeded: ms_fmix64(UInt64(bitPattern: Int64(key)))) & mask }

    /// Starts loading the slot of `key` (lookups a few steps ahead).
    @inline(__always)
    func prefetch(_ key: Int) {
        slots.withUnsafeBufferPointer { ms_prefetch($0.baseAddress! + slot(key)) }
    }

    @inline(__always)
    func value(for key: Int) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            var s = slot(key)
            while slots[s].epoch == epoch {
                if slots[s].key == key { return Int(slots[s].value) }
                s = (s + 1) & mask
            }
            return nil
        }
    }

    @inline(__always)
    mutating func set(_ key: Int, _ value: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        var s = slot(key)
        while slots[s].epoch == epoch {
            if slots[s].key == key {
                slots[s].value = Int32(truncatingIfNeeded: value)
                return
            }
            s = (s + 1) & mask
        }
        slots[s] = Slot(key: key, value: Int32(truncatingIfNeeded: value), epoch: epoch)
        count += 1
    }

    /// Adds `amount` to the value of `key` (0 when absent) and returns it.
    @inline(__always) @discardableResult
    mutating func add(_ key: Int, _ amount: Int) -> Int {
        if (count + 1) * 2 > slots.count { grow() }
        var s = slot(key)
        while slots[s].epoch == epoch {
            if slots[s].key == key {
                slots[s].value &+= Int32(truncatingIfNeeded: amount)
                return Int(slots[s].value)
            }
            s = (s + 1) & mask
        }
        slots[s] = Slot(key: key, value: Int32(truncatingIfNeeded: amount), epoch: epoch)
        count += 1
        return amount
    }

    private mutating func grow() {
        let old = slots, oldEpoch = epoch
        allocate(slots.count * 2)
        epoch = 1
        for slot in old where slot.epoch == oldEpoch { set(slot.key, Int(slot.value)) }
    }
}
