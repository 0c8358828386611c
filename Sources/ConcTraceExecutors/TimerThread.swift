#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem

/// A thread that resumes continuations at their deadlines: the async pool's timer, so sleeps never block a pool
/// thread. Resuming a task's continuation enqueues the task on its executor, from this thread.
final class TimerThread: @unchecked Sendable {
    private var heap = TimerHeap<UnsafeContinuation<Void, Never>>()
    private var stopped = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var thread: OSThread?

    /// Starts the thread; `onStart` runs on it first (e.g. to bind its lane).
    init(onStart: @escaping @Sendable () -> Void = {}) throws(OSError) {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(changed, &attributes)
        pthread_condattr_destroy(&attributes)
        thread = try OSThread(name: "ct-timers") { [self] in
            onStart()
            run()
        }
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Resumes `continuation` at `deadline` (monotonic nanoseconds).
    func schedule(_ deadline: UInt64, _ continuation: UnsafeContinuation<Void, Never>) {
        pthread_mutex_lock(mutex)
        let earliest = heap.nextDeadline.map { deadline < $0 } ?? true
        heap.insert(deadline: deadline, continuation)
        pthread_mutex_unlock(mutex)
        if earliest { pthread_cond_signal(changed) }
    }

    /// Stops the thread; pending timers are resumed at once so no task is left suspended.
    func stop() {
        pthread_mutex_lock(mutex)
        stopped = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(changed)
        thread?.join()
        thread = nil
    }

    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            var due: [UnsafeContinuation<Void, Never>] = []
            let now = stopped ? UInt64.max : MonotonicClock.now()
            while let continuation = heap.popDue(now: now) { due.append(continuation) }
            if !due.isEmpty {
                pthread_mutex_unlock(mutex)
                due.forEach { $0.resume() }
                pthread_mutex_lock(mutex)
                continue
            }
            if stopped { break }
            if let next = heap.nextDeadline {
                var until = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
                pthread_cond_timedwait(changed, mutex, &until)
            } else {
                pthread_cond_wait(changed, mutex)
            }
        }
        pthread_mutex_unlock(mutex)
    }
}
