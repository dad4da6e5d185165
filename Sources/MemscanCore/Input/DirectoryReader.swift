import Foundation

/// A directory of notes: one record per `.txt` file (also `.txt.gz` / `.txt.zst`), id =
/// the file name without its suffixes, in byte order of the names so that runs are
/// reproducible whatever the file system lists first. Hidden files and subdirectories
/// are ignored.
final class DirectoryReader: FormatReader {
    private let directory: String
    private let pathPrefix: String
    private let names: [String]
    private let groups: [GroupValue]
    private let sink: InputErrorSink
    private var nextIndex = 0
    private var consumedBytes = 0

    init(path: String, displayName: String, groups: [GroupValue], sink: InputErrorSink) throws {
        directory = displayName
        self.groups = groups
        self.sink = sink
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw MemscanError.io(path: displayName, "cannot list directory: \(error.localizedDescription)")
        }
        let base = URL(fileURLWithPath: path)
        names = entries.filter { name in
            guard !name.hasPrefix("."), Self.recordID(name) != nil else { return false }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: base.appendingPathComponent(name).path,
                                                        isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        // A directory named as input and holding no note is a mistake (a wrong path, an
        // unfinished export), not an empty run that a gate would pass.
        guard !names.isEmpty else {
            throw MemscanError.io(path: displayName, "no notes in the directory (a note is a .txt, .txt.gz or .txt.zst file)")
        }
        pathPrefix = path.hasSuffix("/") ? path : path + "/"
    }

    /// The id of a note file, or nil when the name is not a note.
    static func recordID(_ name: String) -> String? {
        let plain = InputSourceOpener.stripCompressionSuffix(name)
        guard plain.lowercased().hasSuffix(".txt"), plain.count > 4 else { return nil }
        return String(plain.dropLast(4))
    }

    var bytesRead: Int { consumedBytes }

    func close() {}

    func next() throws -> InputRecord? {
        while nextIndex < names.count {
            let name = names[nextIndex]
            nextIndex += 1
            let displayName = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let location = SourceLocation(file: displayName, line: 1)
            let text = try readAll(path: pathPrefix + name, displayName: displayName)
            consumedBytes += text.count
            let valid = text.withUnsafeBufferPointer { UTF8Validation.firstInvalidByte($0) }
            if let bad = valid {
                try sink.report(location, "invalid UTF-8 at byte \(bad + 1)")
                continue
            }
            return InputRecord(id: Self.recordID(name)!, location: location,
                               content: .string(String(decoding: text, as: UTF8.self)), groups: groups)
        }
        return nil
    }

    private func readAll(path: String, displayName: String) throws -> [UInt8] {
        let source = try InputSourceOpener.open(path: path, displayName: displayName)
        defer { source.close() }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress!, capacity: $0.count) }
            if n == 0 { break }
            text.append(contentsOf: chunk[0 ..< n])
        }
        // Editors on Windows start notes with a byte order mark; it is not part of the text.
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        return text
    }
}
