import Synchronization
#if canImport(Glibc)
import Glibc  // sched_yield
#elseif canImport(Darwin)
import Darwin
#endif

/// The context orders of one index, built as scans need them (see `buildAfter`) and
/// then shared, read-only, by every scanning thread. Bounded: once
/// `maxOccurrences` occurrences are held (about 50 bytes each, so 100 MiB), further
/// shingles are extended one occurrence at a time. The benchmark corpora need 0.15 M
/// (10 M tokens) and 0.75 M (50 M tokens).
final class ContextOrderCache: Sendable {
    static let maxOccurrences = 2 << 20
    /// An order is built once the occurrences of its shingle extended one at a time add
    /// up to this many times their number: building costs about as much as 20 such
    /// extensions per occurrence (2 µs against 100 ns at 50 M tokens), so a scan never
    /// spends on an order much more than it saves, and a short one builds none.
    static let buildAfter = 20
    private struct State {
        var orders: [Int: ContextOrder] = [:]
        /// Grouping thresholds computed so far, by the minimum asked for.
        var groupingMinimum: [Int: Int] = [:]
        /// Occurrences of each entry extended one at a time so far.
        var extended: [Int: Int] = [:]
        var occurrences = 0
        /// Entries whose order a thread is building now.
        var building: Set<Int> = []
    }
    private let state = Mutex(State())

    /// The seeds an exhaustive scan groups are those held at least this many times: the
    /// smallest count from `minimum` on such that the orders of all shingles held that
    /// often fit in the budget together. It depends on the index alone, and their orders
    /// are built when first needed, so what is grouped (and with it which record
    /// represents a template interval and which records near matching aligns) never
    /// depends on which thread met which seed first.
    func groupingMinimum(index: MemscanIndex, minimum: Int, budget: Int = ContextOrderCache.maxOccurrences) -> Int {
        if budget == ContextOrderCache.maxOccurrences, let known = state.withLock({ $0.groupingMinimum[minimum] }) { return known }
        var counts: [Int] = []
        let entries = index.multiEntries
        for e in 0 ..< min(index.header.multiEntryCount, entries.count / 3) where Int(entries[3 * e + 1]) >= minimum {
            counts.append(Int(entries[3 * e + 1]))
        }
        counts.sort(by: >)
        var threshold = minimum, total = 0
        for count in counts {
            total += count
            if total > budget {
                // Shingles as common as this one do not all fit: group only the commoner ones.
                threshold = count + 1
                break
            }
        }
        guard budget == ContextOrderCache.maxOccurrences else { return threshold }
        return state.withLock { s in
            s.groupingMinimum[minimum] = threshold
            return threshold
        }
    }

    /// Occurrences held in orders built so far.
    var occurrences: Int { state.withLock { $0.occurrences } }

    /// The order of multi-entry `entry` for a seed with `pending` occurrences to extend:
    /// built from `postings` once `buildAfter` x its occurrences have been extended
    /// without it (counting these); nil before that and over budget.
    func order(entry: Int, postings: UnsafeBufferPointer<UInt32>, pending: Int, index: MemscanIndex, tokens: BlockCache,
               buildAfter: Int = ContextOrderCache.buildAfter) throws -> ContextOrder? {
        enum Next { case known(ContextOrder?), wait, build }
        while true {
            let next: Next = state.withLock { s in
                if let order = s.orders[entry] { return .known(order) }
                // Another thread is building it: the scans starting together would all
                // build the same orders (at 50 M tokens a third more CPU on two threads).
                if s.building.contains(entry) { return .wait }
                let extended = s.extended[entry, default: 0] + pending
                s.extended[entry] = extended
                if extended < buildAfter * postings.count || s.occurrences + postings.count > ContextOrderCache.maxOccurrences {
                    return .known(nil)
                }
                s.building.insert(entry)
                return .build
            }
            switch next {
            case .known(let order):
                return order
            case .wait:
                sched_yield()
            case .build:
                // Built outside the lock (milliseconds).
                let built: ContextOrder
                do {
                    built = try ContextOrder.build(postings: postings, index: index, tokens: tokens)
                } catch {
                    state.withLock { _ = $0.building.remove(entry) }
                    throw error
                }
                return state.withLock { s in
                    s.building.remove(entry)
                    s.orders[entry] = built
                    s.extended[entry] = nil
                    s.occurrences += postings.count
                    return built
                }
            }
        }
    }
}
