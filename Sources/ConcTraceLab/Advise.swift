#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads

/// `conctrace advise`: runs each candidate strategy on the same work, as measured child runs, and advises.
public struct AdviseRequest: Sendable {
    public var workload: WorkloadSpec
    public var strategies: [StrategyKind]
    public var workers: Int?
    public var limitSeconds: Double
    /// Where to keep the runs' traces; nil for a private temporary folder, removed at the end.
    public var traceFolder: String?

    /// Makes a request.
    public init(workload: WorkloadSpec, strategies: [StrategyKind], workers: Int?, limitSeconds: Double,
                traceFolder: String?) {
        self.workload = workload
        self.strategies = strategies
        self.workers = workers
        self.limitSeconds = limitSeconds
        self.traceFolder = traceFolder
    }
}

/// What `advise` measured and concluded.
public struct AdviseOutcome: Sendable {
    /// The runs, one per strategy, as a sweep of one size.
    public var results: SweepResults
    /// The advice.
    public var advice: StrategyAdvice
}

/// How advice is made.
public enum Advise {
    /// Measures every strategy of `request` (stopping early on a signal: `ChildRun.stopSignal`), then advises.
    /// - Throws: `LabError` when the trace folder cannot be made.
    public static func run(_ request: AdviseRequest, progress: (String) -> Void) throws(LabError) -> AdviseOutcome {
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
        var measured: [SweepResults.Run] = []
        for strategy in request.strategies {
            guard ChildRun.stopSignal == nil else { break }
            progress("\(kind.rawValue)/\(strategy.rawValue) × \(request.workload.taskCount)")
            let run = MeasuredRun(workload: request.workload, strategy: strategy, workers: request.workers,
                                  tracePath: "\(folder)/\(kind.rawValue)-\(strategy.rawValue).json")
            measured.append(run.measure(limitSeconds: request.limitSeconds))
        }
        let results = SweepResults(workload: kind.rawValue, parameters: Sweep.describedParameters(request.workload),
                                   host: Machine.hostName, cores: Machine.cores, createdUnixSeconds: Int64(time(nil)),
                                   version: Lab.version, runs: measured)
        return AdviseOutcome(results: results,
                             advice: StrategyAdvice(workload: kind.rawValue, runs: measured, cores: Machine.cores))
    }
}

extension StrategyAdvice {
    /// "use X" and the reasons, as printed by `advise` and `demo`.
    public var text: String {
        var lines = [choice.map { "use \($0)" } ?? "no advice: no strategy finished the work"]
        lines += reasons.map { "  - " + $0 }
        lines.append("  - " + rule)
        if let swiftNote { lines.append("  - " + swiftNote) }
        lines += problems.map { "  ! " + $0 }
        return lines.joined(separator: "\n")
    }
}
