import CMemscanShims

/// Int -> Int open-addressing map for the scan's per-generation bookkeeping. It is
/// cleared in O(1) by bumping an epoch, because it is reset for every generation
/// and Swift's Dictionary (SipHash, allocation on clear) was a visible cost there.
struct DiagonalMap {
    private var keys: [Int] = []
    private var values: [Int] = []
    private var epochs: [UInt32] = []
    private var epoch: UInt32 = 1
    private var count = 0
    private var mask = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        allocate(size)
    }

    private mutating func allocate(_ size: Int) {
        keys = [Int](repeating: 0, count: size)
        values = [Int](repeating: 0, count: size)
        epochs = [UInt32](repeating: 0, count: size)
        mask = size - 1
        count = 0
    }

    mutating func removeAll() {
        epoch &+= 1
        if epoch == 0 {
            for i in epochs.indices { epochs[i] = 0 }
            epoch = 1
        }
        count = 0
    }

    @inline(__always)
    private func slot(_ key: Int) -> Int { Int(truncatingIfNeeded: ms_fmix64(UInt64(bitPattern: Int64(key)))) & mask }

    @inline(__always)
    func value(for key: Int) -> Int? {
        var s = slot(key)
        while epochs[s] == epoch {
            if keys[s] == key { return values[s] }
            s = (s + 1) & mask
        }
        return nil
    }

    @inline(__always)
    mutating func set(_ key: Int, _ value: Int) {
        if (count + 1) * 2 > keys.count { grow() }
        var s = slot(key)
        while epochs[s] == epoch {
            if keys[s] == key {
                values[s] = value
                return
            }
            s = (s + 1) & mask
        }
        epochs[s] = epoch
        keys[s] = key
        values[s] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values, oldEpochs = epochs, oldEpoch = epoch
        allocate(keys.count * 2)
        epoch = 1
        for i in oldKeys.indices where oldEpochs[i] == oldEpoch { set(oldKeys[i], oldValues[i]) }
    }
}
