import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// Why a download task failed. The description is what the trace shows as the task's `error`.
public enum DownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl could not complete the transfer: its `CURLcode` and message, e.g. 7 and "Failed to connect to
    /// 127.0.0.1 port 9 after 0 ms: Couldn't connect to server", 28 for a timeout, 56 for a reset connection.
    case transfer(code: Int, message: String)
    /// The server answered with an HTTP error status (400 or above).
    case http(status: Int)
    /// The I/O reactor the transfer needs could not run (its thread could not be started).
    case reactorUnavailable(OSError)

    public var description: String {
        switch self {
        case .transfer(_, let message): message
        case .http(let status): "HTTP \(status)"
        case .reactorUnavailable(let error): "cannot start the I/O thread: \(error)"
        }
    }
}
