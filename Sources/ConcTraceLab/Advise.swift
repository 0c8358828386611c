#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
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

    /// Makes a request.
    public init(workload: WorkloadSpec, strategies: [StrategyKind], workers: Int?, limitSeconds: Double,
                policy: RepetitionPolicy, traceFolder: String?) {
        self.workload = workload
        self.strategies = strategies
        self.workers = workers
        self.limitSeconds = limitSeconds
        self.policy = policy
        self.traceFolder = traceFolder
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
}

/// How advice is made.
public enum Advise {
    /// Measures the strategies of `request` (stopping early on a signal: `ChildRun.stopSignal`), then advises.
    /// - Throws: `LabError` when the trace folder cannot be made.
    public static func run(_ request: AdviseRequest, progress: (RepeatedMeasurement.Step) -> Void) throws(LabError)
        -> AdviseOutcome
    {
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
        let traces = request.traceFolder == nil ? [] : request.strategies.compactMap { strategy in
            outcome.runs.last { $0.strategy == strategy.rawValue }?.trace
        }
        return AdviseOutcome(results: results, advice: outcome.advice(measurement),
                             elapsedSeconds: outcome.elapsedSeconds, traces: traces)
    }
}
