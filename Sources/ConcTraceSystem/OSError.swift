#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: its name and errno.
public struct OSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed, e.g. `open`.
    public var call: String
    /// The errno it set.
    public var errno: Int32

    /// Makes an error.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// `call: message (errno N)`.
    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
