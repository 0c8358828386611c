#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceReport
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads

/// `conctrace advise`: runs each candidate strategy on the same work repeatedly, interleaved, as measured child runs
/// (`RepeatedMeasurement`), and advises from the test of their runs.
public struct AdviseRequest: Sendable {
    public var workload: WorkloadSpec
    public var strategies: [StrategyKind]
    public var workers: Int?
    public var limitSeconds: Double
    /// How many times each strategy runs (`--repeat`, or adaptive within `--budget-s`).
    public var policy: RepetitionPolicy
    /// Where to keep the runs' traces; nil for a private temporary folder, removed at the end.
    public var traceFolder: String?
    /// Where to write an HTML report of the verdict (`HTMLReport`); nil for none.
    public var reportPath: String?

    /// Makes a request.
    public init(workload: WorkloadSpec, strategies: [StrategyKind], workers: Int?, limitSeconds: Double,
                policy: RepetitionPolicy, traceFolder: String?, reportPath: String? = nil) {
        self.workload = workload
        self.strategies = strategies
        self.workers = workers
        self.limitSeconds = limitSeconds
        self.policy = policy
        self.traceFolder = traceFolder
        self.reportPath = reportPath
    }
}

/// What `advise` measured and concluded.
public struct AdviseOutcome: Sendable {
    /// The runs, as a sweep of one size (every counted run, with its round).
    public var results: SweepResults
    /// The advice.
    public var advice: StrategyAdvice
    /// From the first run's start to the last run's end, s.
    public var elapsedSeconds: Double
    /// Each strategy's kept trace (its last run's), in the order measured; empty when the traces were not kept.
    public var traces: [String]
    /// The HTML report's path, when one was asked for and written (not when the runs were interrupted).
    public var reportPath: String?
}

/// How advice is made.
public enum Advise {
    /// Measures the strategies of `request` (stopping early on a signal: `ChildRun.stopSignal`), then advises, and
    /// writes the report when asked (the verdict, its figures with their spread, each strategy's last trace).
    /// - Throws: `LabError` when the trace folder cannot be made, the report cannot be created (before any run) or
    ///   written, or a kept trace cannot be read for it.
    public static func run(_ request: AdviseRequest, progress: (RepeatedMeasurement.Step) -> Void) throws(LabError)
        -> AdviseOutcome
    {
        // Opened first: a report path that cannot be written fails before the runs, not after them.
        let report: OutputFile?
        do {
            report = try request.reportPath.map { (path) throws(OutputError) in
                try OutputFile(path: path, mode: .replaceWhenComplete)
            }
        } catch {
            throw outputFailure(error)
        }
        let temporary: ScratchFolder?
        let folder: String
        if let kept = request.traceFolder {
            try createFolder(kept)
            (temporary, folder) = (nil, kept)
        } else {
            do {
                // Removed at the end, and even if advise is killed: the runs' traces are not the user's to keep.
                let made = try ScratchFolder(prefix: "conctrace-advise")
                (temporary, folder) = (made, made.path)
            } catch {
                throw LabError(.cannotCreateOutput, "cannot create a temporary folder in \(TemporaryFile.folder): \(error)")
            }
        }
        defer { temporary?.remove() }
        let kind = request.workload.kind
        let measurement = RepeatedMeasurement(
            workload: request.workload, strategies: request.strategies, workers: request.workers,
            limitSeconds: request.limitSeconds, policy: request.policy,
            tracePath: { "\(folder)/\(kind.rawValue)-\($0.rawValue).json" })
        let outcome = try measurement.run(progress: progress)
        let results = SweepResults(workload: kind.rawValue, parameters: Sweep.describedParameters(request.workload),
                                   host: Machine.hostName, cores: Machine.cores, createdUnixSeconds: Int64(time(nil)),
                                   version: Lab.version, repetition: request.policy, runs: outcome.runs,
                                   stops: [SweepResults.Stop(tasks: request.workload.taskCount,
                                                             reason: outcome.stopReason)])
        let lastTraces = request.strategies.compactMap { strategy in
            outcome.runs.last { $0.strategy == strategy.rawValue }?.trace
        }
        let advice = outcome.advice(measurement)
        var written: String?
        if let report, ChildRun.stopSignal == nil {
            // Rendered before the temporary trace folder is removed: the timelines are the kept traces'.
            let verdict = ReportVerdict(
                title: "\(kind.rawValue), \(request.workload.taskCount) tasks: \(request.strategies.count) strategies",
                advice: advice, results: results)
            _ = try TraceInputs.writeReport(to: report, tracePaths: lastTraces, sweep: nil, verdicts: [verdict],
                                            title: "conctrace advise: \(kind.rawValue) on \(Machine.cores) cores")
            written = report.path
        }
        return AdviseOutcome(results: results, advice: advice, elapsedSeconds: outcome.elapsedSeconds,
                             traces: request.traceFolder == nil ? [] : lastTraces, reportPath: written)
    }
}
