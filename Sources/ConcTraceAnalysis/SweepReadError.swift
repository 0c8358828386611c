#if canImport(Glibc)
import Glibc
#endif
import ConcTraceFormat
import ConcTraceSystem

/// Why a sweep results file (docs/sweep-format.md) could not be read.
public enum SweepReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read: `call` (`open`, `read`) failed with `errno` (missing, a directory,
    /// no permission).
    case cannotOpen(path: String, call: String, errno: Int32)
    /// The path names something that is not read as a file (a directory, a socket), or a FIFO that no writer
    /// opened in time (`InputFile`).
    case notReadable(path: String, InputFile.Failure)
    /// The file is not JSON; `offset` is the byte where parsing stopped.
    case malformed(path: String, offset: Int, reason: String)
    /// The file is JSON but not a sweep file: not `"kind": "sweep"`, or a key missing or of the wrong type.
    case notASweep(path: String, reason: String)

    /// One line saying what is wrong and where, with control characters from the path or the file escaped
    /// (`TerminalText`).
    public var description: String {
        TerminalText.escaped(rawDescription)
    }

    private var rawDescription: String {
        switch self {
        case .cannotOpen(let path, let call, let errno):
            "cannot open sweep file \(path): \(call): \(String(cString: strerror(errno))) (errno \(errno))"
        case .notReadable(let path, let failure):
            "cannot read sweep file \(path): \(failure.reason)"
        case .malformed(let path, let offset, let reason):
            "\(path): malformed sweep file at byte \(offset): \(reason)"
        case .notASweep(let path, let reason):
            "\(path): not a conctrace sweep file: \(reason)"
        }
    }

    /// True when the file itself could not be opened or read (exit 66), as opposed to its content being wrong (65).
    public var isInputUnavailable: Bool {
        switch self {
        case .cannotOpen, .notReadable: true
        default: false
        }
    }
}
