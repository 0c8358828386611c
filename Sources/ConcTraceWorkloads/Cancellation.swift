import Synchronization

/// A run-wide stop request (Ctrl-C): set once, read by workers between tasks and by long tasks between steps.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Makes a flag that is not set.
    public init() {}

    /// Asks the run to stop.
    public func cancel() { flag.store(true, ordering: .releasing) }

    /// Whether stopping was asked for.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
}

/// Why a task did not finish.
public enum TaskError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run was cancelled while the task was in progress.
    case cancelled

    public var description: String {
        switch self {
        case .cancelled: "cancelled"
        }
    }
}
