import ConcTraceSystem

/// Why a trace session could not do what was asked.
public enum TraceSessionError: Error, Sendable, CustomStringConvertible {
    /// The trace file cannot be created (a missing folder, no permission, a link or a folder at the path).
    case cannotCreateTrace(OutputError)
    /// The global executor cannot be replaced: the runtime has no hooks, or something else holds them (why).
    case globalExecutorUnavailable(String)
    /// A pool's or a loop's threads could not be started (why).
    case cannotStartThreads(String)
    /// Writing the trace failed part-way (why); what was written is kept and loads.
    case writeFailed(String)

    public var description: String {
        switch self {
        case .cannotCreateTrace(let error): "cannot create the trace: \(error)"
        case .globalExecutorUnavailable(let why): "cannot replace the global executor: \(why)"
        case .cannotStartThreads(let why): "cannot start threads: \(why)"
        case .writeFailed(let why): "writing the trace failed: \(why); what was written is kept and loads"
        }
    }
}
