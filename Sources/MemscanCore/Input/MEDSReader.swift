/// A MEDS-style long table (one event per row: subject, time, code) turned into one
/// record per subject.
///
/// A subject's rows may be spread over the files in any order, so all files are loaded
/// before the first record is returned. Codes are interned (a vocabulary is small next to
/// the number of events) and equal consecutive times share their bytes, keeping memory
/// near a few integers per event. Records come out in order of each subject's first
/// appearance; within a subject codes are ordered by time (compared as trimmed strings,
/// so ISO timestamps sort chronologically and an empty time comes first), then by input order.
final class MEDSReader: FormatReader {
    struct Input {
        var path: String
        var displayName: String
    }

    private let inputs: [Input]
    private let options: InputOptions
    private let sink: InputErrorSink
    private let groups: [GroupValue]
    private var loaded = false
    private var consumedBytes = 0
    private var currentLines: LineReader?

    private var subjectIDs: [String] = []
    private var subjectLocations: [SourceLocation] = []
    private var subjectIndex: [String: Int32] = [:]
    private var vocabulary = TokenList()
    private var codeIndex: [String: Int32] = [:]
    private var timeBytes: [UInt8] = []
    private var rowSubject: [Int32] = []
    private var rowCode: [Int32] = []
    private var rowTimeStart: [Int] = []
    private var rowTimeEnd: [Int] = []

    /// Rows grouped by subject (stable, so file order within a subject is kept).
    private var orderedRows: [Int] = []
    private var subjectRowStart: [Int] = []
    private var nextSubject = 0

    init(inputs: [Input], options: InputOptions, groups: [GroupValue], sink: InputErrorSink) {
        self.inputs = inputs
        self.options = options
        self.groups = groups
        self.sink = sink
    }

    var bytesRead: Int { consumedBytes + (currentLines?.bytesConsumed ?? 0) }

    func close() { currentLines?.close() }

    func next() throws -> InputRecord? {
        if !loaded {
            for input in inputs { try load(input) }
            groupRowsBySubject()
            loaded = true
        }
        guard nextSubject < subjectIDs.count else { return nil }
        let subject = nextSubject
        nextSubject += 1
        var rows = Array(orderedRows[subjectRowStart[subject] ..< subjectRowStart[subject + 1]])
        if !isSortedByTime(rows) {
            rows.sort { a, b in
                let order = compareTimes(a, b)
                return order != 0 ? order < 0 : a < b
            }
        }
        var tokens = TokenList()
        tokens.ends.reserveCapacity(rows.count)
        for row in rows {
            let code = Int(rowCode[row])
            tokens.append(bytes: vocabulary.bytes[vocabulary.start(code) ..< vocabulary.end(code)])
        }
        return InputRecord(id: subjectIDs[subject], location: subjectLocations[subject],
                           content: .tokens(tokens), groups: groups)
    }

    private func load(_ input: Input) throws {
        let source = try InputSourceOpener.open(path: input.path, displayName: input.displayName)
        let lines = LineReader(source: source, displayName: input.displayName)
        currentLines = lines
        defer {
            consumedBytes += lines.bytesConsumed
            currentLines = nil
            lines.close()
        }
        let plain = InputSourceOpener.stripCompressionSuffix(input.path).lowercased()
        let rows = CSVRowReader(lines: lines, delimiter: plain.hasSuffix(".tsv") ? 0x09 : UInt8(ascii: ","))
        switch try rows.nextRow() {
        case .end:
            return
        case .malformed(let message):
            throw MemscanError.input(SourceLocation(file: input.displayName, line: rows.startLine), "bad header row: \(message)")
        case .row:
            break
        }
        let columnCount = rows.fieldCount
        let header = (0 ..< columnCount).map { rows.trimmedString($0) }
        func column(_ name: String, required: Bool) throws -> Int? {
            if let index = header.firstIndex(of: name) { return index }
            guard required else { return nil }
            throw MemscanError.input(SourceLocation(file: input.displayName, line: rows.startLine),
                                     "MEDS header has no '\(name)' column (columns: \(MEDSReader.listed(header)))")
        }
        let subjectColumn = try column(options.medsSubjectField, required: true)!
        let codeColumn = try column(options.medsCodeField, required: true)!
        let timeColumn = try column(options.medsTimeField, required: false)

        while true {
            let outcome = try rows.nextRow()
            let location = SourceLocation(file: input.displayName, line: rows.startLine)
            switch outcome {
            case .end:
                return
            case .malformed(let message):
                try sink.report(location, message)
                continue
            case .row:
                break
            }
            guard rows.fieldCount == columnCount else {
                try sink.report(location, "expected \(columnCount) fields as in the header, found \(rows.fieldCount)")
                continue
            }
            let subjectRange = rows.trimmedRange(subjectColumn)
            guard !subjectRange.isEmpty else {
                try sink.report(location, "empty '\(options.medsSubjectField)'")
                continue
            }
            guard !rows.fieldIsEmpty(codeColumn) else {
                try sink.report(location, "empty '\(options.medsCodeField)'")
                continue
            }
            addRow(rows: rows, subject: subjectRange, code: codeColumn, time: timeColumn, location: location)
        }
    }

    private func addRow(rows: CSVRowReader, subject subjectRange: Range<Int>, code codeColumn: Int,
                        time timeColumn: Int?, location: SourceLocation) {
        let subjectID = String(decoding: rows.bytes[subjectRange], as: UTF8.self)
        let subject: Int32
        if let known = subjectIndex[subjectID] {
            subject = known
        } else {
            subject = Int32(subjectIDs.count)
            subjectIndex[subjectID] = subject
            subjectIDs.append(subjectID)
            subjectLocations.append(location)
        }

        let codeText = rows.string(codeColumn)
        let code: Int32
        if let known = codeIndex[codeText] {
            code = known
        } else {
            code = Int32(vocabulary.count)
            codeIndex[codeText] = code
            vocabulary.append(utf8: codeText)
        }

        let timeRange = timeColumn.map { rows.trimmedRange($0) } ?? 0 ..< 0
        let time = rows.bytes[timeRange]
        // Events of one timestamp are usually adjacent: share the previous row's bytes.
        if let previousStart = rowTimeStart.last, let previousEnd = rowTimeEnd.last,
           timeBytes[previousStart ..< previousEnd].elementsEqual(time) {
            rowTimeStart.append(previousStart)
            rowTimeEnd.append(previousEnd)
        } else {
            rowTimeStart.append(timeBytes.count)
            timeBytes.append(contentsOf: time)
            rowTimeEnd.append(timeBytes.count)
        }
        rowSubject.append(subject)
        rowCode.append(code)
    }

    /// Counting sort of row indexes by subject, keeping input order inside each subject.
    private func groupRowsBySubject() {
        var starts = [Int](repeating: 0, count: subjectIDs.count + 1)
        for subject in rowSubject { starts[Int(subject) + 1] += 1 }
        for s in 0 ..< subjectIDs.count { starts[s + 1] += starts[s] }
        subjectRowStart = starts
        var fill = starts
        orderedRows = [Int](repeating: 0, count: rowSubject.count)
        for (row, subject) in rowSubject.enumerated() {
            orderedRows[fill[Int(subject)]] = row
            fill[Int(subject)] += 1
        }
    }

    private func isSortedByTime(_ rows: [Int]) -> Bool {
        for k in rows.indices.dropFirst() where compareTimes(rows[k - 1], rows[k]) > 0 { return false }
        return true
    }

    /// Byte-wise comparison of two rows' trimmed times: negative, zero or positive.
    private func compareTimes(_ a: Int, _ b: Int) -> Int {
        let aStart = rowTimeStart[a], aEnd = rowTimeEnd[a]
        let bStart = rowTimeStart[b], bEnd = rowTimeEnd[b]
        if aStart == bStart && aEnd == bEnd { return 0 }
        return timeBytes.withUnsafeBufferPointer { all in
            let n = min(aEnd - aStart, bEnd - bStart)
            for k in 0 ..< n {
                let x = all[aStart + k], y = all[bStart + k]
                if x != y { return Int(x) - Int(y) }
            }
            return (aEnd - aStart) - (bEnd - bStart)
        }
    }

    /// A header's columns for an error line: a file that is not MEDS (a JSONL record read
    /// as CSV) has one "column" the length of its first line.
    static func listed(_ header: [String]) -> String {
        let shown = header.prefix(8).map { $0.count > 24 ? String($0.prefix(24)) + "…" : $0 }
        return shown.joined(separator: ", ") + (header.count > 8 ? ", … (\(header.count) columns)" : "")
    }
}
