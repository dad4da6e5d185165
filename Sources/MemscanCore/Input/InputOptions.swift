/// Input file formats (§3).
public enum InputFormat: String, Sendable, CaseIterable {
    case jsonl, csv, tsv, text, dir, meds
}

/// What to do with a malformed line (§3).
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming file and line (default).
    case fail
    /// Skip the line, count it, and report the count in the summary.
    case skip
}

/// Field names and reading options shared by `index build` and `scan`.
public struct InputOptions: Sendable {
    /// nil: decided from each file name (.jsonl/.json -> jsonl, .csv, .tsv, .txt -> text,
    /// a directory -> dir; compressed suffixes .gz/.zst are looked through; default jsonl).
    public var format: InputFormat?
    public var idFields: [String] = ["id", "subject_id", "patient_id", "person_id", "note_id"]
    /// Codes content fields, tried in order.
    public var tokenFields: [String] = ["tokens", "event_tokens", "codes", "predicted_tokens", "trajectory"]
    /// Text content fields, tried in order.
    public var textFields: [String] = ["text", "generation"]
    /// Which list is tried first: codes mode tries tokenFields then textFields,
    /// text mode textFields then tokenFields.
    public var preferText: Bool = false
    public var promptField: String = "prompt"
    public var promptLengthField: String = "prompt_length"
    public var patientField: String = "patient_id"
    /// Read prompt / patient fields (generations) or not (training records).
    public var readGenerationFields: Bool = false
    public var groupBy: [String] = []
    public var onError: ErrorPolicy = .fail
    /// MEDS long-table columns.
    public var medsSubjectField: String = "subject_id"
    public var medsTimeField: String = "time"
    public var medsCodeField: String = "code"

    public init() {}
}
