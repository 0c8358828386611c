#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem

/// Names for the program's own threads as the trace shows them: `main` for the process's first thread, else the
/// thread's OS name and id (`worker (tid 4242)`).
package enum ThreadNames {
    /// The calling thread's name.
    package static var current: String {
        let tid = threadID
        if tid == getpid() { return "main" }
        let name = (try? FileDescriptor.readFile("/proc/thread-self/comm", limit: 64))
            .map { String(decoding: $0, as: UTF8.self).trimmingNewline } ?? ""
        // libdispatch's threads keep the tail of their long names (`-qos.overcommit`).
        if name.isEmpty || name.hasPrefix("-") || name.contains("qos") { return "thread \(tid)" }
        return "\(name) (tid \(tid))"
    }
}

extension ThreadNames {
    /// The calling thread's kernel id (`/proc/thread-self` links to `<pid>/task/<tid>`; gettid(2) is not in the
    /// Glibc module).
    package static var threadID: Int32 {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return 0 }
        let text = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) } ?? 0
    }
}

extension String {
    fileprivate var trimmingNewline: String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}
