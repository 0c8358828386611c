import ConcTraceRecorder

/// How a task on an instrumented executor waits: each wait is recorded `waiting` with its reason, and the
/// executor records the task `ready` and `running` again when it resumes.
public protocol AsyncWaiter: Sendable {
    /// Suspends the calling task for `nanoseconds` (reason `timer`).
    /// `nonisolated(nonsending)`: runs on the caller's executor, with no hop (a hop costs a runtime lock).
    nonisolated(nonsending) func sleep(nanoseconds: UInt64) async
    /// Lets the other ready tasks run first (reason `yield`): `Task.yield()`, recorded.
    nonisolated(nonsending) func yield() async
    /// The calling task is about to suspend for `reason` by other means (a continuation, a lock): the executor
    /// records that reason when the task's slice ends.
    func willWait(_ reason: WaitReason)
}

/// An executor conctrace can run a workload on: it records each task's lifecycle as it enqueues and runs jobs.
package protocol InstrumentedExecutor: TaskExecutor, AsyncWaiter {
    /// The lane of the calling thread (an executor thread's own).
    var currentLane: EventLane { get }
    /// The running task announces what it will wait for when its slice ends.
    func expectWait(_ reason: WaitReason)
}

extension EventLoop: InstrumentedExecutor {
    package var currentLane: EventLane { lane }
}

extension WorkerPool: InstrumentedExecutor {}
