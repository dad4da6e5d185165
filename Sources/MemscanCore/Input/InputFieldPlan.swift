import CMemscanShims

/// The fields a reader must pick out of each record, resolved once from InputOptions.
///
/// Every distinct name gets one index, whatever roles it plays (a name can be both an id
/// and a group-by field), so a record's keys are looked up once each.
struct InputFieldPlan: Sendable {
    /// All wanted names, concatenated, for a lookup without per-name allocations.
    private var nameBytes: [UInt8] = []
    private var nameStarts: [Int] = []
    private var nameLengths: [Int] = []
    private(set) var names: [String] = []

    /// Field indexes in priority order.
    private(set) var idFields: [Int] = []
    private(set) var contentFields: [Int] = []
    /// Per field index: its rank in `contentFields`, or Int.max when it is not content.
    private(set) var contentRank: [Int] = []
    private(set) var promptField: Int?
    private(set) var promptLengthField: Int?
    private(set) var patientField: Int?
    /// One entry per requested group-by name, duplicates kept, in the requested order.
    private(set) var groupFields: [Int] = []
    let groupNames: [String]
    let readGenerationFields: Bool

    init(options: InputOptions) {
        readGenerationFields = options.readGenerationFields
        groupNames = options.groupBy
        // A generation's patient is not its id: with generation fields, `patient_id` only
        // names the patient, and the id falls back to the other names or the line number.
        let ids = options.readGenerationFields
            ? options.idFields.filter { $0 != options.patientField }
            : options.idFields
        for name in ids {
            let field = indexOf(name)
            if !idFields.contains(field) { idFields.append(field) }
        }
        let content = options.preferText
            ? options.textFields + options.tokenFields
            : options.tokenFields + options.textFields
        for name in content {
            let field = indexOf(name)
            if !contentFields.contains(field) { contentFields.append(field) }
        }
        if options.readGenerationFields {
            promptField = indexOf(options.promptField)
            promptLengthField = indexOf(options.promptLengthField)
            patientField = indexOf(options.patientField)
        }
        groupFields = options.groupBy.map { indexOf($0) }
        contentRank = Array(repeating: Int.max, count: names.count)
        for (rank, field) in contentFields.enumerated() { contentRank[field] = rank }
    }

    var count: Int { names.count }

    /// "tokens, event_tokens, ..." for messages about missing content.
    var contentFieldList: String { contentFields.map { names[$0] }.joined(separator: ", ") }

    /// The index of `name`, adding it when new.
    private mutating func indexOf(_ name: String) -> Int {
        if let existing = names.firstIndex(of: name) { return existing }
        names.append(name)
        nameStarts.append(nameBytes.count)
        nameLengths.append(name.utf8.count)
        nameBytes.append(contentsOf: name.utf8)
        return names.count - 1
    }

    /// The field index of a key's bytes, or -1 when the key is not wanted.
    func fieldIndex(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        let length = key.count
        return nameBytes.withUnsafeBufferPointer { all in
            for i in 0 ..< nameLengths.count where nameLengths[i] == length {
                if length == 0 || ms_bytes_equal(all.baseAddress! + nameStarts[i], key.baseAddress!, length) != 0 {
                    return i
                }
            }
            return -1
        }
    }

    func fieldIndex(_ name: String) -> Int {
        names.firstIndex(of: name) ?? -1
    }
}
