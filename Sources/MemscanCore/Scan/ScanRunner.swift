import Dispatch
import Synchronization

/// What a finished scan reports to its caller.
public struct ScanOutcome: Sendable {
    public var summary: ScanSummary
    /// Highest risk of any span, nil when nothing was found.
    public var maxRisk: Risk?
}

/// Streams generations through the index. The calling thread only reads: it splits
/// input into batches of raw lines; worker threads parse and scan a wave of batches
/// while the next wave is read; results are written in input order.
public final class ScanRunner {
    public let context: ScanContext
    public let inputOptions: InputOptions
    /// Generations per batch handed to one worker. Workers take batches as they finish
    /// them, and a wave ends when its last batch does: the batches are small so that the
    /// other workers do not sit idle long behind a slow one (a batch of template-heavy
    /// generations at 50 M corpus tokens takes a tenth of a second).
    public var batchSize = 128

    public init(context: ScanContext, inputOptions: InputOptions) {
        self.context = context
        self.inputOptions = inputOptions
    }

    public func run(inputs: [String], output: OutputSink?, progress: ProgressReporter? = nil) throws -> ScanOutcome {
        let threads = context.options.threads
        let reader = try RecordReader(paths: inputs, options: inputOptions)
        let workers = ScanWorkers(context: context, count: threads)
        var summary = ScanSummary(minLength: context.minLength)
        var maxRisk: Risk? = nil
        let start = MonotonicClock.now()
        let batchesPerWave = threads * 8

        var pending: ScanWorkers.Wave? = nil
        while true {
            var batches: [InputBatch] = []
            while batches.count < batchesPerWave, let batch = try reader.nextBatch(maxRecords: batchSize) {
                batches.append(batch)
            }
            if let wave = pending {
                wave.group.wait()
                var json = JSONWriter()
                for batch in wave.results.take() {
                    for outcome in batch {
                        switch outcome {
                        case .blank:
                            continue
                        case .malformed(let location, let message):
                            try reader.report(location, message)
                        case .failure(let error):
                            throw error
                        case .result(let result):
                            summary.add(result)
                            if let risk = result.maxRisk { maxRisk = max(maxRisk ?? risk, risk) }
                            if context.options.all || !result.spans.isEmpty { SpanJSON.write(result, into: &json) }
                        }
                    }
                }
                try output?.write(json.bytes)
                progress?.update(generations: summary.total.generations, tokens: summary.total.tokens, bytesRead: reader.bytesRead)
                pending = nil
            }
            if batches.isEmpty { break }
            pending = workers.start(batches)
        }
        summary.seconds = MonotonicClock.now() - start
        summary.skippedLines = reader.skippedCount
        summary.skipMessages = reader.skipMessages
        progress?.finish()
        return ScanOutcome(summary: summary, maxRisk: maxRisk)
    }
}

/// What became of one input item.
enum ScanItemOutcome: Sendable {
    case blank
    case malformed(SourceLocation, String)
    case failure(MemscanError)
    case result(GenerationResult)
}

/// One GenerationScanner per worker thread. Worker `w` only ever touches
/// `scanners[w]`, which is what makes the unchecked Sendable sound.
final class ScanWorkers: @unchecked Sendable {
    struct Wave {
        let group: DispatchGroup
        let results: ResultSlots<[ScanItemOutcome]>
    }

    private let scanners: [GenerationScanner]

    init(context: ScanContext, count: Int) {
        scanners = (0 ..< count).map { _ in GenerationScanner(context: context) }
    }

    /// Starts parsing and scanning `batches`; the wave's group completes when all are done.
    func start(_ batches: [InputBatch]) -> Wave {
        let results = ResultSlots<[ScanItemOutcome]>(count: batches.count)
        let group = DispatchGroup()
        let next = Box(Atomic<Int>(0))
        let queue = DispatchQueue.global(qos: .userInitiated)
        for worker in 0 ..< min(scanners.count, batches.count) {
            queue.async(group: group) { [self] in
                let scanner = scanners[worker]
                while true {
                    let b = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                    if b >= batches.count { break }
                    results[b] = batches[b].parseAll().map { item in
                        switch item {
                        case .blank: return .blank
                        case .malformed(let location, let message): return .malformed(location, message)
                        case .record(let record):
                            do {
                                return .result(try scanner.scan(record))
                            } catch let error as MemscanError {
                                return .failure(error)
                            } catch {
                                return .failure(.io(path: record.location.file, "\(error)"))
                            }
                        }
                    }
                }
            }
        }
        return Wave(group: group, results: results)
    }
}
