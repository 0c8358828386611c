#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceReport
import ConcTraceSiteServer
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads

/// `conctrace demo`: the tutorial's experiments under every strategy, a sleep sweep, the verdicts and a report.
public struct DemoRequest: Sendable {
    /// Where the traces and report.html go.
    public var outputFolder: String
    /// Download: pages to fetch, and the embedded server's latency per page.
    public var pages: Int
    public var latencyMilliseconds: Int
    /// cpu: how many sums, and the base.
    public var cpuTasks: Int
    public var cpuBase: Int
    /// The sleep sweep's sizes (empty: no sweep).
    public var sweepSizes: [Int]
    /// A run's time limit (the sweep skips sizes predicted to pass it).
    public var limitSeconds: Double
    /// How many times each strategy runs in each experiment.
    public var policy: RepetitionPolicy
    /// How many times each strategy runs at each size of the sweep.
    public var sweepPolicy: RepetitionPolicy

    /// Makes a request.
    public init(outputFolder: String, pages: Int, latencyMilliseconds: Int, cpuTasks: Int, cpuBase: Int,
                sweepSizes: [Int], limitSeconds: Double, policy: RepetitionPolicy, sweepPolicy: RepetitionPolicy) {
        self.outputFolder = outputFolder
        self.pages = pages
        self.latencyMilliseconds = latencyMilliseconds
        self.cpuTasks = cpuTasks
        self.cpuBase = cpuBase
        self.sweepSizes = sweepSizes
        self.limitSeconds = limitSeconds
        self.policy = policy
        self.sweepPolicy = sweepPolicy
    }
}

/// What the demo measured.
public struct DemoOutcome: Sendable {
    /// One experiment: its title, its kind (`I/O-bound (download)`), its runs and its verdict.
    public struct Experiment: Sendable {
        public var title: String
        public var kind: String
        /// Every counted run (as a sweep of one size).
        public var results: SweepResults
        public var advice: StrategyAdvice
        /// From the first run's start to the last run's end, s.
        public var elapsedSeconds: Double
    }

    public var experiments: [Experiment]
    /// The sleep sweep, if it ran.
    public var sweep: SweepResults?
    /// The report's path, if one was written.
    public var reportPath: String?
}

/// How the demo runs.
public enum Demo {
    /// Runs the demo (stopping early on a signal: `ChildRun.stopSignal`), calling `progress` as each run starts.
    /// - Throws: `LabError`: the site server cannot listen, an output cannot be written, a trace cannot be read for
    ///   the report.
    public static func run(_ request: DemoRequest, progress: (String) -> Void) throws(LabError) -> DemoOutcome {
        let folder = request.outputFolder
        try createFolder(folder)
        let server: SiteServer
        do {
            server = try SiteServer.start(SiteConfiguration(pages: request.pages,
                                                            latency: .fixed(milliseconds: request.latencyMilliseconds)))
        } catch {
            throw LabError(.cannotListen, "cannot start the embedded site server: \(error)")
        }
        defer { server.shutdown() }
        let cores = Machine.cores
        let strategies = StrategyKind.allCases
        let experiments: [(spec: WorkloadSpec, title: String, kind: String)] = [
            (WorkloadSpec(kind: .download, tasks: request.pages, pages: .server(server.baseURL)),
             "Download \(request.pages) pages (embedded server on 127.0.0.1, \(request.latencyMilliseconds) ms latency each)",
             "I/O-bound (download)"),
            (WorkloadSpec(kind: .cpu, tasks: request.cpuTasks, base: request.cpuBase),
             "CPU: \(request.cpuTasks) sums of squares of i below \(request.cpuBase) + k, exact", "CPU-bound (cpu)"),
        ]
        var done: [DemoOutcome.Experiment] = []
        for experiment in experiments {
            guard ChildRun.stopSignal == nil else { break }
            let name = experiment.spec.kind.rawValue
            let measurement = RepeatedMeasurement(
                workload: experiment.spec, strategies: strategies, workers: nil,
                limitSeconds: max(request.limitSeconds, 60), policy: request.policy,
                tracePath: { "\(folder)/\(name)-\($0.rawValue).json" })
            let outcome = try measurement.run(progress: { progress("\(name) · " + $0.text) })
            var results = results(experiment.spec.kind, outcome.runs, cores: cores)
            results.repetition = request.policy
            results.stops = [SweepResults.Stop(tasks: experiment.spec.taskCount, reason: outcome.stopReason)]
            done.append(DemoOutcome.Experiment(title: experiment.title, kind: experiment.kind, results: results,
                                               advice: outcome.advice(measurement, cores: cores),
                                               elapsedSeconds: outcome.elapsedSeconds))
        }

        var sweep: SweepResults?
        if !request.sweepSizes.isEmpty, ChildRun.stopSignal == nil {
            let sweepFolder = folder + "/sweep"
            try createFolder(sweepFolder)
            var measured = results(.sleep, [], cores: cores)
            measured.parameters = [("sleep_ms", .double(10)), ("steps", .int(1))]
            measured.repetition = request.sweepPolicy
            try Sweep.measure(workload: WorkloadSpec(kind: .sleep, sleepMilliseconds: 10), sizes: request.sweepSizes,
                              strategies: strategies, workers: nil, traceFolder: sweepFolder,
                              limitSeconds: request.limitSeconds, policy: request.sweepPolicy, progress: progress,
                              record: { measured.runs.append($0) }, stopped: { measured.stops.append($0) })
            sweep = measured
            try Sweep.save(measured, to: "\(folder)/sweep-sleep.json")
        }

        let reportPath = "\(folder)/report.html"
        // Each strategy's kept trace (its last run's; a strategy that could not run has none).
        let tracePaths = done.flatMap { experiment in
            experiment.results.strategies.compactMap { strategy in
                experiment.results.runs.last { $0.strategy == strategy }?.trace
            }
        }
        var written: String?
        if !tracePaths.isEmpty || sweep != nil {
            let html: String
            do {
                html = try HTMLReport.render(
                    tracePaths: tracePaths, sweep: sweep,
                    verdicts: done.map { ReportVerdict(title: $0.title, advice: $0.advice, results: $0.results) },
                    title: "conctrace demo: the tutorial's experiments on \(cores) cores")
            } catch {
                throw traceInputFailure(error, inputUnavailable: error.isInputUnavailable)
            }
            try writeOutput(html, to: reportPath)
            written = reportPath
        }
        return DemoOutcome(experiments: done, sweep: sweep, reportPath: written)
    }

    private static func results(_ workload: WorkloadKind, _ runs: [SweepResults.Run], cores: Int) -> SweepResults {
        SweepResults(workload: workload.rawValue, parameters: [], host: Machine.hostName, cores: cores,
                     createdUnixSeconds: Int64(time(nil)), version: Lab.version, runs: runs)
    }
}

/// The failure for a trace that cannot be read: `noInput` when the file cannot be opened or read, `dataError` when
/// its content is not a trace.
public func traceInputFailure(_ error: any Error, inputUnavailable: Bool) -> LabError {
    inputUnavailable
        ? LabError(.noInput, "\(error); check the path")
        : LabError(.dataError, "\(error); is it a Chrome trace (a JSON array of events, or an object with traceEvents)?")
}
