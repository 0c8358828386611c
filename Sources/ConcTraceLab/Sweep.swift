#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads

/// `conctrace sweep`: each strategy at each size, smallest size first; at each size the strategies are measured
/// repeatedly and interleaved (`RepeatedMeasurement`), each run in a child process (`MeasuredRun`); the results file
/// is rewritten after every run so that an interrupted sweep keeps what it measured.
public struct SweepRequest: Sendable {
    /// The workload (its `tasks` is ignored: `sizes` are the task counts).
    public var workload: WorkloadSpec
    public var sizes: [Int]
    public var strategies: [StrategyKind]
    /// `--workers` for every run; nil for each strategy's default.
    public var workers: Int?
    /// A run's time limit: past it the run is stopped; a size predicted to pass it is skipped.
    public var limitSeconds: Double
    /// How many times each strategy runs at each size (an adaptive plan's budget is per size).
    public var policy: RepetitionPolicy
    /// Where the runs' traces go.
    public var traceFolder: String
    /// Where the results go (docs/sweep-format.md).
    public var resultsPath: String

    /// Makes a request.
    public init(workload: WorkloadSpec, sizes: [Int], strategies: [StrategyKind], workers: Int?, limitSeconds: Double,
                policy: RepetitionPolicy, traceFolder: String, resultsPath: String) {
        self.workload = workload
        self.sizes = sizes
        self.strategies = strategies
        self.workers = workers
        self.limitSeconds = limitSeconds
        self.policy = policy
        self.traceFolder = traceFolder
        self.resultsPath = resultsPath
    }
}

/// How sweeps run.
public enum Sweep {
    /// Runs `request`, calling `progress` as each run starts; returns the results (also in `request.resultsPath`).
    /// A signal (see `ChildRun.forwardSignals`) stops it after the running child: `ChildRun.stopSignal` says so.
    /// - Throws: `LabError` when the results file or the trace folder cannot be written.
    public static func run(_ request: SweepRequest, progress: (String) -> Void) throws(LabError) -> SweepResults {
        try createFolder(request.traceFolder)
        do {
            try createParentFolders(of: request.resultsPath)
        } catch {
            throw LabError(.cannotCreateOutput, "cannot create the folder for \(request.resultsPath): \(error)")
        }
        var results = SweepResults(
            workload: request.workload.kind.rawValue, parameters: describedParameters(request.workload),
            host: Machine.hostName, cores: Machine.cores, createdUnixSeconds: Int64(time(nil)),
            version: Lab.version, repetition: request.policy, runs: [])
        try save(results, to: request.resultsPath)
        try measure(workload: request.workload, sizes: request.sizes, strategies: request.strategies,
                    workers: request.workers, traceFolder: request.traceFolder, limitSeconds: request.limitSeconds,
                    policy: request.policy, progress: progress,
                    record: { (run) throws(LabError) in
                        results.runs.append(run)
                        try save(results, to: request.resultsPath)
                    },
                    stopped: { (stop) throws(LabError) in
                        results.stops.append(stop)
                        try save(results, to: request.resultsPath)
                    })
        return results
    }

    /// Why a strategy is not run at `size`, given its summary at the size before: it did not run, could not run,
    /// or would pass the limit if its median time grows in proportion to the tasks.
    public static func skipReason(_ previous: SweepResults.Summary?, size: Int, limit: Double) -> String? {
        guard let previous else { return nil }
        if previous.status == .skipped { return previous.error }
        if previous.status == .error { return "it could not run \(previous.tasks) tasks" }
        guard let wall = previous.wall?.median else { return nil }
        let predicted = wall * Double(size) / Double(previous.tasks)
        guard predicted > limit else { return nil }
        return "about \(NumberFormat.fixed(predicted, decimals: 0)) s predicted from \(previous.tasks) tasks " +
            "(median \(NumberFormat.fixed(wall, decimals: 2)) s), over the \(NumberFormat.fixed(limit, decimals: 0)) s limit per run (--limit-s)"
    }

    /// Measures the strategies at each size, smallest size first, repeatedly as `policy` says; `record` gets every
    /// run as it ends (skipped ones too), `stopped` why each size's runs stopped. A strategy is not run at a size
    /// its previous size predicts to pass the limit (`skipReason`); a signal stops the sweep.
    public static func measure(workload: WorkloadSpec, sizes: [Int], strategies: [StrategyKind], workers: Int?,
                               traceFolder: String, limitSeconds: Double, policy: RepetitionPolicy,
                               progress: (String) -> Void,
                               record: (SweepResults.Run) throws(LabError) -> Void,
                               stopped: (SweepResults.Stop) throws(LabError) -> Void) throws(LabError) {
        var last: [StrategyKind: SweepResults.Summary] = [:]
        for size in sizes.sorted() {
            guard ChildRun.stopSignal == nil else { return }
            var measured: [StrategyKind] = []
            var runs: [SweepResults.Run] = []
            for strategy in strategies {
                if let reason = skipReason(last[strategy], size: size, limit: limitSeconds) {
                    var skipped = SweepResults.Run(strategy: strategy.rawValue, tasks: size, status: .skipped,
                                                   exitCode: 0)
                    skipped.error = reason
                    runs.append(skipped)
                    try record(skipped)
                } else {
                    measured.append(strategy)
                }
            }
            if !measured.isEmpty {
                var sized = workload
                sized.tasks = size
                let kind = workload.kind.rawValue
                let request = RepeatedMeasurement(
                    workload: sized, strategies: measured, workers: workers, limitSeconds: limitSeconds, policy: policy,
                    tracePath: { "\(traceFolder)/\(kind)-\($0.rawValue)-\(size).json" })
                let outcome = try request.run(progress: { progress("\(kind) × \(size) · " + $0.text) },
                                              record: { (run) throws(LabError) in
                                                  runs.append(run)
                                                  try record(run)
                                              })
                try stopped(SweepResults.Stop(tasks: size, reason: outcome.stopReason))
            }
            let sizeResults = SweepResults(workload: workload.kind.rawValue, parameters: [], host: "", cores: 0,
                                           createdUnixSeconds: 0, version: "", runs: runs)
            for summary in sizeResults.summaries(tasks: size) {
                if let strategy = StrategyKind(rawValue: summary.strategy) { last[strategy] = summary }
            }
        }
    }

    /// Writes a sweep's results file whole.
    /// - Throws: `LabError` (`cannotCreateOutput`, `ioError`).
    public static func save(_ results: SweepResults, to path: String) throws(LabError) {
        try writeOutput(results.jsonText() + "\n", to: path)
    }

    /// The workload's parameters as a sweep file records them.
    public static func describedParameters(_ workload: WorkloadSpec) -> [(key: String, value: TraceValue)] {
        switch workload.kind {
        case .cpu: return [("base", .int(Int64(workload.base)))]
        case .sleep: return [("sleep_ms", .double(workload.sleepMilliseconds)), ("steps", .int(Int64(workload.steps)))]
        case .download:
            switch workload.pages {
            case .urls(let path): return [("urls", .string(path))]
            case .server(let url): return [("server", .string(url))]
            case .embedded(let latency, _, _, _): return [("latency_ms", .string(latency.argumentText))]
            }
        }
    }
}

/// Writes `text` to `path` whole (`OutputFile`: only a regular file is replaced, when complete).
/// - Throws: `LabError`: `cannotCreateOutput` (73) or `ioError` (74).
public func writeOutput(_ text: String, to path: String) throws(LabError) {
    do {
        try OutputFile.write(text, to: path)
    } catch {
        throw outputFailure(error)
    }
}

/// The Lab's failure for an output that cannot be written: 73 when it cannot be created or is refused, 74 when
/// writing failed.
public func outputFailure(_ error: OutputError) -> LabError {
    switch error {
    case .cannotCreate:
        LabError(.cannotCreateOutput, "\(error); check the folder exists and is writable")
    case .refused:
        LabError(.cannotCreateOutput, "\(error)")
    case .writeFailed:
        LabError(.ioError, "\(error)")
    }
}

/// Makes `folder` and its parents.
func createFolder(_ folder: String) throws(LabError) {
    do {
        try createParentFolders(of: folder + "/x")
    } catch {
        throw LabError(.cannotCreateOutput, "cannot create the folder \(folder): \(error)")
    }
}
