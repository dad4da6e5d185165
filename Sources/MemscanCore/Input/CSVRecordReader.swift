/// CSV or TSV with a header row: the header names the columns, matched against the same
/// field options as JSONL.
///
/// CSV cannot tell an empty string from a missing value, so an empty cell counts as
/// missing for id, prompt, prompt length and patient (the id then falls back to the data
/// row number). Content is the first content column whose cell is non-empty; a row whose
/// content cells are all empty is an empty record rather than an error, because an empty
/// note is a legitimate record.
final class CSVRecordReader: FormatReader {
    private let rows: CSVRowReader
    private let plan: InputFieldPlan
    private let sink: InputErrorSink
    private let file: String
    private var columnCount = 0
    /// Column of each plan field, -1 when absent from the header.
    private var columnOfField: [Int]
    private var contentColumns: [Int] = []
    private var dataRow = 0

    init(lines: LineReader, delimiter: UInt8, plan: InputFieldPlan, sink: InputErrorSink) throws {
        rows = CSVRowReader(lines: lines, delimiter: delimiter)
        self.plan = plan
        self.sink = sink
        file = lines.displayName
        columnOfField = Array(repeating: -1, count: plan.count)
        switch try rows.nextRow() {
        case .end:
            return  // an empty file has no header and no records
        case .malformed(let message):
            throw MemscanError.input(SourceLocation(file: file, line: rows.startLine), "bad header row: \(message)")
        case .row:
            break
        }
        columnCount = rows.fieldCount
        for column in 0 ..< columnCount {
            let name = rows.trimmedString(column)
            let field = plan.fieldIndex(name)
            if field >= 0 && columnOfField[field] < 0 { columnOfField[field] = column }
        }
        contentColumns = plan.contentFields.compactMap { columnOfField[$0] >= 0 ? columnOfField[$0] : nil }
        if contentColumns.isEmpty {
            // Every row would fail the same way: refuse the file once, whatever --on-error says.
            throw MemscanError.input(SourceLocation(file: file, line: rows.startLine),
                                     "header has no content column (tried \(plan.contentFieldList))")
        }
    }

    var bytesRead: Int { rows.lines.bytesConsumed }

    func close() { rows.lines.close() }

    func next() throws -> InputRecord? {
        guard !contentColumns.isEmpty else { return nil }
        while true {
            let outcome = try rows.nextRow()
            let location = SourceLocation(file: file, line: rows.startLine)
            switch outcome {
            case .end:
                return nil
            case .malformed(let message):
                dataRow += 1
                try sink.report(location, message)
            case .row:
                dataRow += 1
                if rows.fieldCount != columnCount {
                    try sink.report(location, "expected \(columnCount) fields as in the header, found \(rows.fieldCount)")
                    continue
                }
                switch makeRecord(location) {
                case .record(let record): return record
                case .malformed(let message): try sink.report(location, message)
                case .blank: continue
                }
            }
        }
    }

    private func cell(_ field: Int?) -> Int? {
        guard let field, columnOfField[field] >= 0, !rows.fieldIsEmpty(columnOfField[field]) else { return nil }
        return columnOfField[field]
    }

    private func makeRecord(_ location: SourceLocation) -> RecordOutcome {
        var id = String(dataRow)
        for field in plan.idFields {
            if let column = cell(field) {
                id = rows.string(column)
                break
            }
        }
        let contentColumn = contentColumns.first { !rows.fieldIsEmpty($0) } ?? contentColumns[0]
        let content = RecordContent.string(rows.string(contentColumn))

        var prompt: PromptSpec?
        var patientID: String?
        if plan.readGenerationFields {
            if let column = cell(plan.promptField) {
                prompt = .content(.string(rows.string(column)))
            } else if let field = plan.promptLengthField, let column = cell(field) {
                let text = rows.trimmedString(column)
                guard let length = Int(text), length >= 0, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    return .malformed("field '\(plan.names[field])' must be a non-negative integer, found \(JSONCanonical.quoted(text))")
                }
                prompt = .length(length)
            }
            if let column = cell(plan.patientField) {
                patientID = rows.string(column)
            }
        }

        var groups: [GroupValue] = []
        groups.reserveCapacity(plan.groupFields.count)
        for (k, field) in plan.groupFields.enumerated() {
            let column = columnOfField[field]
            let json = column >= 0 ? JSONCanonical.quoted(rows.string(column)) : "null"
            groups.append(GroupValue(field: plan.groupNames[k], json: json))
        }
        return .record(InputRecord(id: id, location: location, content: content,
                                   prompt: prompt, patientID: patientID, groups: groups))
    }
}
