#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a ``TraceFileServer`` could not start.
public enum TraceFileServerError: Error, Equatable, CustomStringConvertible {
    /// The trace cannot be opened: the call's name and errno (ENOENT: no such file, EACCES: not readable).
    case cannotOpen(path: String, call: String, errno: Int32)
    /// The path names a directory, a pipe or anything else that is not a regular file.
    case notAFile(path: String)
    /// The file does not start like a JSON trace (`[{`, `[]`, `{"` or `{}` after white space); `start` says what
    /// it starts with: its first characters quoted, or its first bytes in hex for binary data; "" when the file
    /// holds nothing but white space.
    case notATrace(path: String, start: String)
    /// The server could not listen (e.g. the port is in use).
    case cannotListen(SiteServerError)

    /// One line naming the file (or the address) and what went wrong.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let call, let errno):
            "cannot open trace '\(path)': \(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .notAFile(let path):
            "cannot serve '\(path)': not a regular file; give the path of a trace (.json)"
        case .notATrace(let path, let start):
            start.isEmpty
                ? "'\(path)' is empty (nothing but white space), not a trace"
                : "'\(path)' does not look like a JSON trace (it starts with \(start), not [{ or {\"); " +
                    "give a Chrome trace written by conctrace run"
        case .cannotListen(let error):
            error.description
        }
    }
}
