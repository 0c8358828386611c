import ConcTraceFormat
import ConcTraceSystem

/// Why a trace could not be read.
///
/// A file that merely stops early (a run killed mid-write) is not an error: the reader returns the complete events
/// and sets `ChromeTraceReader.isTruncated`.
public enum TraceReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened (missing, no permission).
    case cannotOpen(path: String, OSError)
    /// The path names something that is not read as a trace (a directory, a socket), or a FIFO that no writer
    /// opened in time (`InputFile`).
    case notReadable(path: String, InputFile.Failure)
    /// Reading failed part-way (an I/O error).
    case readFailed(path: String, OSError)
    /// The input holds nothing but white space: no trace was ever written to it.
    case empty
    /// The input is not a Chrome trace: bad JSON, a top-level value that is neither an array nor an object, or an
    /// array element that is not an object. `offset` is the byte offset in the input of the offending byte; for bad
    /// JSON inside an event, `reason` also says where that event starts.
    case malformed(offset: Int, reason: String)
    /// An event (or a top-level value of the Object form) nests deeper than `limit` levels; the reader refuses it
    /// rather than risk unbounded work. `offset` is where that value starts.
    case tooDeep(offset: Int, limit: Int)

    /// One line saying what is wrong and where, with the path's and any quoted input's control characters escaped
    /// (`TerminalText`).
    public var description: String {
        TerminalText.escaped(rawDescription)
    }

    private var rawDescription: String {
        switch self {
        case .cannotOpen(let path, let error): "cannot open trace \(path): \(error)"
        case .notReadable(let path, let failure): "cannot read trace \(path): \(failure.reason)"
        case .readFailed(let path, let error): "reading trace \(path) failed: \(error)"
        case .empty: "the trace is empty: no JSON in it"
        case .malformed(let offset, let reason): "malformed trace at byte \(offset): \(reason)"
        case .tooDeep(let offset, let limit):
            "malformed trace at byte \(offset): the value there nests deeper than \(limit) levels"
        }
    }
}
