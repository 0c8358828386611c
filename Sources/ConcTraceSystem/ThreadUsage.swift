#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's OS context-switch counts.
public struct ThreadUsage: Sendable, Equatable {
    /// Switches because the thread blocked.
    public var voluntary: UInt64
    /// Switches because the thread was preempted.
    public var involuntary: UInt64

    /// Reads getrusage(RUSAGE_THREAD) for the calling thread.
    public static func current() -> ThreadUsage {
        var usage = rusage()
        // RUSAGE_THREAD (1) is Linux-specific.
        getrusage(__rusage_who_t(1), &usage)
        return ThreadUsage(voluntary: UInt64(max(0, usage.ru_nvcsw)), involuntary: UInt64(max(0, usage.ru_nivcsw)))
    }
}
