import ArgumentParser
import MemscanCore

#if canImport(Glibc)
import Glibc
#endif

// Exit codes (§5): 0 done, 2 bad usage or input, 3 --fail-on threshold reached.
do {
    var command = try MemscanCommand.parseAsRoot()
    try command.run()
} catch let error as MemscanError {
    StandardError.write("memscan: \(error)\n")
    exit(2)
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    if MemscanCommand.exitCode(for: error) == .success {
        MemscanCommand.exit(withError: error)  // --help, --version
    }
    StandardError.write("memscan: \(MemscanCommand.message(for: error))\n")
    StandardError.write("Run 'memscan --help' for usage.\n")
    exit(2)
}
