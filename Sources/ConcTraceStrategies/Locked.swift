#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex: the executors' state that several threads share (the loop's inbox, the pool's
/// task table).
///
/// Why not Synchronization's `Mutex`: when contended it waits on a futex inside the runtime, where Thread Sanitizer
/// cannot see the ordering it gives, so every contended section reads as a race. TSan intercepts pthread locks, so
/// with this the executor tests run clean under `--sanitize=thread` and a real race would still show.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
