import Foundation

/// Every temporary file of the core tests lives in one folder per test process, removed
/// when the process exits: thousands of tests each leaving a folder behind filled the
/// system's temporary directory. (A crashed run leaves its folder, named after it.)
enum TestScratch {
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("memscan-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))",
                                    isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return url
    }()

    /// A fresh folder under the root.
    static func directory(_ label: String) -> URL {
        let url = root.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
