#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `memscan synth`: writes DIR/records.jsonl (training records), DIR/held_out.jsonl (records of
/// other patients from the same distribution, for `--reference`), DIR/generations.jsonl (model
/// generations with prompts from a patient's record) and DIR/truth.jsonl (every planted span).
///
/// Deterministic: patient i's record is a pure function of (seed, i) and generation j's of
/// (seed, j); work is cut into fixed chunks written in order, so the same seed gives
/// byte-identical files whatever the thread count.
public enum Synthesizer {
    static let recordChunk = 256
    static let generationChunk = 1024

    public static func run(options: SynthOptions) throws -> SynthReport {
        try options.validate()
        try makeDirectory(options.outputDirectory)
        // Rare conditions go to training patients below this bound (all of them with --records;
        // with --tokens, the first of an estimated count so that every holder is in training).
        let bound: Int
        if let tokens = options.tokens {
            let meanLength = options.mode == .codes ? 430.0 : 150.0
            bound = max(1, Int(Double(tokens) / meanLength / 2))
        } else {
            bound = options.records
        }
        switch options.mode {
        case .codes:
            let population = SynthPopulation(seed: options.seed, rareConditions: CodesLists.rare.count, bound: bound)
            return try run(model: CodesModel(population: population), population: population, options: options)
        case .text:
            let population = SynthPopulation(seed: options.seed, rareConditions: TextLists.rare.count, bound: bound)
            return try run(model: TextModel(population: population), population: population, options: options)
        }
    }

    static func run<M: SynthModel>(model: M, population: SynthPopulation, options: SynthOptions) throws -> SynthReport {
        let started = MonotonicClock.now()
        var report = SynthReport()
        report.mode = options.mode
        report.directory = options.outputDirectory
        let directory = options.outputDirectory

        // Training records.
        var clock = MonotonicClock.now()
        let train = try writeRecords(model: model, population: population, heldOut: false,
                                     count: options.tokens == nil ? options.records : nil, tokenTarget: options.tokens,
                                     path: directory + "/records.jsonl", options: options)
        report.records = train.records
        report.recordTokens = train.tokens
        report.recordSeconds = MonotonicClock.now() - clock
        report.bytesWritten += train.bytes

        // Held-out records.
        clock = MonotonicClock.now()
        let heldOutCount = options.heldOut ?? max(1, train.records / 10)
        let heldOut = try writeRecords(model: model, population: population, heldOut: true, count: heldOutCount,
                                       tokenTarget: nil, path: directory + "/held_out.jsonl", options: options)
        report.heldOutRecords = heldOut.records
        report.heldOutTokens = heldOut.tokens
        report.heldOutSeconds = MonotonicClock.now() - clock
        report.bytesWritten += heldOut.bytes

        // Generations and truth.
        clock = MonotonicClock.now()
        var firsts = train.templateFirst
        if model.hasCharacterOffsets {
            var seq = TokenSeq()
            var hits: [TemplateHit] = []
            for t in firsts.indices {
                guard var first = firsts[t] else { continue }
                model.record(PatientKey(index: first.patient, heldOut: false), limit: Int.max, into: &seq, hits: &hits)
                let end = first.position + model.templates[t].count
                first.charStart = model.characterOffset(seq, first.position)
                first.charEnd = model.characterOffset(seq, end - 1) + model.tokenCharacters(seq.tokens[end - 1])
                firsts[t] = first
            }
        }
        let weights = train.templateRecords.map(Double.init)
        let context = GenerationContext(
            model: model, population: population, trainCount: train.records,
            rareHolders: population.rareHolders.filter { $0 < train.records },
            templateFirst: firsts, templateRecords: train.templateRecords,
            templateTable: weights.contains(where: { $0 > 0 }) ? AliasTable(weights: weights) : nil,
            nearRates: options.nearRates, nearLengths: options.nearLengths, promptLevels: options.promptLevels,
            experiment: options.experiment, idWidth: max(7, String(options.generations).count))
        let stats = try writeGenerations(context: context, options: options, report: &report)
        report.generationSeconds = MonotonicClock.now() - clock
        report.generations = stats.generations
        report.generationTokens = stats.tokens
        for (i, name) in GenerationStats.classNames.enumerated() {
            report.spanCounts[name] = stats.spanCounts[i]
            report.spanTokens[name] = stats.spanTokens[i]
        }
        for scenario in Scenario.allCases {
            report.scenarioCounts[scenario.name.description] = stats.scenarios[scenario.rawValue]
        }
        for (i, rate) in options.nearRates.enumerated() { report.nearRateCounts["\(rate)"] = stats.nearRates[i] }
        report.sensitiveSpans = stats.sensitive
        report.rareSpans = stats.rare
        report.seconds = MonotonicClock.now() - started
        return report
    }

    // MARK: - Records

    struct RecordPhase {
        var records = 0
        var tokens = 0
        var bytes = 0
        var templateFirst: [TemplateOccurrence?]
        var templateRecords: [Int]
    }

    /// Buffers of one chunk, reused round after round (fresh pages cost more than the copying).
    final class RecordChunk {
        let bytes = SynthBytes(capacity: 1 << 20)
        var lineEnds: [Int] = []
        var tokens: [Int] = []
        var templateMasks: [UInt32] = []
        /// Per template: (record offset in chunk, position) of its first occurrence.
        var firsts: [(Int, Int)?]
        var seq = TokenSeq(capacity: 8192)
        var hits: [TemplateHit] = []

        init(templates: Int) { firsts = Array(repeating: nil, count: templates) }

        func reset() {
            bytes.removeAll()
            lineEnds.removeAll(keepingCapacity: true)
            tokens.removeAll(keepingCapacity: true)
            templateMasks.removeAll(keepingCapacity: true)
            for t in firsts.indices { firsts[t] = nil }
        }
    }

    /// One object per chunk of a round; chunk c is touched only by the task of chunk c while
    /// parallelFor runs, and only by the writer after it returned.
    final class ChunkPool<T>: @unchecked Sendable {
        let items: [T]
        init(_ items: [T]) { self.items = items }
    }

    static func fillRecordChunk<M: SynthModel>(_ chunk: RecordChunk, model: M, population: SynthPopulation,
                                               heldOut: Bool, range: Range<Int>) {
        chunk.reset()
        let out = chunk.bytes
        for (offset, index) in range.enumerated() {
            let key = PatientKey(index: index, heldOut: heldOut)
            model.record(key, limit: Int.max, into: &chunk.seq, hits: &chunk.hits)
            out.ascii("{\"id\":\"")
            out.decimal(width: 1, population.patientNumber(key))
            out.ascii("\",")
            model.writeContent(chunk.seq, out)
            out.ascii("}\n")
            chunk.lineEnds.append(out.count)
            chunk.tokens.append(chunk.seq.count)
            var mask: UInt32 = 0
            for hit in chunk.hits {
                mask |= 1 << UInt32(hit.template)
                if chunk.firsts[hit.template] == nil { chunk.firsts[hit.template] = (offset, hit.position) }
            }
            chunk.templateMasks.append(mask)
        }
    }

    /// Writes `count` records, or records until `tokenTarget` tokens, in fixed-size chunks made
    /// in parallel and written in order.
    static func writeRecords<M: SynthModel>(model: M, population: SynthPopulation, heldOut: Bool, count: Int?,
                                            tokenTarget: Int?, path: String, options: SynthOptions) throws -> RecordPhase {
        let templates = model.templates.count
        var phase = RecordPhase(templateFirst: Array(repeating: nil, count: templates),
                                templateRecords: Array(repeating: 0, count: templates))
        let file = try SynthFile(path: path)
        let perRound = max(1, options.threads) * 2
        let chunkSize = recordChunk
        var nextChunk = 0
        var done = count == 0
        let pool = ChunkPool((0 ..< perRound).map { _ in RecordChunk(templates: templates) })
        let label = heldOut ? "held-out records" : "records"
        while !done {
            var chunks = perRound
            if let count {
                let remaining = (count - nextChunk * chunkSize + chunkSize - 1) / chunkSize
                chunks = min(perRound, remaining)
                if chunks <= 0 { break }
            }
            if (nextChunk + chunks) * chunkSize > 80_000_000 {
                throw MemscanError.usage("synth: more than 80000000 records requested")
            }
            let first = nextChunk
            parallelFor(count: chunks, threads: options.threads) { c in
                let lo = (first + c) * chunkSize
                let hi = count.map { min($0, lo + chunkSize) } ?? lo + chunkSize
                fillRecordChunk(pool.items[c], model: model, population: population, heldOut: heldOut, range: lo ..< hi)
            }
            for c in 0 ..< chunks {
                let chunk = pool.items[c]
                var keep = chunk.tokens.count
                if let tokenTarget {
                    var total = phase.tokens
                    for (r, n) in chunk.tokens.enumerated() {
                        total += n
                        if total >= tokenTarget {
                            keep = r + 1
                            done = true
                            break
                        }
                    }
                }
                let base = (first + c) * chunkSize
                for r in 0 ..< keep {
                    phase.tokens += chunk.tokens[r]
                    let mask = chunk.templateMasks[r]
                    if mask != 0 {
                        for t in 0 ..< templates where mask & (1 << UInt32(t)) != 0 { phase.templateRecords[t] += 1 }
                    }
                }
                for t in 0 ..< templates where phase.templateFirst[t] == nil {
                    if let (offset, position) = chunk.firsts[t], offset < keep {
                        phase.templateFirst[t] = TemplateOccurrence(patient: base + offset, position: position)
                    }
                }
                phase.records += keep
                let bytes = keep == 0 ? 0 : chunk.lineEnds[keep - 1]
                try file.write(chunk.bytes.base, bytes)
                if done { break }
            }
            nextChunk += chunks
            if options.progress {
                StandardError.write("\rmemscan synth: \(phase.records) \(label), \(phase.tokens) tokens")
            }
        }
        if options.progress { StandardError.write("\n") }
        phase.bytes = file.bytesWritten
        try file.finish()
        return phase
    }

    // MARK: - Generations

    final class GenerationChunk {
        let generations = SynthBytes(capacity: 1 << 20)
        let truth = SynthBytes(capacity: 1 << 18)
        var stats: GenerationStats
        let rates: Int

        init(rates: Int) {
            self.rates = rates
            stats = GenerationStats(rates: rates)
        }

        func reset() {
            generations.removeAll()
            truth.removeAll()
            stats = GenerationStats(rates: rates)
        }
    }

    static func writeGenerations<M: SynthModel>(context: GenerationContext<M>, options: SynthOptions,
                                                report: inout SynthReport) throws -> GenerationStats {
        let generationsFile = try SynthFile(path: options.outputDirectory + "/generations.jsonl")
        let truthFile = try SynthFile(path: options.outputDirectory + "/truth.jsonl")
        var stats = GenerationStats(rates: options.nearRates.count)
        let total = options.generations
        let chunkSize = generationChunk
        let chunkCount = (total + chunkSize - 1) / chunkSize
        let perRound = max(1, options.threads) * 2
        var nextChunk = 0
        let rates = options.nearRates.count
        let pool = ChunkPool((0 ..< perRound).map { _ in GenerationChunk(rates: rates) })
        if context.trainCount == 0 && total > 0 { throw MemscanError.usage("synth: generations need at least one record") }
        while nextChunk < chunkCount {
            let chunks = min(perRound, chunkCount - nextChunk)
            let first = nextChunk
            parallelFor(count: chunks, threads: options.threads) { c in
                let chunk = pool.items[c]
                chunk.reset()
                var worker = GenerationWorker(context: context)
                let lo = (first + c) * chunkSize
                for index in lo ..< min(total, lo + chunkSize) {
                    worker.generate(index, generations: chunk.generations, truth: chunk.truth, stats: &chunk.stats)
                }
            }
            for c in 0 ..< chunks {
                let chunk = pool.items[c]
                try generationsFile.write(chunk.generations)
                try truthFile.write(chunk.truth)
                stats.merge(chunk.stats)
            }
            nextChunk += chunks
            if options.progress {
                StandardError.write("\rmemscan synth: \(stats.generations) generations, \(stats.tokens) tokens")
            }
        }
        if options.progress && total > 0 { StandardError.write("\n") }
        report.bytesWritten += generationsFile.bytesWritten + truthFile.bytesWritten
        try generationsFile.finish()
        try truthFile.finish()
        return stats
    }

    // MARK: - Files

    /// Creates the folder and any missing parents.
    static func makeDirectory(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw MemscanError.io(path: current, "cannot create folder: \(errnoText())")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw MemscanError.io(path: path, "not a folder")
        }
    }
}
