/// The content field of a record or generation as read, before tokenization.
public enum RecordContent: Sendable, Equatable {
    /// A JSON array of strings (or a MEDS subject's codes): already one token per element.
    case tokens(TokenList)
    /// A string: split on ASCII whitespace in codes mode, tokenized as a note in text mode.
    case string(String)
}

/// The prompt a generation was produced from (§3).
public enum PromptSpec: Sendable, Equatable {
    /// The prompt's own content (`prompt` field as array or string).
    case content(RecordContent)
    /// The prompt is the first `n` tokens of the generation (`prompt_length`).
    case length(Int)
}

/// One training record or one model generation, as produced by every reader.
public struct InputRecord: Sendable, Equatable {
    /// External id: the id field, the `.txt` file name, the MEDS subject, or the
    /// 1-based line number when no id field is present.
    public var id: String
    public var location: SourceLocation
    public var content: RecordContent
    public var prompt: PromptSpec?
    /// The patient whose record built the prompt (targeted checks), when given.
    public var patientID: String?
    /// Group-by fields in the order requested: name and the value re-encoded as
    /// JSON text (`"10"`, `"\"exp1\""`, `null` when the field is missing).
    public var groups: [GroupValue]

    public init(id: String, location: SourceLocation, content: RecordContent,
                prompt: PromptSpec? = nil, patientID: String? = nil, groups: [GroupValue] = []) {
        self.id = id
        self.location = location
        self.content = content
        self.prompt = prompt
        self.patientID = patientID
        self.groups = groups
    }
}

/// A group-by field passed through from input to output and summaries.
public struct GroupValue: Sendable, Equatable, Hashable {
    public var field: String
    /// The value as JSON text, ready to be written into output unchanged.
    public var json: String

    public init(field: String, json: String) {
        self.field = field
        self.json = json
    }
}
