import CLinux

/// Hints to the CPU's caches, for the recorder's hot path.
public enum CacheHint {
    /// Asks for the cache line at `address` in a state ready to be written (PREFETCHW on x86-64): a store there a
    /// little later finds the line owned instead of waiting for it to come from memory or another core. A hint: it
    /// never faults (any address will do) and changes nothing a program can see.
    @inlinable @inline(__always)
    public static func prefetchForWrite(_ address: UnsafeRawPointer) {
        ct_prefetch_for_write(address)
    }
}
