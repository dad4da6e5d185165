/// Progress on standard error, only when it is a terminal (§5): a pipeline's
/// logs stay clean.
public final class ProgressReporter {
    private let label: String
    private let totalBytes: Int?
    private let start = MonotonicClock.now()
    private var lastPrint = 0.0
    private var printed = false

    /// - Parameter totalBytes: input size when known (uncompressed files), for ETA.
    public init?(label: String, totalBytes: Int?, force: Bool = false) {
        guard force || StandardError.isTerminal else { return nil }
        self.label = label
        self.totalBytes = totalBytes
    }

    public func update(generations: Int, tokens: Int, bytesRead: Int) {
        let now = MonotonicClock.now()
        guard now - lastPrint >= 0.5 else { return }
        lastPrint = now
        let elapsed = max(now - start, 1e-9)
        var line = "\r\(label): \(generations) done, \(Self.human(Double(tokens) / elapsed)) tokens/s"
        if let totalBytes, totalBytes > 0, bytesRead > 0 {
            let fraction = min(1, Double(bytesRead) / Double(totalBytes))
            let eta = elapsed / max(fraction, 1e-9) - elapsed
            line += ", \(Int(fraction * 100))%, ETA \(Int(eta.rounded()))s"
        }
        StandardError.write(line + "   ")
        printed = true
    }

    public func finish() {
        if printed { StandardError.write("\n") }
    }

    static func human(_ value: Double) -> String {
        if value >= 1e6 { return String(Double(Int(value / 1e5)) / 10) + "M" }
        if value >= 1e3 { return String(Double(Int(value / 1e2)) / 10) + "k" }
        return String(Int(value))
    }
}
