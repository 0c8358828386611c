import ConcTraceSystem
import Synchronization

/// A value attached to a task: shown in its args in the trace.
public enum AnnotationValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
}

/// Per-task details that do not fit a fixed-size event: an error message, a URL, an HTTP status.
///
/// This is the cold path, at most a few calls per task (it takes a lock and allocates): attach details before
/// recording the task's final event, and the writer adds them to the task's args when it sees that event.
public final class TaskAnnotations: Sendable {
    private let table = Locked<[UInt64: [(String, AnnotationValue)]]>([:])
    // Tasks with details: the writer asks at every task's end, and most runs attach nothing (no lock then).
    private let annotatedTasks = Atomic<Int>(0)

    /// Makes an empty table.
    public init() {}

    /// Attaches `key: value` to `task`.
    public func annotate(_ task: UInt64, _ key: String, _ value: AnnotationValue) {
        table.withLock { table in
            if table[task] == nil { annotatedTasks.wrappingAdd(1, ordering: .releasing) }
            table[task, default: []].append((key, value))
        }
    }

    /// Removes and returns what is attached to `task`, in the order attached. Takes no lock when no task has details
    /// (a detail attached before the task's final event was recorded is always seen by the writer of that event).
    public func take(_ task: UInt64) -> [(String, AnnotationValue)] {
        guard annotatedTasks.load(ordering: .acquiring) > 0 else { return [] }
        return table.withLock { table in
            guard let details = table.removeValue(forKey: task) else { return [] }
            annotatedTasks.wrappingSubtract(1, ordering: .releasing)
            return details
        }
    }
}
