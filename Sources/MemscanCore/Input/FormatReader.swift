/// One input file (or stdin, or a directory) in one format, read record by record.
/// Malformed records go to the InputErrorSink; thrown errors end the whole input.
protocol FormatReader: AnyObject {
    func next() throws -> InputRecord?
    /// Decompressed bytes consumed so far.
    var bytesRead: Int { get }
    func close()
}

/// The result of parsing one record's text.
enum RecordOutcome {
    case record(InputRecord)
    /// A blank line: skipped silently, not counted.
    case blank
    case malformed(String)
}

extension InputFieldPlan {
    /// Group-by values for formats that have no fields (text, dir, MEDS).
    var nullGroups: [GroupValue] {
        groupNames.map { GroupValue(field: $0, json: "null") }
    }
}
