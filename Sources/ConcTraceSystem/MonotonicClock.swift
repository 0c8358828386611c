#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock of a trace: `CLOCK_MONOTONIC` in nanoseconds (vDSO on Linux, about 23 ns a read here).
///
/// It is shared by every thread and process on the machine, so the events of worker processes merge with the
/// parent's without translation.
public enum MonotonicClock {
    /// Now, in monotonic nanoseconds.
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The wall-clock time now, in nanoseconds since the Unix epoch (for run metadata only).
    public static func wallNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
