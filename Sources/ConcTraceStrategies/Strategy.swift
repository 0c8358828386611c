#if canImport(Glibc)
import Glibc
#endif
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads

/// How tasks are run: the strategies conctrace compares.
public enum StrategyKind: String, Sendable, CaseIterable {
    /// One task after another on the calling thread.
    case sequential
    /// A pool of OS threads fed from one ready queue.
    case threads
    /// Swift tasks on an instrumented pool of OS threads (a custom TaskExecutor).
    case async
    /// One thread running many tasks, like asyncio: epoll, timers, a ready queue.
    case eventloop
    /// A pool of worker processes (the conctrace binary itself) fed over pipes; one merged trace.
    case processes
}

/// Why a run could not be carried out.
public enum StrategyError: Error, Sendable, CustomStringConvertible {
    /// A worker thread could not be started (e.g. the process hit its thread limit).
    case cannotStartWorker(index: Int, OSError)

    public var description: String {
        switch self {
        case .cannotStartWorker(let index, let error):
            "could not start worker \(index): \(error); try fewer --workers"
        }
    }
}

/// What a run did.
public struct RunResult: Sendable {
    /// The outcome of each task by index; nil for a task that failed or was cancelled.
    public var outcomes: [TaskOutcome?]
    /// Tasks that finished.
    public var done: Int
    /// Tasks that failed (an error other than cancellation).
    public var failed: Int
    /// Tasks cancelled before or while running.
    public var cancelled: Int
    /// Wall time from the first task's creation to the last task's end, in nanoseconds.
    public var wallNanoseconds: UInt64
    /// Workers the run used.
    public var workers: Int

    /// Wall time in seconds.
    public var wallSeconds: Double { Double(wallNanoseconds) / 1e9 }
}

/// Everything a strategy needs to run a workload.
public struct RunContext: Sendable {
    /// The recorder (possibly disabled).
    public let recorder: Recorder
    /// The lane of the calling (main) thread: the root task runs there.
    public let mainLane: EventLane
    /// Stops the run early when set.
    public let cancellation: Cancellation

    /// Makes a context.
    public init(recorder: Recorder, mainLane: EventLane, cancellation: Cancellation) {
        self.recorder = recorder
        self.mainLane = mainLane
        self.cancellation = cancellation
    }
}

/// A way of running a workload's tasks.
public protocol Strategy: Sendable {
    /// Which strategy this is.
    var kind: StrategyKind { get }
    /// How many workers it runs tasks on.
    var workers: Int { get }
    /// Runs every task of `workload` and returns when all have ended. Blocks the calling thread.
    /// - Throws: `StrategyError` if the strategy cannot run at all.
    func run(_ workload: any Workload, in context: RunContext) throws -> RunResult
}

extension StrategyKind {
    /// The strategies that run tasks inside this process, recording every state on this process's recorder;
    /// `processes` records `running` in its workers' own traces, merged by the CLI.
    public static let inProcess: [StrategyKind] = [.sequential, .threads, .async, .eventloop]
}

/// Makes the strategy of a kind.
/// - Parameters:
///   - kind: which strategy.
///   - workers: the worker count asked for, or nil for the strategy's default.
///   - tasks: the run's task count (defaults depend on it).
///   - launch: how `processes` starts its workers (required for it, ignored by the others).
///   - processLog: where `processes` leaves what the trace merge needs.
public func makeStrategy(_ kind: StrategyKind, workers: Int?, tasks: Int, launch: ProcessWorkerLaunch? = nil,
                         processLog: ProcessPoolLog = ProcessPoolLog()) -> any Strategy {
    switch kind {
    case .sequential: return SequentialStrategy()
    case .threads: return ThreadPoolStrategy(workers: workers ?? ThreadPoolStrategy.defaultWorkers(tasks: tasks))
    case .async: return AsyncPoolStrategy(workers: workers ?? AsyncPoolStrategy.defaultWorkers())
    case .eventloop: return EventLoopStrategy()
    case .processes:
        guard let launch else { preconditionFailure("the processes strategy needs to know how to start its workers") }
        return ProcessPoolStrategy(
            workers: workers ?? ProcessPoolStrategy.defaultWorkers(tasks: tasks), launch: launch, log: processLog)
    }
}
