/// Where readers send malformed records: an error under `--on-error fail`, a counted and
/// remembered skip under `--on-error skip`. Failures that make the rest of a file
/// unreadable (I/O, truncated compression, a bad header) bypass it and always throw.
final class InputErrorSink {
    static let rememberedMessages = 20

    let policy: ErrorPolicy
    private(set) var skippedCount = 0
    private(set) var messages: [String] = []

    init(policy: ErrorPolicy) {
        self.policy = policy
    }

    func report(_ location: SourceLocation, _ message: String) throws {
        if policy == .fail { throw MemscanError.input(location, message) }
        skippedCount += 1
        if messages.count < Self.rememberedMessages {
            messages.append("\(location): \(message)")
        }
    }
}
