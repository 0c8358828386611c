import ConcTraceSystem

/// Why an executor could not start.
public enum ExecutorError: Error, Sendable, CustomStringConvertible {
    /// Thread `index` of the executor (0: its timer thread) could not be started, e.g. at the process's thread limit.
    case cannotStartThread(index: Int, OSError)

    public var description: String {
        switch self {
        case .cannotStartThread(let index, let error): "could not start thread \(index): \(error)"
        }
    }
}
