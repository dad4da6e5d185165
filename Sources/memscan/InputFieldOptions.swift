import ArgumentParser
import MemscanCore

/// Input format and field-name options shared by `index build` and `scan` (§3).
struct InputFieldOptions: ParsableArguments {
    @Option(help: "Input format: jsonl, csv, tsv, text, dir or meds (default: from the file name, else jsonl).")
    var format: String?

    @Option(name: .customLong("id-field"), help: "Id field; repeat to try several in order (default: id, subject_id, patient_id, person_id, note_id; scan leaves out the --patient-field).")
    var idFields: [String] = []

    @Option(name: .customLong("tokens-field"), help: "Codes field; repeat to try several (default: tokens, event_tokens, codes, predicted_tokens, trajectory).")
    var tokenFields: [String] = []

    @Option(name: .customLong("text-field"), help: "Text field; repeat to try several (default: text, generation).")
    var textFields: [String] = []

    @Option(name: .customLong("on-error"), help: "On a malformed line: fail (default) or skip (counted in the summary).")
    var onError: String = "fail"

    @Option(name: .customLong("meds-subject-field"), help: "MEDS subject column.")
    var medsSubject: String = "subject_id"
    @Option(name: .customLong("meds-time-field"), help: "MEDS time column.")
    var medsTime: String = "time"
    @Option(name: .customLong("meds-code-field"), help: "MEDS code column.")
    var medsCode: String = "code"

    func inputOptions(preferText: Bool) throws -> InputOptions {
        try requireFieldNames([("--id-field", idFields), ("--tokens-field", tokenFields), ("--text-field", textFields),
                               ("--meds-subject-field", [medsSubject]), ("--meds-time-field", [medsTime]),
                               ("--meds-code-field", [medsCode])])
        var options = InputOptions()
        if let format {
            guard let parsed = InputFormat(rawValue: format) else {
                throw MemscanError.usage("--format must be one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(format)')")
            }
            options.format = parsed
        }
        if !idFields.isEmpty { options.idFields = idFields }
        if !tokenFields.isEmpty { options.tokenFields = tokenFields }
        if !textFields.isEmpty { options.textFields = textFields }
        options.preferText = preferText
        guard let policy = ErrorPolicy(rawValue: onError) else {
            throw MemscanError.usage("--on-error must be fail or skip (got '\(onError)')")
        }
        options.onError = policy
        options.medsSubjectField = medsSubject
        options.medsTimeField = medsTime
        options.medsCodeField = medsCode
        return options
    }
}

/// Refuses an empty field name: no input has one, and the messages that list the fields
/// tried would show it as a stray comma.
func requireFieldNames(_ options: [(option: String, names: [String])]) throws {
    for (option, names) in options where names.contains("") {
        throw MemscanError.usage("\(option): the field name is empty")
    }
}

/// Total size of the inputs when all are plain files, for progress ETA.
func plainInputSize(_ paths: [String]) -> Int? {
    var total = 0
    for path in paths {
        if path == "-" || path.hasSuffix(".gz") || path.hasSuffix(".zst") { return nil }
        guard let size = fileSize(path) else { return nil }
        total += size
    }
    return total
}

#if canImport(Glibc)
import Glibc
#endif

func fileSize(_ path: String) -> Int? {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(info.st_size)
}

/// Parses sizes such as 512M, 8G, 1024 (bytes).
func parseSize(_ text: String) throws -> Int {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var digits = text.uppercased()
    if digits.hasSuffix("B") { digits.removeLast() }
    var multiplier = 1
    if let last = digits.last, let unit = units[last] {
        multiplier = unit
        digits.removeLast()
    }
    guard let value = Double(digits), value > 0, value.isFinite else {
        throw MemscanError.usage("--memory-limit: cannot read size '\(text)' (examples: 512M, 8G)")
    }
    let bytes = value * Double(multiplier)
    guard bytes < 0x1p60 else { throw MemscanError.usage("--memory-limit: size '\(text)' is too large") }
    return Int(bytes)
}
