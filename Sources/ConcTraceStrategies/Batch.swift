import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads
import Synchronization

/// One run of a workload's tasks, whatever the strategy: the root task, the tasks it creates, and their ends.
///
/// The root task (`main`) is the parent of every task: it is `running` while it creates them (each `created`,
/// then `ready` with the root as waker), `waiting` (reason `child`) while they run, and made `ready` again by the
/// task that ends last, while that task's slice is still open, so the trace shows who woke the root.
/// With threads, the root runs on the calling thread and the batch records all of that itself; on an executor
/// (eventloop, async) the root is a Swift task and the executor records its states, the runtime waking it.
final class Batch: Sendable {
    let workload: any Workload
    let context: RunContext
    let root: UInt64
    /// The workload's task label, made once for the run.
    let label: TaskLabel
    /// Whether the last task to end records the root's wake-up (threads); executors record it themselves.
    private let wakesRoot: Bool
    private let remaining: Atomic<Int>
    // A pthread mutex (Locked), not Synchronization.Mutex: every task settles here, and under contention Thread
    // Sanitizer cannot see Mutex's futex path and reports races that are not there.
    private let tally = Locked<(outcomes: [TaskOutcome?], done: Int, failed: Int, cancelled: Int)>(([], 0, 0, 0))
    private let started: UInt64

    /// Starts the run: records the root task created (on the main lane) and, when it runs on the calling thread,
    /// ready and running.
    init(workload: any Workload, context: RunContext, rootOnCallingThread: Bool) {
        self.workload = workload
        self.context = context
        self.wakesRoot = rootOnCallingThread
        // One count per task, plus one the root holds until it is waiting: no task can wake it before that.
        self.remaining = Atomic(workload.taskCount + 1)
        self.started = MonotonicClock.now()
        self.label = TaskLabel(workload.taskLabel)
        let root = context.recorder.makeTaskID()
        self.root = root
        tally.withLock { $0.outcomes = Array(repeating: nil, count: workload.taskCount) }
        let lane = context.mainLane
        lane.record(.created, task: root, label: .main)
        if rootOnCallingThread {
            lane.record(.ready, task: root)
            lane.record(.running, task: root)
        }
    }

    /// Records task `index` created by the root, on `lane` (the root's thread), and returns its id.
    func create(index: Int, on lane: EventLane) -> UInt64 {
        let task = context.recorder.makeTaskID()
        lane.record(.created, task: task, related: root, value: UInt128(index), hasValue: true,
                    label: label)
        return task
    }

    /// Creates task `index` (on the main lane, while the root runs) and returns its id, now `ready`.
    func spawn(index: Int) -> UInt64 {
        let task = create(index: index, on: context.mainLane)
        context.mainLane.record(.ready, task: task, related: root)
        return task
    }

    /// The root stops running until its children end (if they all have already, it is ready again at once).
    func rootWaitsForChildren() {
        context.mainLane.record(.waiting, task: root, reason: .child)
        if remaining.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            context.mainLane.record(.ready, task: root)
        }
    }

    /// Runs ready task `index` on the calling worker, from `running` to its end.
    func execute(index: Int, task: UInt64, on lane: EventLane) {
        guard !context.cancellation.isCancelled else {
            finish(index: index, task: task, lane: lane, outcome: .failure(TaskError.cancelled))
            return
        }
        lane.record(.running, task: task)
        let outcome = Result { () throws -> TaskOutcome in
            try workload.runBlocking(
                index: index, context: BlockingContext(lane: lane, task: task, cancellation: context.cancellation))
        }
        finish(index: index, task: task, lane: lane, outcome: outcome)
    }

    /// Records task `index`'s end on `lane` and keeps its outcome.
    func finish(index: Int, task: UInt64, lane: EventLane, outcome: Result<TaskOutcome, any Error>) {
        let ending = settle(index: index, task: task, outcome: outcome, on: lane)
        ending.record(task: task, on: lane)
    }

    /// Keeps task `index`'s outcome (and its error, as an annotation) and returns the event that ends it. With
    /// threads, the last task to end wakes the root here, on `lane` (its own thread's), while its slice is open.
    func settle(index: Int, task: UInt64, outcome: Result<TaskOutcome, any Error>, on lane: EventLane) -> TaskEnding {
        if remaining.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0, wakesRoot {
            lane.record(.ready, task: root, related: task)
        }
        switch outcome {
        case .success(let result):
            tally.withLock {
                $0.outcomes[index] = result
                $0.done += 1
            }
            record(result.details, of: task)
            return TaskEnding(kind: .done, result: result.result)
        case .failure(let error as TaskError) where error == .cancelled:
            tally.withLock { $0.cancelled += 1 }
            return TaskEnding(kind: .cancelled, result: nil)
        case .failure(let error):
            tally.withLock { $0.failed += 1 }
            let failure = error as? TaskFailure
            record(failure?.details ?? [], of: task)
            context.recorder.annotate(task, "error", .string(String(describing: failure?.error ?? error)))
            return TaskEnding(kind: .failed, result: nil)
        }
    }

    /// Attaches a task's details to it, before its end is recorded, so they land in its args.
    private func record(_ details: [TaskDetail], of task: UInt64) {
        for detail in details { context.recorder.annotate(task, detail.key, detail.value) }
    }

    /// Ends the run on the main thread once every task has ended: the root runs again and ends.
    func complete(workers: Int) -> RunResult {
        let lane = context.mainLane
        lane.record(.running, task: root)
        let result = result(workers: workers)
        lane.record(result.cancelled > 0 ? .cancelled : .done, task: root)
        return result
    }

    /// What the run did, as of now.
    func result(workers: Int) -> RunResult {
        let ended = MonotonicClock.now()
        return tally.withLock { tally in
            RunResult(outcomes: tally.outcomes, done: tally.done, failed: tally.failed, cancelled: tally.cancelled,
                      wallNanoseconds: ended &- started, workers: workers)
        }
    }
}
