@_spi(ExperimentalScheduling) import _Concurrency
import ConcTraceSystem

/// The pool as the runtime's scheduling executor: `Task.sleep` in a task running on the pool asks the pool (the
/// task's current executor) to run a wake-up job at the deadline. The pool records the sleeping task `waiting
/// (timer)` and runs the wake-up job, unrecorded, from its timer thread at the deadline.
@_spi(ExperimentalScheduling)
extension WorkerPool: SchedulingExecutor, WakeUpScheduling {}

extension WorkerPool {
    /// Runs `job` (a sleep's wake-up) after `delay` nanoseconds; the task running now on this thread, if it is the
    /// pool's, waits for a timer.
    package func scheduleWakeUp(_ job: UnownedJob, afterNanoseconds delay: UInt64) {
        // Only a task in a recorded slice: one that sleeps inside an actor's job (no slice) says nothing.
        if let task = currentWorker?.current ?? foreignTasks?.currentRecord(), task.state == .running {
            task.expectWait(.timer)
        }
        if RuntimeTask.isTask(job), RuntimeTask.id(of: job) != RuntimeTask.currentID() { foreignTasks?.ignore(job) }
        timers.schedule(MonotonicClock.now() &+ delay, .call { [self] in enqueue(ExecutorJob(job)) })
    }
}
