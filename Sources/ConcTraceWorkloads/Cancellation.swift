import ConcTraceSystem
import Synchronization

/// A run-wide stop request (Ctrl-C): set once, read by workers between tasks and by long tasks between steps.
public final class Cancellation: Sendable {
    /// When stopping was first asked for (monotonic ns), 0 while it was not.
    private let time = Atomic<UInt64>(0)

    /// Makes a flag that is not set.
    public init() {}

    /// Asks the run to stop (the first call's time is kept).
    public func cancel() {
        _ = time.compareExchange(expected: 0, desired: max(1, MonotonicClock.now()), ordering: .acquiringAndReleasing)
    }

    /// Whether stopping was asked for.
    public var isCancelled: Bool { time.load(ordering: .acquiring) != 0 }

    /// When stopping was first asked for, on the trace's clock; nil while it was not.
    public var cancelledAt: UInt64? {
        let value = time.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }
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
