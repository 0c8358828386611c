import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// The workloads conctrace runs: what each task does.
public enum WorkloadKind: String, Sendable, CaseIterable {
    /// The tutorial's CPU-bound sum of squares.
    case cpu
    /// Pure waiting: isolates scheduling and switch cost.
    case sleep
    /// The tutorial's I/O-bound experiment: each task downloads one page through libcurl.
    case download
}

/// What a finished task produced.
public struct TaskOutcome: Sendable, Equatable {
    /// A numeric result (the cpu workload's exact sum), written in the task's done event as `result`.
    public var result: UInt128?
    /// Bytes received (the download workload's body bytes).
    public var bytes: Int?
    /// Details for the task's args (a download's URL, status, timings): the strategy records them.
    public var details: [TaskDetail]

    /// Makes an outcome.
    public init(result: UInt128? = nil, bytes: Int? = nil, details: [TaskDetail] = []) {
        self.result = result
        self.bytes = bytes
        self.details = details
    }
}

/// One detail of a task's outcome, written in the task's args in the trace.
public struct TaskDetail: Sendable, Equatable {
    public var key: String
    public var value: AnnotationValue

    /// Makes a detail.
    public init(_ key: String, _ value: AnnotationValue) {
        self.key = key
        self.value = value
    }
}

/// A task's failure with details for its args (a failed download's URL and status): `error` is the cause, shown
/// as the task's `error`.
public struct TaskFailure: Error, CustomStringConvertible {
    public var error: any Error
    public var details: [TaskDetail]

    /// Makes a failure.
    public init(error: any Error, details: [TaskDetail]) {
        self.error = error
        self.details = details
    }

    public var description: String { String(describing: error) }
}

/// A workload: a fixed number of tasks, each run on some worker.
public protocol Workload: Sendable {
    /// The workload's name in traces and output (`cpu`, `sleep`, ...).
    var name: String { get }
    /// How many tasks a run has.
    var taskCount: Int { get }
    /// The tasks' label in traces: task `k` is shown as `<label> <k>`.
    var taskLabel: StaticString { get }
    /// The run's parameters, for the trace's metadata (e.g. `base`, `sleep_ms`).
    var parameters: [(key: String, value: AnnotationValue)] { get }

    /// Runs task `index` to completion on the calling thread, blocking where it waits (threads, sequential).
    /// - Throws: whatever makes the task fail; the task is then recorded `failed` with the error.
    func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome

    /// Runs task `index` as a Swift task on an executor (eventloop, async), suspending where it waits.
    /// - Throws: whatever makes the task fail; the task is then recorded `failed` with the error.
    nonisolated(nonsending) func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome
}

/// What a task running on an instrumented executor uses to wait.
public struct AsyncContext: Sendable {
    /// The executor's waiting primitives.
    public let waiter: any AsyncWaiter
    /// Set when the run is being cancelled: long tasks check it between steps.
    public let cancellation: Cancellation
    /// The task's id in the trace (0 when the executor does not say), for details attached to it.
    public let task: UInt64
    /// Where the task's I/O waits for readiness and timers: the event loop itself, or the async pool's I/O
    /// thread. Nil when the executor has none (then a workload that does I/O cannot run on it).
    public let reactor: (any IOReactor)?

    /// Makes a context.
    public init(waiter: any AsyncWaiter, cancellation: Cancellation, task: UInt64 = 0,
                reactor: (any IOReactor)? = nil) {
        self.waiter = waiter
        self.cancellation = cancellation
        self.task = task
        self.reactor = reactor
    }
}

/// What a task running on an OS thread uses to record its waits.
public struct BlockingContext: Sendable {
    /// The lane of the thread running the task.
    public let lane: EventLane
    /// The task.
    public let task: UInt64
    /// Set when the run is being cancelled: long tasks check it between steps.
    public let cancellation: Cancellation

    /// Makes a context.
    public init(lane: EventLane, task: UInt64, cancellation: Cancellation) {
        self.lane = lane
        self.task = task
        self.cancellation = cancellation
    }

    /// Runs `body`, which blocks the thread, recorded as the task `waiting` for `reason`; when it returns, the task
    /// is `ready` (nothing but the kernel woke it, so no waker) and `running` again on the same thread.
    public func blockingWait<T>(_ reason: WaitReason, _ body: () throws -> T) rethrows -> T {
        lane.record(.waiting, task: task, reason: reason)
        defer {
            lane.record(.ready, task: task)
            lane.record(.running, task: task)
        }
        return try body()
    }
}
