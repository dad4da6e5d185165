import Foundation

/// Reads training records or generations from files, directories or stdin (§3), one
/// record at a time, in input order, in bounded memory (except MEDS, which must see a
/// whole table before a subject is complete).
public final class RecordReader {
    private struct Input {
        var path: String
        var displayName: String
        var format: InputFormat
    }

    private let options: InputOptions
    private let plan: InputFieldPlan
    private let sink: InputErrorSink
    private var pending: [Input]
    private var medsInputs: [MEDSReader.Input] = []
    private var current: FormatReader?
    private var finishedBytes = 0
    private var currentFile = ""

    /// Malformed records skipped under `--on-error skip`.
    public private(set) var skippedCount = 0
    /// First 20 skip reasons ("file:line: message") for the summary.
    public private(set) var skipMessages: [String] = []
    /// Uncompressed bytes consumed so far (for progress display).
    public private(set) var bytesRead = 0

    /// `paths`: files, directories (format dir: one record per .txt file) or "-" for
    /// stdin; no paths means stdin. Every path is checked here, so a typo fails before
    /// any work is done.
    public init(paths: [String], options: InputOptions) throws {
        self.options = options
        plan = InputFieldPlan(options: options)
        sink = InputErrorSink(policy: options.onError)
        let paths = paths.isEmpty ? ["-"] : paths
        guard paths.filter({ $0 == "-" }).count <= 1 else {
            throw MemscanError.usage("standard input ('-') can be read only once")
        }
        var inputs: [Input] = []
        for path in paths {
            if path == "-" {
                let format = options.format ?? .jsonl
                guard format != .dir else { throw MemscanError.usage("--format dir needs a directory, not standard input") }
                inputs.append(Input(path: path, displayName: "<stdin>", format: format))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw MemscanError.io(path: path, "no such file or directory")
            }
            if isDirectory.boolValue {
                switch options.format {
                case nil, .dir?:
                    inputs.append(Input(path: path, displayName: path, format: .dir))
                case .meds?:
                    inputs.append(contentsOf: try Self.medsFiles(in: path).map {
                        Input(path: $0, displayName: $0, format: .meds)
                    })
                case let other?:
                    throw MemscanError.usage("\(path) is a directory; --format \(other.rawValue) reads files (use --format dir for a directory of .txt files)")
                }
            } else {
                let format = options.format ?? Self.inferredFormat(path)
                guard format != .dir else { throw MemscanError.usage("--format dir needs a directory: \(path) is a file") }
                inputs.append(Input(path: path, displayName: path, format: format))
            }
        }
        // One MEDS table may be split over several files: all of them form one reader.
        medsInputs = inputs.filter { $0.format == .meds }.map { MEDSReader.Input(path: $0.path, displayName: $0.displayName) }
        pending = inputs.filter { $0.format != .meds }
        pending.reverse()
        if !medsInputs.isEmpty {
            current = MEDSReader(inputs: medsInputs, options: options, groups: plan.nullGroups, sink: sink)
        }
    }

    deinit { current?.close() }

    /// Next record in input order, nil at end. Throws MemscanError.input(location, message)
    /// on malformed input when options.onError == .fail; with .skip it counts and continues.
    public func next() throws -> InputRecord? {
        defer { publishCounters() }
        while let reader = try currentReader() {
            if let record = try reader.next() { return record }
            finishCurrent()
        }
        return nil
    }

    /// The reader of the input being read, opening the next input when needed.
    private func currentReader() throws -> FormatReader? {
        if current == nil {
            guard let input = pending.popLast() else { return nil }
            current = try open(input)
            currentFile = input.displayName
        }
        return current
    }

    private func finishCurrent() {
        finishedBytes += current!.bytesRead
        current!.close()
        current = nil
    }

    private func publishCounters() {
        skippedCount = sink.skippedCount
        skipMessages = sink.messages
        bytesRead = finishedBytes + (current?.bytesRead ?? 0)
    }

    /// The next batch of at most `maxRecords` records in input order, nil at end. JSONL
    /// comes back as raw lines, to be parsed by `InputBatch.parseAll()` on any thread
    /// and their malformed lines handed back through `report(_:_:)` in input order.
    public func nextBatch(maxRecords: Int, maxBytes: Int = 8 << 20) throws -> InputBatch? {
        defer { publishCounters() }
        while let reader = try currentReader() {
            if let lines = reader as? LineRecordReader<JSONLRecordParser> {
                if let raw = try lines.nextRawLines(maxLines: maxRecords, maxBytes: maxBytes) {
                    return InputBatch(storage: .jsonLines(bytes: raw.bytes, lineStarts: raw.lineStarts,
                                                          lineNumbers: raw.lineNumbers, file: currentFile, plan: plan))
                }
            } else {
                var records: [InputRecord] = []
                while records.count < maxRecords, let record = try reader.next() { records.append(record) }
                if !records.isEmpty { return InputBatch(storage: .records(records)) }
            }
            finishCurrent()
        }
        return nil
    }

    /// Applies the error policy to a malformed line found while parsing a batch:
    /// throws under `--on-error fail`, counts under `skip`.
    public func report(_ location: SourceLocation, _ message: String) throws {
        defer { publishCounters() }
        try sink.report(location, message)
    }

    /// The format a path is read as when --format is not given: by suffix, looking
    /// through .gz / .zst; anything unknown is JSONL.
    static func inferredFormat(_ path: String) -> InputFormat {
        let name = InputSourceOpener.stripCompressionSuffix(path).lowercased()
        if name.hasSuffix(".jsonl") || name.hasSuffix(".json") || name.hasSuffix(".ndjson") { return .jsonl }
        if name.hasSuffix(".csv") { return .csv }
        if name.hasSuffix(".tsv") { return .tsv }
        if name.hasSuffix(".txt") { return .text }
        return .jsonl
    }

    /// The CSV/TSV files of a MEDS directory, in byte order of their names.
    private static func medsFiles(in directory: String) throws -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MemscanError.io(path: directory, "cannot list directory: \(error.localizedDescription)")
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return entries.filter { name in
            let plain = InputSourceOpener.stripCompressionSuffix(name).lowercased()
            return !name.hasPrefix(".") && (plain.hasSuffix(".csv") || plain.hasSuffix(".tsv"))
        }
        .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        .map { prefix + $0 }
    }

    private func open(_ input: Input) throws -> FormatReader {
        if input.format == .dir {
            return try DirectoryReader(path: input.path, displayName: input.displayName,
                                       groups: plan.nullGroups, sink: sink)
        }
        let source = try InputSourceOpener.open(path: input.path, displayName: input.displayName)
        let lines = LineReader(source: source, displayName: input.displayName)
        switch input.format {
        case .jsonl:
            return LineRecordReader(lines: lines, parser: JSONLRecordParser(file: input.displayName, plan: plan), sink: sink)
        case .text:
            return LineRecordReader(lines: lines, parser: TextLineParser(file: input.displayName, groups: plan.nullGroups),
                                    sink: sink)
        case .csv:
            return try CSVRecordReader(lines: lines, delimiter: UInt8(ascii: ","), plan: plan, sink: sink)
        case .tsv:
            return try CSVRecordReader(lines: lines, delimiter: 0x09, plan: plan, sink: sink)
        case .dir, .meds:
            throw MemscanError.usage("\(input.displayName): internal error: \(input.format.rawValue) input opened as a stream")
        }
    }
}
