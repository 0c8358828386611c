#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceStrategies
import ConcTraceWorkloads

/// One `conctrace run` that `sweep`, `demo` and `advise` measure: a workload under a strategy at a size, in a child
/// process, so that its peak memory is its own and a run the machine cannot take is reported instead of taking the
/// caller down.
public struct MeasuredRun: Sendable {
    public var workload: WorkloadSpec
    public var strategy: StrategyKind
    /// `--workers`, when the caller sets it.
    public var workers: Int?
    /// Where the child writes its trace.
    public var tracePath: String

    /// Makes a request; `workload.tasks` is the size.
    public init(workload: WorkloadSpec, strategy: StrategyKind, workers: Int?, tracePath: String) {
        self.workload = workload
        self.strategy = strategy
        self.workers = workers
        self.tracePath = tracePath
    }

    /// The child's arguments.
    public var arguments: [String] {
        var arguments = ["run", "--workload", workload.kind.rawValue, "--strategy", strategy.rawValue,
                         "--tasks", String(workload.taskCount), "--format", "json", "--out", tracePath]
        if let workers { arguments += ["--workers", String(workers)] }
        return arguments + workload.optionArguments
    }

    /// What one measurement gave: the run's figures as a sweep records them, and its trace's analysis (nil when the
    /// run left no trace that could be read).
    public struct Result: Sendable {
        /// The run's outcome and figures.
        public var run: SweepResults.Run
        /// The analysis of its trace.
        public var analysis: TraceAnalysis?
    }

    /// Runs it as a child process (for at most `limitSeconds`), then analyzes its trace: the figures, as a sweep
    /// records them, and the analysis.
    ///
    /// A child that exits 0 is `ok`; 3 (some tasks failed) is `failed`, with its figures; anything else, a child
    /// that passed its limit, or one that could not start is `error`, with the child's own one-line message.
    public func measure(limitSeconds: Double) -> Result {
        var run = SweepResults.Run(strategy: strategy.rawValue, tasks: workload.taskCount, status: .error,
                                   exitCode: 0)
        let ending: ChildRun.Ending
        do {
            ending = try ChildRun.run(arguments, limitSeconds: limitSeconds)
        } catch {
            run.exitCode = ExitStatus.cannotStartWorkers.rawValue
            run.error = "cannot start the run: \(error)"
            return Result(run: run, analysis: nil)
        }
        run.exitCode = ending.status
        switch ending.status {
        case _ where ending.timedOut:
            run.status = .error
            run.error = "stopped after the \(NumberFormat.fixed(limitSeconds, decimals: 0)) s limit per run"
        case ExitStatus.success.rawValue: run.status = .ok
        case ExitStatus.partialFailure.rawValue:
            run.status = .failed
            run.error = ending.errorLine
        default:
            run.status = .error
            run.error = ending.errorLine ?? "exit status \(ending.status)"
        }
        let summary = RunSummary(json: ending.stdout)
        if run.status == .failed, let summary, let failures = summary.failureText {
            run.error = "\(summary.failed) of \(summary.tasks) tasks failed: " + failures
        }
        run.wallSeconds = summary?.wallSeconds
        run.throughput = summary?.throughput
        run.peakRSSBytes = summary?.peakResidentBytes
        guard run.status != .error, access(tracePath, R_OK) == 0,
              let analysis = try? TraceAnalyzer.analyze(path: tracePath) else { return Result(run: run, analysis: nil) }
        run.trace = tracePath
        run.latencyP99Milliseconds = analysis[.latencyP99]
        run.dispatchOverheadMicroseconds = analysis[.dispatchMean]
        run.switchesPerTask = analysis[.switchesPerTask]
        return Result(run: run, analysis: analysis)
    }
}
