#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem
import Synchronization

/// A Swift task as an instrumented executor sees it: its id in the trace, where it is in its life, and why it
/// is about to wait.
///
/// Executors know tasks by pointer: a task's own job is what the runtime enqueues when the task is created, when a
/// continuation resumes it and when a sleep ends (`Task.yield()` goes through a helper job, which the executor
/// runs without recording a slice, and which then enqueues the task itself).
package final class TaskRecord: Sendable {
    /// The task's id in the trace.
    package let id: UInt64
    /// What the executor knows of a task conctrace did not spawn (nil for conctrace's own tasks).
    package let foreign: ForeignTask?
    private let stateValue = Atomic<UInt8>(TaskState.created.rawValue)
    private let reasonValue = Atomic<UInt8>(WaitReason.none.rawValue)
    private let endingValue = Locked<TaskEnding?>(nil)
    private let hasEnding = Atomic<Bool>(false)

    package init(id: UInt64, foreign: ForeignTask? = nil) {
        self.id = id
        self.foreign = foreign
    }

    package var state: TaskState {
        get { TaskState(rawValue: stateValue.load(ordering: .acquiring)) ?? .created }
        set { stateValue.store(newValue.rawValue, ordering: .releasing) }
    }

    /// Sets the state and returns the one it replaced.
    package func exchangeState(_ newValue: TaskState) -> TaskState {
        TaskState(rawValue: stateValue.exchange(newValue.rawValue, ordering: .acquiringAndReleasing)) ?? .created
    }

    /// Moves `from` to `to` if the task is still in `from`; false if another thread changed it first.
    package func transition(from: TaskState, to: TaskState) -> Bool {
        stateValue.compareExchange(expected: from.rawValue, desired: to.rawValue, ordering: .acquiringAndReleasing)
            .exchanged
    }

    /// Why the task will be waiting when its running slice ends without it saying (e.g. awaiting its children):
    /// set by the code that suspends, used once.
    package func expectWait(_ reason: WaitReason) {
        reasonValue.store(reason.rawValue, ordering: .releasing)
    }

    /// The task's body has ended (state becomes terminal); the executor records `ending` when the job's run
    /// returns, which is when the task's last slice really ends (the runtime wakes its parent in between).
    package func end(_ ending: TaskEnding) {
        endingValue.withLock { $0 = ending }
        hasEnding.store(true, ordering: .releasing)
        state = ending.kind.state ?? .done
    }

    /// The ending set by `end`, once.
    package func takeEnding() -> TaskEnding? {
        // Checked after every run: skip the lock unless the body has ended.
        guard hasEnding.load(ordering: .acquiring) else { return nil }
        return endingValue.withLock { value in
            defer { value = nil }
            return value
        }
    }

    package func takeExpectedWait() -> WaitReason {
        WaitReason(rawValue: reasonValue.exchange(WaitReason.none.rawValue, ordering: .acquiringAndReleasing)) ?? .none
    }
}

/// How a task ended: the final event to record for it.
package struct TaskEnding: Sendable {
    /// `done`, `failed` or `cancelled`.
    package var kind: EventKind
    /// The task's numeric result, for `done`.
    package var result: UInt128?

    package init(kind: EventKind, result: UInt128?) {
        self.kind = kind
        self.result = result
    }

    /// Records the ending of `task` on `lane`.
    package func record(task: UInt64, on lane: EventLane, at timestamp: UInt64? = nil) {
        lane.append(TraceEvent(timestamp: timestamp ?? MonotonicClock.now(), kind: kind, task: task,
                               worker: lane.worker, value: result ?? 0, hasValue: result != nil))
    }
}

/// The task about to be created on this thread: set just before `Task(executorPreference:)` or `addTask`, whose
/// first enqueue happens synchronously on the same thread, so the executor can name the new task's job.
package enum SpawnSlot {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` (which creates exactly one task) with `record` in the slot.
    @discardableResult
    package static func spawning<T>(_ record: TaskRecord, _ body: () throws -> T) rethrows -> T {
        pthread_setspecific(key, Unmanaged.passUnretained(record).toOpaque())
        defer { pthread_setspecific(key, nil) }
        return try body()
    }

    /// Takes the record in the slot, if any (the first enqueue of the new task).
    package static func take() -> TaskRecord? {
        guard let raw = pthread_getspecific(key) else { return nil }
        pthread_setspecific(key, nil)
        return Unmanaged<TaskRecord>.fromOpaque(raw).takeUnretainedValue()
    }
}

extension UnownedJob {
    /// The job's address: for a task's own job, the task's address.
    var address: UInt { unsafeBitCast(self, to: UInt.self) }
}
