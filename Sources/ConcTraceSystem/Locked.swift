#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// A value behind a pthread mutex: state that several threads share off the recording hot path (the recorder's
/// drain state and annotations, the loop's inbox, the pool's task table, a batch's tally).
///
/// Why not Synchronization's `Mutex`: when contended it waits on a futex inside the runtime, where Thread Sanitizer
/// cannot see the ordering it gives, so every contended section reads as a race. TSan intercepts pthread locks, so
/// with this the executor tests run clean under `--sanitize=thread` and a real race would still show.
///
/// The mutex is adaptive: the sections it guards are short (a table lookup), so a thread that finds it held spins
/// briefly before sleeping, and the holder's unlock needs no futex wake-up.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    /// Makes the lock around `value`.
    public init(_ value: Value) {
        self.value = value
        ct_mutex_init_adaptive(mutex)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result)
        throws(Failure) -> Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
