#if canImport(Glibc)
import Glibc
#endif

/// Facts about the machine and this process that runs and their metadata record.
public enum Machine {
    /// The host's name.
    public static var hostName: String {
        var buffer = [UInt8](repeating: 0, count: 256)
        buffer.withUnsafeMutableBytes {
            _ = gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1)
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// Online CPU cores (at least 1).
    public static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// This process's id.
    public static var processID: Int32 { getpid() }

    /// The running executable, resolved (/proc/self/exe).
    public static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The value of field `name` in /proc/self/status (e.g. `VmHWM` gives `24932 kB`, `Umask` gives `0022`), blank
    /// around it trimmed; nil when it cannot be read.
    public static func statusField(_ name: String) -> String? {
        guard let status = try? FileDescriptor.readFile("/proc/self/status", limit: 1 << 16) else { return nil }
        let prefix = name + ":"
        for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            return String(line.dropFirst(prefix.count).drop(while: { $0 == " " || $0 == "\t" }))
        }
        return nil
    }

    /// Lifts the soft limit on open files to the hard one, as far as the system allows (a download keeps a socket
    /// per transfer in flight, and the embedded server one per connection).
    public static func raiseOpenFileLimit() {
        var limit = rlimit()
        let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(openFiles, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(openFiles, &limit)
    }
}
