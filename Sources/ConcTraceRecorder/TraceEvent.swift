import ConcTraceSystem
/// The lifecycle state a task is in. Every task moves
/// `created -> ready -> running -> (waiting -> ready -> running)* -> done | failed | cancelled`.
public enum TaskState: UInt8, Sendable, CaseIterable {
    case created, ready, running, waiting, done, failed, cancelled

    /// The state's name as written in traces and docs.
    public var name: String {
        switch self {
        case .created: "created"
        case .ready: "ready"
        case .running: "running"
        case .waiting: "waiting"
        case .done: "done"
        case .failed: "failed"
        case .cancelled: "cancelled"
        }
    }

    /// Whether the task's life is over in this state.
    public var isTerminal: Bool { self == .done || self == .failed || self == .cancelled }
}

/// What a waiting task waits for.
public enum WaitReason: UInt8, Sendable, CaseIterable {
    case none, timer, io, lock, child, queue, yield
    /// The task suspended and nothing it ran told why (a task of a recorded program awaiting a continuation, an
    /// actor, or a task's value): said as such, never guessed.
    case unknown

    /// The reason's name as written in traces and docs.
    public var name: String {
        switch self {
        case .none: "none"
        case .timer: "timer"
        case .io: "io"
        case .lock: "lock"
        case .child: "child"
        case .queue: "queue"
        case .yield: "yield"
        case .unknown: "unknown"
        }
    }
}

/// What one recorded event says happened.
public enum EventKind: UInt8, Sendable {
    /// A task was created. `related` is its parent task (0: none); `label` and `value` (its index, when
    /// `hasValue`) name it.
    case created
    /// A task became ready to run. `related` is the task whose running slice made it ready (0: none, e.g. a timer
    /// or the kernel woke it). `reason` is `yield` when the running task made itself ready by yielding (its running
    /// slice ends here, with no wait: it needs nothing but its turn); otherwise `none`.
    case ready
    /// The recording worker started a running slice of the task. The slice ends at the task's next event.
    case running
    /// The task is waiting, for `reason`.
    case waiting
    /// The task finished. `value` is its numeric result when `hasValue`.
    case done
    /// The task failed; the cause is in the recorder's annotations for the task.
    case failed
    /// The task was cancelled before it finished.
    case cancelled
    /// The recording worker's OS context switches so far: `value` holds voluntary in its high 64 bits and
    /// involuntary in its low 64 bits (getrusage RUSAGE_THREAD).
    case osSwitches

    /// The lifecycle state a task enters with this event, if it is a lifecycle event.
    public var state: TaskState? {
        switch self {
        case .created: .created
        case .ready: .ready
        case .running: .running
        case .waiting: .waiting
        case .done: .done
        case .failed: .failed
        case .cancelled: .cancelled
        case .osSwitches: nil
        }
    }
}

/// One recorded event: a fixed-size value, copied into a lane's ring with no allocation.
///
/// Timestamps are `CLOCK_MONOTONIC` nanoseconds, the same clock in every thread and process of a run.
public struct TraceEvent: Sendable {
    /// When it happened, in monotonic nanoseconds.
    public var timestamp: UInt64
    /// The task it concerns (0 for worker-level events such as `osSwitches`).
    public var task: UInt64
    /// Parent (for `created`) or waker (for `ready`); 0 when there is none.
    public var related: UInt64
    /// A numeric payload whose meaning depends on `kind`; meaningful only when `hasValue`.
    public var value: UInt128
    /// The task's label, for `created` (e.g. `cpu`, shown with the index as `cpu 3`).
    public var label: TaskLabel
    /// The worker (lane) that recorded the event.
    public var worker: UInt32
    /// What happened.
    public var kind: EventKind
    /// For `waiting`, what the task waits for; for `ready`, `yield` when the task yielded.
    public var reason: WaitReason
    /// Whether `value` carries a payload.
    public var hasValue: Bool

    /// Makes an event.
    @inlinable
    public init(
        timestamp: UInt64, kind: EventKind, task: UInt64, worker: UInt32, related: UInt64 = 0,
        reason: WaitReason = .none, value: UInt128 = 0, hasValue: Bool = false, label: TaskLabel = .none
    ) {
        self.timestamp = timestamp
        self.task = task
        self.related = related
        self.value = value
        self.label = label
        self.worker = worker
        self.kind = kind
        self.reason = reason
        self.hasValue = hasValue
    }
}
