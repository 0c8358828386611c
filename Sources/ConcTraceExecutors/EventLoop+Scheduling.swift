@_spi(ExperimentalScheduling) import _Concurrency
import ConcTraceSystem

/// The loop as the runtime's scheduling executor: `Task.sleep` in a task running on the loop asks the loop to run
/// a wake-up job at the deadline; the loop records the task `waiting (timer)` and runs the job, unrecorded, from its
/// timer heap.
@_spi(ExperimentalScheduling)
extension EventLoop: SchedulingExecutor, WakeUpScheduling {}

extension EventLoop {
    /// Runs `job` (a sleep's wake-up) after `delay` nanoseconds; the loop's running task waits for a timer.
    package func scheduleWakeUp(_ job: UnownedJob, afterNanoseconds delay: UInt64) {
        if RuntimeTask.isTask(job), RuntimeTask.id(of: job) != RuntimeTask.currentID() { foreignTasks?.ignore(job) }
        let deadline = MonotonicClock.now() &+ delay
        guard inLoopThread else {
            // Not from one of the loop's tasks: hand the job to the loop at the deadline, through a task of its own.
            Task(executorPreference: self) { [self] in
                await withUnsafeContinuation { continuation in
                    state.pointee.timers.insert(deadline: deadline) { continuation.resume() }
                }
                enqueue(ExecutorJob(job))
            }
            return
        }
        state.pointee.current?.expectWait(.timer)
        state.pointee.timers.insert(deadline: deadline) { [self] in enqueueLocal(job, spawned: nil, timestamp: nil) }
    }
}
