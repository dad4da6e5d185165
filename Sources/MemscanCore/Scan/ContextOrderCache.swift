import Synchronization

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
    /// The same for grouped seeds, whose orders also spare each occurrence's span and
    /// near-matching work (a match fewer): 5,000 generations at 50 M corpus tokens took
    /// 7.4, 7.3, 7.5, 7.9 and 8.9 s with 1, 2, 4, 8 and 20.
    static let groupedBuildAfter = 2
    private struct State {
        var orders: [Int: ContextOrder] = [:]
        /// Occurrences of each entry extended one at a time so far.
        var extended: [Int: Int] = [:]
        var occurrences = 0
    }
    private let state = Mutex(State())

    /// Occurrences held in orders built so far.
    var occurrences: Int { state.withLock { $0.occurrences } }

    /// The order of multi-entry `entry` for a seed with `pending` occurrences to extend:
    /// built from `postings` once `buildAfter` x its occurrences have been extended
    /// without it (counting these); nil before that and over budget.
    func order(entry: Int, postings: UnsafeBufferPointer<UInt32>, pending: Int, index: MemscanIndex, tokens: BlockCache,
               buildAfter: Int = ContextOrderCache.buildAfter) throws -> ContextOrder? {
        let known: ContextOrder?? = state.withLock { s in
            if let order = s.orders[entry] { return .some(order) }
            let extended = s.extended[entry, default: 0] + pending
            s.extended[entry] = extended
            if extended < buildAfter * postings.count || s.occurrences + postings.count > ContextOrderCache.maxOccurrences {
                return .some(nil)
            }
            return nil
        }
        if let known { return known }
        // Built outside the lock (milliseconds); two threads may both build one, the
        // first kept.
        let built = try ContextOrder.build(postings: postings, index: index, tokens: tokens)
        return state.withLock { s in
            if let order = s.orders[entry] { return order }
            s.orders[entry] = built
            s.extended[entry] = nil
            s.occurrences += postings.count
            return built
        }
    }
}
