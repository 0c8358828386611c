#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A /proc file that could not be read.
public enum SystemReadError: Error, Equatable, CustomStringConvertible {
    /// `call` (open or read) on `path` failed with `errno`.
    case cannotRead(path: String, call: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotRead(let path, let call, let code):
            "\(path): \(call): \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

extension SystemSnapshot {
    /// Reads /proc/loadavg and /proc/stat now. A file that cannot be read leaves its part nil and says why in
    /// `problems` (the noise guard is advice: a machine without /proc still gets a verdict).
    public static func read(loadavgPath: String = "/proc/loadavg", statPath: String = "/proc/stat") -> SystemSnapshot {
        var problems: [String] = []
        func text(_ path: String) -> String? {
            do {
                return try readHead(path)
            } catch {
                problems.append(error.description)
                return nil
            }
        }
        let loadText = text(loadavgPath)
        let statText = text(statPath)
        let load = loadText.flatMap(LoadAverage.init(procLoadavg:))
        let cpu = statText.flatMap(CPUTimes.init(procStat:))
        if loadText != nil, load == nil { problems.append("\(loadavgPath): not a load average") }
        if statText != nil, cpu == nil { problems.append("\(statPath): no cpu line") }
        return SystemSnapshot(load: load, cpu: cpu, problems: problems)
    }

    /// The first `limit` bytes of a file (the lines the snapshot needs come first; /proc/stat's later lines can be
    /// long on machines with many interrupts).
    static func readHead(_ path: String, limit: Int = 4096) throws(SystemReadError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotRead(path: path, call: "open", errno: errno) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let count = bytes.withUnsafeMutableBytes { buffer in
                readBytes(descriptor, buffer.baseAddress! + filled, limit - filled)
            }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, call: "read", errno: errno)
            }
            filled += count
        }
        return String(decoding: bytes[..<filled], as: UTF8.self)
    }
}

/// read(2), named apart from `SystemSnapshot.read` so that the call inside the extension finds the C function.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
