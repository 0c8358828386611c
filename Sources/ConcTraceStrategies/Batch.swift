import ConcTraceRecorder
import ConcTraceWorkloads
import Synchronization

/// One run of a workload's tasks, whatever the strategy: the root task, the tasks it creates, and their ends.
///
/// The root task (`main`, on the calling thread) is the parent of every task: it is `running` while it creates
/// them (each `created`, then `ready` with the root as waker), `waiting` (reason `child`) while they run, and made
/// `ready` by the task that ends last, which records that before its own end, while its slice is still open,
/// so the trace shows who woke the root.
final class Batch: Sendable {
    let workload: any Workload
    let context: RunContext
    let root: UInt64
    private let remaining: Atomic<Int>
    private let tally = Mutex<(outcomes: [TaskOutcome?], done: Int, failed: Int, cancelled: Int)>(([], 0, 0, 0))
    private let started: UInt64

    /// Starts the run: records the root task created and running.
    init(workload: any Workload, context: RunContext) {
        self.workload = workload
        self.context = context
        // One count per task, plus one the root holds until it is waiting: no task can wake it before that.
        self.remaining = Atomic(workload.taskCount + 1)
        self.started = MonotonicClock.now()
        let root = context.recorder.makeTaskID()
        self.root = root
        tally.withLock { $0.outcomes = Array(repeating: nil, count: workload.taskCount) }
        let lane = context.mainLane
        lane.record(.created, task: root, label: "main")
        lane.record(.ready, task: root)
        lane.record(.running, task: root)
    }

    /// Creates task `index` (on the main lane, while the root runs) and returns its id, now `ready`.
    func spawn(index: Int) -> UInt64 {
        let task = context.recorder.makeTaskID()
        let lane = context.mainLane
        lane.record(.created, task: task, related: root, value: UInt128(index), hasValue: true,
                    label: workload.taskLabel)
        lane.record(.ready, task: task, related: root)
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

    private func finish(index: Int, task: UInt64, lane: EventLane, outcome: Result<TaskOutcome, any Error>) {
        // The last task to end wakes the root, while its own slice is still open.
        if remaining.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            lane.record(.ready, task: root, related: task)
        }
        switch outcome {
        case .success(let result):
            tally.withLock {
                $0.outcomes[index] = result
                $0.done += 1
            }
            if let value = result.result {
                lane.record(.done, task: task, value: value, hasValue: true)
            } else {
                lane.record(.done, task: task)
            }
        case .failure(let error as TaskError) where error == .cancelled:
            tally.withLock { $0.cancelled += 1 }
            lane.record(.cancelled, task: task)
        case .failure(let error):
            tally.withLock { $0.failed += 1 }
            context.recorder.annotate(task, "error", .string(String(describing: error)))
            lane.record(.failed, task: task)
        }
    }

    /// Ends the run on the main thread once every task has ended: the root runs again and ends.
    func complete(workers: Int) -> RunResult {
        let lane = context.mainLane
        lane.record(.running, task: root)
        let ended = MonotonicClock.now()
        let result = tally.withLock { tally in
            RunResult(outcomes: tally.outcomes, done: tally.done, failed: tally.failed, cancelled: tally.cancelled,
                      wallNanoseconds: ended &- started, workers: workers)
        }
        lane.record(result.cancelled > 0 ? .cancelled : .done, task: root)
        return result
    }
}
