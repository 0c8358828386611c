#if canImport(Glibc)
import Glibc
#endif

/// This process's peak resident set size, in bytes: `VmHWM` of /proc/self/status (nil where it cannot be read).
///
/// Not getrusage's `ru_maxrss`: Linux carries a process's high-water mark across execve, and a child started with
/// posix_spawn (vfork) shares its parent's memory until then, so a child's `ru_maxrss` is at least its parent's
/// size. `VmHWM` counts only the memory of the program now running.
public func peakResidentBytes() -> Int? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix("VmHWM:") else { continue }
        let kibibytes = text.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
        return kibibytes.map { $0 * 1024 }   // "VmHWM:\t   24932 kB"
    }
    return nil
}
