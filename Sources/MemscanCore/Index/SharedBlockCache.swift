import CMemscanShims
#if canImport(Glibc)
import Glibc  // sched_yield
#elseif canImport(Darwin)
import Darwin
#endif

/// The decompressed token store shared by every scanning thread of an index that fits
/// (`maxTokens`): block i lives at slot i, is decompressed once by whichever thread
/// needs it first, and is read by all. Per-thread caches held a copy each: 256 MiB
/// per thread at 50 M tokens, and every thread paid the warm-up again.
final class SharedBlockCache: @unchecked Sendable {
    // Slots are written once per block, before its state turns `ready` (release), and
    // only read after a thread sees `ready` (acquire): no slot is ever written twice.
    let store: BlockStore
    private let slots: UnsafeMutablePointer<UInt32>
    private let states: UnsafeMutablePointer<UInt8>
    private let slotBytes: Int
    private let stateBytes: Int

    private static let empty: UInt8 = 0, loading: UInt8 = 1, ready: UInt8 = 2
    /// Largest store held whole: 256 M tokens, 1 GiB of address space reserved (pages
    /// are only backed when a block is first used).
    static let maxTokens = 1 << 28

    /// Nil when the store is too large or the address space cannot be reserved.
    init?(store: BlockStore) {
        guard store.totalValues <= SharedBlockCache.maxTokens, store.blockCount > 0 else { return nil }
        self.store = store
        slotBytes = store.blockCount * store.blockTokens * MemoryLayout<UInt32>.stride
        stateBytes = store.blockCount
        guard let slotMemory = AnonymousMemory.map(bytes: slotBytes, hugePages: true) else { return nil }
        guard let stateMemory = AnonymousMemory.map(bytes: stateBytes, hugePages: false) else {
            AnonymousMemory.unmap(slotMemory, bytes: slotBytes)
            return nil
        }
        slots = slotMemory.bindMemory(to: UInt32.self, capacity: slotBytes / MemoryLayout<UInt32>.stride)
        states = stateMemory.bindMemory(to: UInt8.self, capacity: stateBytes)
    }

    deinit {
        AnonymousMemory.unmap(slots, bytes: slotBytes)
        AnonymousMemory.unmap(states, bytes: stateBytes)
    }

    var base: UnsafePointer<UInt32> { UnsafePointer(slots) }

    /// The values of `block`, decompressing it (with the caller's decoder, one of this
    /// cache's store) if no thread has yet.
    func values(of block: Int, decoder: BlockDecoder) throws -> UnsafePointer<UInt32> {
        let state = states + block
        let destination = slots + block * store.blockTokens
        while true {
            switch ms_atomic_load_u8(state) {
            case SharedBlockCache.ready:
                return UnsafePointer(destination)
            case SharedBlockCache.empty:
                guard ms_atomic_cas_u8(state, SharedBlockCache.empty, SharedBlockCache.loading) != 0 else { continue }
                do {
                    try decoder.decompress(block, into: destination)
                } catch {
                    ms_atomic_store_u8(state, SharedBlockCache.empty)
                    throw error
                }
                ms_atomic_store_u8(state, SharedBlockCache.ready)
                return UnsafePointer(destination)
            default:
                // Another thread is decompressing it: a few microseconds.
                sched_yield()
            }
        }
    }

    /// The slots and their states as plain pointers, valid while the cache lives.
    var lines: Lines { Lines(slots: base, states: UnsafePointer(states), blockCount: stateBytes, geometry: store.geometry) }

    /// Prefetching into the slots without holding a reference to the cache.
    struct Lines {
        let slots: UnsafePointer<UInt32>
        let states: UnsafePointer<UInt8>
        let blockCount: Int
        let geometry: BlockGeometry

        /// The values of `block` when some thread has decompressed it.
        @inline(__always)
        func readyValues(of block: Int) -> UnsafePointer<UInt32>? {
            ms_atomic_load_u8(states + block) == SharedBlockCache.ready ? slots + block * geometry.blockTokens : nil
        }

        /// Starts loading the cache line of `position` when its block is ready.
        @inline(__always)
        func prefetch(_ position: Int) {
            // Positions come from postings not yet checked (a damaged index): only a hint.
            guard position >= 0 else { return }
            let block = geometry.block(of: position)
            guard block < blockCount, ms_atomic_load_u8(states + block) == SharedBlockCache.ready else { return }
            ms_prefetch(slots + position)
        }
    }
}
