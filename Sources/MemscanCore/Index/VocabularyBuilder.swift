import CMemscanShims

/// Assigns token ids while an index is built. Ids are provisional (first-seen
/// order) until `rankedOrder()` renumbers them by frequency, so frequent tokens
/// get small ids and the token store compresses better.
struct VocabularyBuilder {
    let seed: UInt64
    let ignore: IgnorePattern?
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private(set) var hashes: [UInt64] = []
    private(set) var ignored: [Bool] = []
    private(set) var counts: [Int] = []
    /// Token hash -> id (ids stay below 2^31: an index holds fewer matching tokens).
    private var byHash = DiagonalMap(capacity: 1 << 12)
    /// Tokens whose 64-bit hash collides with another token's (never seen in
    /// practice, but exactness must not depend on luck).
    private var collided: [[UInt8]: UInt32] = [:]

    init(seed: UInt64, ignore: IgnorePattern?) {
        self.seed = seed
        self.ignore = ignore
    }

    var count: Int { hashes.count }

    /// Returns the provisional id of the token, adding it when new.
    mutating func intern(_ token: UnsafeRawBufferPointer) -> UInt32 {
        let hash = ms_xxh3(token.baseAddress, token.count, seed)
        if let found = byHash.value(for: Int(bitPattern: UInt(hash))) {
            let known = UInt32(truncatingIfNeeded: found)
            if equalBytes(Int(known), token) {
                counts[Int(known)] += 1
                return known
            }
            let key = Array(token)
            if let other = collided[key] {
                counts[Int(other)] += 1
                return other
            }
            let id = add(token, hash: hash)
            collided[key] = id
            return id
        }
        let id = add(token, hash: hash)
        byHash.set(Int(bitPattern: UInt(hash)), Int(id))
        return id
    }

    func hash(of id: UInt32) -> UInt64 { hashes[Int(id)] }
    func isIgnored(_ id: UInt32) -> Bool { ignored[Int(id)] }

    private mutating func add(_ token: UnsafeRawBufferPointer, hash: UInt64) -> UInt32 {
        let id = UInt32(hashes.count)
        bytes.append(contentsOf: token)
        offsets.append(bytes.count)
        hashes.append(hash)
        counts.append(1)
        ignored.append(ignore?.matches(token) ?? false)
        return id
    }

    private func equalBytes(_ id: Int, _ token: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[id], end = offsets[id + 1]
        guard end - start == token.count else { return false }
        return bytes.withUnsafeBytes { all in
            token.count == 0 || memcmp(all.baseAddress! + start, token.baseAddress!, token.count) == 0
        }
    }

    /// Provisional ids ordered by descending frequency (ties by first appearance).
    func rankedOrder() -> [UInt32] {
        (0 ..< UInt32(count)).sorted { a, b in
            counts[Int(a)] != counts[Int(b)] ? counts[Int(a)] > counts[Int(b)] : a < b
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
