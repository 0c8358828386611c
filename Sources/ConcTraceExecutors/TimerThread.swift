#if canImport(Glibc)
import Glibc
#endif
import CLinux
import ConcTraceRecorder
import ConcTraceSystem

/// A thread that resumes continuations at their deadlines: the async pool's timer, so sleeps never block a pool
/// thread. Resuming a task's continuation enqueues the task on its executor, from this thread. It also runs small
/// actions at deadlines (enqueueing `Task.sleep`'s wake-up job, scheduled on the pool as a scheduling executor).
final class TimerThread: @unchecked Sendable {
    /// What happens at a deadline.
    enum Due {
        case resume(UnsafeContinuation<Void, Never>)
        case call(@Sendable () -> Void)

        func fire() {
            switch self {
            case .resume(let continuation): continuation.resume()
            case .call(let action): action()
            }
        }
    }

    private var heap = TimerHeap<Due>()
    private var stopped = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var thread: OSThread?

    /// Starts the thread; `onStart` runs on it first (e.g. to bind its lane).
    init(onStart: @escaping @Sendable () -> Void = {}) throws(OSError) {
        ct_mutex_init_adaptive(mutex)
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
        schedule(deadline, .resume(continuation))
    }

    /// Does `due` at `deadline` (monotonic nanoseconds).
    func schedule(_ deadline: UInt64, _ due: Due) {
        pthread_mutex_lock(mutex)
        let earliest = heap.nextDeadline.map { deadline < $0 } ?? true
        heap.insert(deadline: deadline, due)
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
            var due: [Due] = []
            let now = stopped ? UInt64.max : MonotonicClock.now()
            while let entry = heap.popDue(now: now) { due.append(entry) }
            if !due.isEmpty {
                pthread_mutex_unlock(mutex)
                due.forEach { $0.fire() }
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
