import Dispatch

/// What a finished scan reports to its caller.
public struct ScanOutcome: Sendable {
    public var summary: ScanSummary
    /// Highest risk of any span, nil when nothing was found.
    public var maxRisk: Risk?
}

/// Streams generations through the index: the calling thread reads and parses
/// input while worker threads scan the previous batch; results are written in
/// input order.
public final class ScanRunner {
    public let context: ScanContext
    public let inputOptions: InputOptions
    /// Generations per batch handed to one worker.
    public var batchSize = 256

    public init(context: ScanContext, inputOptions: InputOptions) {
        self.context = context
        self.inputOptions = inputOptions
    }

    public func run(inputs: [String], output: OutputSink?, progress: ProgressReporter? = nil) throws -> ScanOutcome {
        let threads = context.options.threads
        let reader = try RecordReader(paths: inputs, options: inputOptions)
        let scanners = ScannerPool(context: context, count: threads)
        var summary = ScanSummary(minLength: context.minLength)
        var maxRisk: Risk? = nil
        let start = MonotonicClock.now()
        let waveSize = batchSize * threads * 2

        var pending: (records: [InputRecord], group: DispatchGroup, results: ResultSlots<Result<GenerationResult, MemscanError>>)? = nil
        while true {
            var wave: [InputRecord] = []
            wave.reserveCapacity(waveSize)
            while wave.count < waveSize, let record = try reader.next() { wave.append(record) }

            if let (records, group, results) = pending {
                group.wait()
                var json = JSONWriter()
                for i in records.indices {
                    let result = try results[i]!.get()
                    summary.add(result)
                    if let risk = result.maxRisk { maxRisk = max(maxRisk ?? risk, risk) }
                    if context.options.all || !result.spans.isEmpty { SpanJSON.write(result, into: &json) }
                }
                try output?.write(json.bytes)
                progress?.update(generations: summary.total.generations, tokens: summary.total.tokens, bytesRead: reader.bytesRead)
                pending = nil
            }
            if wave.isEmpty { break }
            pending = (wave, scanners.start(wave, batchSize: batchSize), scanners.lastResults)
        }
        summary.seconds = MonotonicClock.now() - start
        summary.skippedLines = reader.skippedCount
        summary.skipMessages = reader.skipMessages
        progress?.finish()
        return ScanOutcome(summary: summary, maxRisk: maxRisk)
    }
}

/// One GenerationScanner per worker thread. Worker `w` only ever touches
/// `scanners[w]`, which is what makes the unchecked Sendable sound.
final class ScannerPool: @unchecked Sendable {
    private let scanners: [GenerationScanner]
    private(set) var lastResults = ResultSlots<Result<GenerationResult, MemscanError>>(count: 0)

    init(context: ScanContext, count: Int) {
        scanners = (0 ..< count).map { _ in GenerationScanner(context: context) }
    }

    /// Starts scanning `records` on the workers; the group completes when all are done.
    func start(_ records: [InputRecord], batchSize: Int) -> DispatchGroup {
        let results = ResultSlots<Result<GenerationResult, MemscanError>>(count: records.count)
        lastResults = results
        let group = DispatchGroup()
        let batches = (records.count + batchSize - 1) / batchSize
        let next = Box(Atomic<Int>(0))
        let queue = DispatchQueue.global(qos: .userInitiated)
        for worker in 0 ..< min(scanners.count, batches) {
            queue.async(group: group) { [self] in
                let scanner = scanners[worker]
                while true {
                    let batch = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                    if batch >= batches { break }
                    for i in batch * batchSize ..< min(records.count, (batch + 1) * batchSize) {
                        do {
                            results[i] = .success(try scanner.scan(records[i]))
                        } catch let error as MemscanError {
                            results[i] = .failure(error)
                        } catch {
                            results[i] = .failure(.io(path: records[i].location.file, "\(error)"))
                        }
                    }
                }
            }
        }
        return group
    }
}

import Synchronization
