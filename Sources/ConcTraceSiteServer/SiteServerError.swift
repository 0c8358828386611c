#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a ``SiteServer`` could not start listening.
public enum SiteServerError: Error, Equatable, CustomStringConvertible {
    /// Another socket already listens on `host:port` (EADDRINUSE).
    case addressInUse(host: String, port: Int)
    /// `host` is neither an address nor a name that resolves.
    case unknownHost(String)
    /// A system call failed otherwise, e.g. EADDRNOTAVAIL for an address of another machine or EACCES for a
    /// privileged port: the call's name and errno.
    case cannotListen(host: String, port: Int, call: String, errno: Int32)
    /// Any other failure SwiftNIO reports while binding, as it describes it.
    case unexpected(host: String, port: Int, reason: String)

    /// One line naming host:port and what went wrong (and, where there is one, what to do).
    public var description: String {
        switch self {
        case .addressInUse(let host, let port):
            "cannot listen on \(Self.endpoint(host, port)): address already in use; " +
                "choose another --port, or 0 for a free one"
        case .unknownHost(let host):
            "cannot listen on '\(host)': unknown host; give an IP address such as 127.0.0.1"
        case .cannotListen(let host, let port, let call, let errno):
            "cannot listen on \(Self.endpoint(host, port)): \(call) failed: " +
                "\(String(cString: strerror(errno))) (errno \(errno))"
        case .unexpected(let host, let port, let reason):
            "cannot listen on \(Self.endpoint(host, port)): \(reason)"
        }
    }

    /// `host:port`, with brackets around an IPv6 address.
    static func endpoint(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
