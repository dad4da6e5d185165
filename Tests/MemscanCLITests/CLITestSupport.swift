import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one run of the `memscan` executable produced.
struct CLIRun: Sendable {
    var arguments: [String]
    var status: Int32
    /// True when the process died of a signal (a crash): never acceptable.
    var signaled: Bool
    var stdout: Data
    var stderr: Data

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
    /// Non-empty lines of standard error.
    var errLines: [String] { err.split(separator: "\n").map(String.init) }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
}

/// Runs the built `memscan` executable.
enum CLI {
    /// The package root: this file is `<root>/Tests/MemscanCLITests/CLITestSupport.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) -> String {
        packageRoot.appendingPathComponent("sample").appendingPathComponent(name).path
    }

    /// Where the executable was looked for, in order.
    static let candidates: [String] = {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["MEMSCAN_BIN"], !explicit.isEmpty {
            return [explicit]
        }
        // The test runner (memscanPackageTests.xctest, or the bundle inside it on macOS) lives
        // in `<scratch>/<triple>/debug/`, next to the memscan executable of the same build,
        // whatever --scratch-path was used.
        var starts: [URL] = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()]
        if let executable = Bundle.main.executableURL { starts.append(executable.resolvingSymlinksInPath()) }
        starts.append(Bundle.main.bundleURL.resolvingSymlinksInPath())
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0 ..< 5 {
                candidates.append(directory.appendingPathComponent("memscan").path)
                if directory.path == "/" { break }
                directory = directory.deletingLastPathComponent()
            }
        }
        candidates.append(packageRoot.appendingPathComponent(".build-cli/debug/memscan").path)
        candidates.append(packageRoot.appendingPathComponent(".build/debug/memscan").path)
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }()

    static let executable: String? = {
        for path in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: path) {
                return path
            }
        }
        return nil
    }()

    /// A child that exits early must not kill the test process with SIGPIPE while its
    /// standard input is still being written.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs `memscan arguments`, feeding `stdin` (nothing: /dev/null) and capturing both
    /// outputs. Records an issue when the process is killed by a signal or times out.
    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil,
                    timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIRun {
        guard let executable else {
            throw CLIError(description: "memscan executable not found; build it first (swift build --build-tests) or set MEMSCAN_BIN. Tried: \(candidates.joined(separator: ", "))")
        }
        _ = ignoreSIGPIPE
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment

        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = stdin == nil ? nil : Pipe()
        process.standardInput = inPipe ?? FileHandle.nullDevice

        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()

        let collected = Collected()
        let readers = DispatchGroup()
        let outHandle = outPipe.fileHandleForReading, errHandle = errPipe.fileHandleForReading
        DispatchQueue.global().async(group: readers) { collected.set(out: outHandle.readDataToEndOfFile()) }
        DispatchQueue.global().async(group: readers) { collected.set(err: errHandle.readDataToEndOfFile()) }
        if let stdin, let writer = inPipe?.fileHandleForWriting {
            DispatchQueue.global().async(group: readers) {
                try? writer.write(contentsOf: stdin)  // EPIPE when the child stops reading early
                try? writer.close()
            }
        }

        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            finished.wait()
            readers.wait()
            throw CLIError(description: "memscan \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        readers.wait()
        let signaled = process.terminationReason == .uncaughtSignal
        let result = CLIRun(arguments: arguments, status: process.terminationStatus, signaled: signaled,
                            stdout: collected.out, stderr: collected.err)
        if signaled {
            Issue.record("memscan \(arguments.joined(separator: " ")) was killed by signal \(result.status); stderr: \(result.err)",
                         sourceLocation: sourceLocation)
        }
        return result
    }
}

/// Output gathered by the reader threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var _out = Data(), _err = Data()
    var out: Data { lock.withLock { _out } }
    var err: Data { lock.withLock { _err } }
    func set(out: Data) { lock.withLock { _out = out } }
    func set(err: Data) { lock.withLock { _err = err } }
}

/// A temporary directory removed when the value is released.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("memscan-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: file(name)))
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

// MARK: - JSON

typealias JSONObject = [String: Any]

/// Parses JSONL: every non-empty line must be one JSON object.
func parseJSONL(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSONObject] {
    var objects: [JSONObject] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        guard let object = value as? JSONObject else {
            throw CLIError(description: "line \(n + 1) is not a JSON object: \(line)")
        }
        objects.append(object)
    }
    return objects
}

func parseJSON(_ data: Data) throws -> JSONObject {
    guard let object = try JSONSerialization.jsonObject(with: data) as? JSONObject else {
        throw CLIError(description: "not a JSON object: \(String(decoding: data, as: UTF8.self))")
    }
    return object
}

func spans(of generation: JSONObject) -> [JSONObject] {
    generation["spans"] as? [JSONObject] ?? []
}

/// A JSON value as a plain string for comparisons ("r1", 101 -> "101").
func scalar(_ value: Any?) -> String? {
    switch value {
    case let s as String: return s
    case let n as NSNumber: return n.stringValue
    default: return nil
    }
}

func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }
func double(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

/// JSON text of a string (tests only use printable ASCII and the characters escaped here).
func jsonString(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

func jsonArray(_ tokens: [String]) -> String {
    "[" + tokens.map(jsonString).joined(separator: ",") + "]"
}

/// One JSONL line from ordered key/raw-JSON pairs.
func jsonLine(_ fields: [(String, String)]) -> String {
    "{" + fields.map { jsonString($0.0) + ":" + $0.1 }.joined(separator: ",") + "}\n"
}

// MARK: - Synthetic data

/// Distinct code tokens for record `name`: `LAB//<name>-<i>//Normal`.
func codes(_ name: String, _ count: Int) -> [String] {
    (0 ..< count).map { "LAB//\(name)-\($0)//Normal" }
}

/// Builds the index of `records` (JSONL text) in `dir`, returning its path.
func buildIndex(_ dir: TempDir, records: String, name: String = "records", extra: [String] = [],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let input = try dir.write(name + ".jsonl", records)
    let index = dir.file(name + ".index")
    let run = try CLI.run(["index", "build", "-o", index] + extra + [input])
    #expect(run.status == 0, "index build failed: \(run.err)", sourceLocation: sourceLocation)
    return index
}
