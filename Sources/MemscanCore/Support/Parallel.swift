import Dispatch
import Synchronization

/// Most worker threads a command takes (`--threads`): every scan thread holds buffers of
/// its own, and threads beyond a machine's cores only cost memory.
public let maxThreads = 1024

/// The check every `--threads` option shares.
public func validateThreads(_ threads: Int) throws {
    guard (1 ... maxThreads).contains(threads) else {
        throw MemscanError.usage("--threads must be in 1...\(maxThreads) (got \(threads))")
    }
}

/// Runs `body(i)` for i in 0..<count on up to `threads` threads and waits.
func parallelFor(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    if count == 0 { return }
    if threads <= 1 || count == 1 {
        for i in 0 ..< count { body(i) }
        return
    }
    let group = DispatchGroup()
    let queue = DispatchQueue.global(qos: .userInitiated)
    let next = Box(Atomic<Int>(0))
    for _ in 0 ..< min(threads, count) {
        queue.async(group: group) {
            while true {
                let i = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                body(i)
            }
        }
    }
    group.wait()
}

/// Shares a non-copyable synchronization value between closures.
final class Box<T: ~Copyable>: Sendable where T: Sendable {
    let value: T
    init(_ value: consuming T) { self.value = value }
}

/// One slot per task for results computed in parallel. Each slot is written by
/// exactly one task and read only after all tasks finished (parallelFor waits),
/// which is why the unchecked Sendable is sound.
final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    subscript(i: Int) -> T? {
        get { slots[i] }
        set { slots[i] = newValue }
    }
    func take() -> [T] { slots.map { $0! } }
}
