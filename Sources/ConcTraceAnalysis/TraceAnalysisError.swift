import ConcTraceFormat
import ConcTraceReader

#if canImport(Glibc)
import Glibc
#endif

/// Why a trace could not be analyzed. A trace that is merely cut short is analyzed (see `TraceSource.isTruncated`).
public enum TraceAnalysisError: Error, Sendable, CustomStringConvertible {
    /// The trace could not be read: it cannot be opened, is empty, or is not a Chrome trace (`TraceReadError` says
    /// which, with the byte offset of a malformed event).
    case unreadable(path: String, TraceReadError)
    /// The trace is well-formed but holds no event (`[]`, `{"traceEvents": []}`, or a lone `[`).
    case noEvents(path: String)

    /// One line saying what is wrong, with the file; control characters escaped (`TerminalText`).
    public var description: String {
        TerminalText.escaped(rawDescription)
    }

    private var rawDescription: String {
        switch self {
        case .unreadable(_, .cannotOpen(let path, let error)): "cannot open trace \(path): \(error)"
        case .unreadable(_, .readFailed(let path, let error)) where error.errno == EISDIR:
            "\(path) is a folder, not a trace file; give the traces in it (e.g. \(path)/*.json)"
        case .unreadable(_, .notReadable(let path, .notAFile(kind: "a directory"))):
            "\(path) is a folder, not a trace file; give the traces in it (e.g. \(path)/*.json)"
        case .unreadable(_, .notReadable(let path, let failure)): "cannot read trace \(path): \(failure.reason)"
        case .unreadable(_, .readFailed(let path, let error)): "reading trace \(path) failed: \(error)"
        case .unreadable(let path, let error): "\(path): \(error)"
        case .noEvents(let path): "\(path): the trace holds no events"
        }
    }

    /// True when the file itself could not be opened or read (as opposed to its content being wrong).
    public var isInputUnavailable: Bool {
        switch self {
        case .unreadable(_, .cannotOpen), .unreadable(_, .notReadable), .unreadable(_, .readFailed): true
        default: false
        }
    }
}
