import CJSONC
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceStrategies
import ConcTraceWorkloads

#if canImport(Glibc)
import Glibc
#endif

/// One `conctrace run` that `sweep`, `demo` and `advise` measure: a workload under a strategy at a size.
struct MeasuredRun {
    var workload: WorkloadKind
    var strategy: StrategyKind
    var tasks: Int
    /// `--workers`, when the caller sets it.
    var workers: Int?
    /// The workload's own options (`WorkloadParameters.arguments`, `DownloadOptions.arguments`).
    var options: [String]
    /// Where the child writes its trace.
    var tracePath: String

    /// The child's arguments.
    var arguments: [String] {
        var arguments = ["run", "--workload", workload.rawValue, "--strategy", strategy.rawValue,
                         "--tasks", String(tasks), "--format", "json", "--out", tracePath]
        if let workers { arguments += ["--workers", String(workers)] }
        return arguments + options
    }

    /// Runs it as a child process (for at most `limitSeconds`), then analyzes its trace: the figures, as a sweep
    /// records them.
    ///
    /// A child that exits 0 is `ok`; 3 (some tasks failed) is `failed`, with its figures; anything else, a child
    /// that passed its limit, or one that could not start is `error`, with the child's own one-line message.
    func measure(limitSeconds: Double) -> SweepResults.Run {
        var run = SweepResults.Run(strategy: strategy.rawValue, tasks: tasks, status: .error, exitCode: 0)
        let ending: ChildRun.Ending
        do {
            ending = try ChildRun.run(arguments, limitSeconds: limitSeconds)
        } catch {
            run.exitCode = ExitStatus.cannotStartWorkers.rawValue
            run.error = "cannot start the run: \(error)"
            return run
        }
        run.exitCode = ending.status
        switch ending.status {
        case _ where ending.timedOut:
            run.status = .error
            run.error = "stopped after the \(formatted(limitSeconds, digits: 0)) s limit per run"
        case ExitStatus.success.rawValue: run.status = .ok
        case ExitStatus.partialFailure.rawValue:
            run.status = .failed
            run.error = ending.errorLine
        default:
            run.status = .error
            run.error = ending.errorLine ?? "exit status \(ending.status)"
        }
        let summary = runSummary(ending.stdout)
        run.wallSeconds = summary?["wall_s"]?.doubleValue
        run.throughput = summary?["throughput_tasks_per_s"]?.doubleValue
        run.peakRSSBytes = summary?["peak_rss_bytes"]?.intValue.map { Int($0) }
        guard run.status != .error, access(tracePath, R_OK) == 0,
              let analysis = try? TraceAnalyzer.analyze(path: tracePath) else { return run }
        run.trace = tracePath
        run.latencyP99Milliseconds = analysis[.latencyP99]
        run.dispatchOverheadMicroseconds = analysis[.dispatchMean]
        run.switchesPerTask = analysis[.switchesPerTask]
        return run
    }
}

/// A run's `--format json` line as a value, read with json-c; nil when it is not JSON.
private func runSummary(_ text: String) -> TraceValue? {
    guard let object = json_tokener_parse(text) else { return nil }
    defer { json_object_put(object) }
    return TraceValue(object)
}
