/// The vocabulary's open-addressing table: slot = token hash & mask, linear
/// probing, value = token id + 1 (0 = empty). At least half the slots stay empty.
enum VocabularyTable {
    static func build(hashes: [UInt64]) -> [UInt32] {
        var size = 2
        while size < hashes.count * 2 { size <<= 1 }
        var slots = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        for (id, hash) in hashes.enumerated() {
            var s = Int(truncatingIfNeeded: hash) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = UInt32(id + 1)
        }
        return slots
    }
}
