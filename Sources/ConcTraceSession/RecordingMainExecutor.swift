@_spi(ExperimentalCustomExecutors) import _Concurrency
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import Dispatch

/// The main actor's executor, recorded: jobs run on Dispatch's main queue as with the platform's main executor,
/// and each task's job is `ready` when enqueued and a `running` slice on the thread that runs the main queue.
///
/// It becomes `MainActor.executor` through the runtime's executor factory (Swift 6.3), so it sees the jobs enqueued
/// after it was installed; a task already running on the platform's main executor hops over once.
final class RecordingMainExecutor: MainExecutor, @unchecked Sendable {
    private let platform = PlatformExecutorFactory.mainExecutor
    private let foreignTasks: ForeignTasks

    init(foreignTasks: ForeignTasks) {
        self.foreignTasks = foreignTasks
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let lane = foreignTasks.currentLane
        let record = foreignTasks.record(for: unowned, known: nil, lane: lane)
        if let record { foreignTasks.ready(record, on: lane, waker: nil) }
        DispatchQueue.main.async { [self] in run(unowned, record: record) }
    }

    private func run(_ job: UnownedJob, record: TaskRecord?) {
        guard let record, foreignTasks.matches(record, job) else {
            job.runSynchronously(on: asUnownedSerialExecutor())
            return
        }
        let lane = foreignTasks.currentLane
        let slice = foreignTasks.sliceBegins(record)
        record.state = .running
        lane.record(.running, task: record.id)
        job.runSynchronously(on: asUnownedSerialExecutor())
        foreignTasks.sliceEnded(record, slice: slice, on: lane, at: MonotonicClock.now())
    }

    func run() throws { try platform.run() }
    func runUntil(_ condition: () -> Bool) throws { try platform.runUntil(condition) }
    func stop() { platform.stop() }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(.main))
    }

    var isMainExecutor: Bool { true }
}
