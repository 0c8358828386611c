#if canImport(Glibc)
import Glibc
#endif
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads
import Dispatch

/// Runs a workload as Swift tasks on `executor`: the root task (`main`) creates one child task per index in a
/// discarding task group (so it is woken once, when the last child ends, not after every child) and waits.
/// Blocks the calling thread until the root task has ended. Tasks that do I/O wait for it on `reactor`.
func runTasks(_ workload: any Workload, in context: RunContext, on executor: some InstrumentedExecutor,
              workers: Int, reactor: (any IOReactor)? = nil) -> RunResult {
    let batch = Batch(workload: workload, context: context, rootOnCallingThread: false)
    let root = TaskRecord(id: batch.root)
    let finished = DispatchSemaphore(value: 0)
    // The root task's first enqueue may be recorded on this thread's lane (the async pool records where it is).
    context.recorder.bindCurrentThread(to: context.mainLane)
    SpawnSlot.spawning(root) {
        Task(executorPreference: executor) {
            await withDiscardingTaskGroup { group in
                for index in 0..<workload.taskCount {
                    let child = TaskRecord(id: batch.create(index: index, on: executor.currentLane))
                    SpawnSlot.spawning(child) {
                        group.addTask(executorPreference: executor) {
                            await runChild(index: index, record: child, batch: batch, executor: executor,
                                           reactor: reactor)
                        }
                    }
                }
                executor.expectWait(.child)
            }
            let cancelled = batch.result(workers: workers).cancelled > 0
            root.end(TaskEnding(kind: cancelled ? .cancelled : .done, result: nil))
            finished.signal()
        }
    }
    finished.wait()
    return batch.result(workers: workers)
}

private func runChild(index: Int, record: TaskRecord, batch: Batch, executor: some InstrumentedExecutor,
                      reactor: (any IOReactor)?) async {
    let cancellation = batch.context.cancellation
    let outcome: Result<TaskOutcome, any Error>
    if cancellation.isCancelled {
        outcome = .failure(TaskError.cancelled)
    } else {
        do {
            outcome = .success(try await batch.workload.runAsync(
                index: index,
                context: AsyncContext(waiter: executor, cancellation: cancellation, task: record.id, reactor: reactor)))
        } catch {
            outcome = .failure(error)
        }
    }
    record.end(batch.settle(index: index, task: record.id, outcome: outcome, on: executor.currentLane))
}

/// One thread running every task, like asyncio: tasks switch only where they wait; CPU work runs one task at a
/// time.
public struct EventLoopStrategy: Strategy {
    public var kind: StrategyKind { .eventloop }
    public var workers: Int { 1 }

    /// Makes the strategy.
    public init() {}

    public func run(_ workload: any Workload, in context: RunContext) throws -> RunResult {
        let loop: EventLoop
        do {
            loop = try EventLoop(recorder: context.recorder)
            try loop.start()
        } catch {
            throw StrategyError.cannotStartWorker(index: 1, error)
        }
        defer { loop.stop() }
        return runTasks(workload, in: context, on: loop, workers: 1, reactor: loop)
    }
}

/// Swift tasks in a task group on an instrumented pool of `workers` OS threads.
public struct AsyncPoolStrategy: Strategy {
    public var kind: StrategyKind { .async }
    public let workers: Int

    /// The default pool size: one thread per core.
    public static func defaultWorkers() -> Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Makes the strategy.
    public init(workers: Int) {
        precondition(workers > 0, "a pool needs a worker")
        self.workers = workers
    }

    public func run(_ workload: any Workload, in context: RunContext) throws -> RunResult {
        let pool: WorkerPool
        do {
            pool = try WorkerPool(workers: workers, recorder: context.recorder)
        } catch .cannotStartThread(let index, let error) {
            throw StrategyError.cannotStartWorker(index: index, error)
        }
        // I/O (the download workload's curl multi) runs on a thread of its own, started only if a task needs it.
        let io = ReactorThread(recorder: context.recorder, name: "async io")
        defer {
            pool.stop()
            io.stop()
        }
        return runTasks(workload, in: context, on: pool, workers: workers, reactor: io)
    }
}
