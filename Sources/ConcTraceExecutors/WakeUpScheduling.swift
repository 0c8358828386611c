@_spi(ExperimentalScheduling) import _Concurrency

/// An executor that runs a sleep's wake-up job itself at a deadline: the runtime's `SchedulingExecutor`, written
/// once for the pool and the loop. `Task.sleep` in a task running on such an executor asks it (the task's current
/// executor) to run the wake-up job later; the executor records the sleeping task `waiting (timer)` and runs the
/// job, unrecorded, at the deadline.
package protocol WakeUpScheduling: SchedulingExecutor {
    /// Runs `job` (a sleep's wake-up) after `delay` nanoseconds.
    func scheduleWakeUp(_ job: UnownedJob, afterNanoseconds delay: UInt64)
}

@_spi(ExperimentalScheduling)
extension WakeUpScheduling {
    public func enqueue<C: Clock>(_ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?,
                                  clock: C) {
        scheduleWakeUp(UnownedJob(job), afterNanoseconds: nanoseconds(delay))
    }

    public func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?,
                                  clock: C) {
        scheduleWakeUp(UnownedJob(job), afterNanoseconds: nanoseconds(clock.now.duration(to: instant)))
    }
}

/// A clock's duration in nanoseconds (0 when it is not a `Swift.Duration`, or is negative: run at once).
func nanoseconds<D: DurationProtocol>(_ duration: D) -> UInt64 {
    guard let value = duration as? Duration, value > .zero else { return 0 }
    let (seconds, attoseconds) = value.components
    return UInt64(clamping: seconds) &* 1_000_000_000 &+ UInt64(clamping: attoseconds / 1_000_000_000)
}
