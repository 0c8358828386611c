/// This process's peak resident set size, in bytes: `VmHWM` of /proc/self/status (nil where it cannot be read).
///
/// Not getrusage's `ru_maxrss`: Linux carries a process's high-water mark across execve, and a child started with
/// posix_spawn (vfork) shares its parent's memory until then, so a child's `ru_maxrss` is at least its parent's
/// size. `VmHWM` counts only the memory of the program now running.
public func peakResidentBytes() -> Int? {
    // "VmHWM:\t   24932 kB"
    Machine.statusField("VmHWM").flatMap { $0.split(separator: " ").first }.flatMap { Int($0) }.map { $0 * 1024 }
}
