import CMemscanShims

/// The probe-only loop of §8: the scan's hash and lookup work without
/// verification, span building or output. It is the "local limit" the end-to-end
/// scan is compared against (the scan must stay within 3x of it), so it must do
/// exactly what `MatchFinder.run` does up to and including the batched probe,
/// and nothing more.
public enum ProbeLoop {
    /// Generations handed to a thread at a time (as in `ScanRunner`).
    static let chunkSize = 256

    /// Hashes, winnows and probes every generation on `threads` threads.
    /// Returns the generation tokens processed, the wall time of the loop alone,
    /// and the number of probes that hit the table (a checksum of the work, so
    /// that the optimizer cannot drop it and runs can be compared).
    public static func run(index: MemscanIndex, generations: [TokenList], threads: Int) -> (tokens: Int, seconds: Double, hits: Int) {
        let tokens = generations.reduce(0) { $0 + $1.count }
        let chunks = (generations.count + chunkSize - 1) / chunkSize
        let hitsPerChunk = ResultSlots<Int>(count: chunks)
        let start = MonotonicClock.now()
        parallelFor(count: chunks, threads: max(1, threads)) { chunk in
            // One worker per chunk: its buffers grow once and are reused within the
            // chunk, which is what a scan thread does across its batches.
            let worker = Worker(index: index)
            var hits = 0
            for g in chunk * chunkSize ..< min(generations.count, (chunk + 1) * chunkSize) {
                hits += worker.probe(generations[g])
            }
            hitsPerChunk[chunk] = hits
        }
        let seconds = MonotonicClock.now() - start
        let hits = chunks == 0 ? 0 : hitsPerChunk.take().reduce(0, +)
        return (tokens, seconds, hits)
    }

    /// Per-thread state of the probe loop; public so that micro-benchmarks can
    /// time one generation at a time. Not thread-safe.
    public final class Worker {
        let index: MemscanIndex
        private var stage = SeedProbe()

        public init(index: MemscanIndex) {
            self.index = index
        }

        /// Token hash + vocabulary lookup, shingle hashes, winnowing, table keys and
        /// the batched probe for one generation (mirrors `MatchFinder.run`).
        /// Returns the number of selected shingles found in the table.
        @discardableResult
        public func probe(_ generation: TokenList) -> Int {
            guard stage.run(generation, index: index) else { return 0 }
            var hits = 0
            for n in 0 ..< stage.selected.count where stage.values[n] != MS_PROBE_MISS { hits += 1 }
            return hits
        }
    }

    /// The scan's verification stage alone (seed, verify against the stored record
    /// tokens, extend), for micro-benchmarks: wraps the internal `MatchFinder`.
    public final class Verifier {
        private let finder: MatchFinder

        public init(index: MemscanIndex, maxOccurrences: Int = ScanOptions().maxOccurrences) {
            finder = MatchFinder(index: index, maxOccurrences: maxOccurrences)
        }

        /// Finds the maximal verbatim matches of one generation; returns their total length.
        @discardableResult
        public func verify(_ generation: TokenList) throws -> Int {
            try finder.run(on: generation)
            return finder.matches.reduce(0) { $0 + $1.length }
        }
    }
}
