import ConcTraceAnalysis
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads

/// Strategies measured repeatedly on one workload at one size, interleaved, as `advise`, `demo` and each size of a
/// `sweep` measure them (docs/metrics.md, "Verdicts and spread").
///
/// ```
///  SystemSnapshot ──▶ loop: plan.next ──▶ MeasuredRun (child `conctrace run`, traced, analyzed) ──▶ plan.record
///                       │                      └─▶ each run: `record` (a sweep saves it), samples, last trace
///                       └─ stop ──▶ SystemSnapshot ──▶ profile (sequential's trace, else threads') ──▶ advice
/// ```
///
/// Each strategy's runs write one trace path: the last run's trace is the one kept.
public struct RepeatedMeasurement: Sendable {
    /// The workload, at its size (`workload.tasks`).
    public var workload: WorkloadSpec
    /// The strategies, in the order each round runs them.
    public var strategies: [StrategyKind]
    /// `--workers` for every run; nil for each strategy's default.
    public var workers: Int?
    /// A run's time limit: past it the run is stopped and counts as an error.
    public var limitSeconds: Double
    /// How many times each strategy runs (fixed, or adaptive within a budget), after how many warm-up runs.
    public var policy: RepetitionPolicy
    /// Where each strategy's runs write their trace.
    public var tracePath: @Sendable (StrategyKind) -> String

    /// Makes a request.
    public init(workload: WorkloadSpec, strategies: [StrategyKind], workers: Int?, limitSeconds: Double,
                policy: RepetitionPolicy, tracePath: @escaping @Sendable (StrategyKind) -> String) {
        self.workload = workload
        self.strategies = strategies
        self.workers = workers
        self.limitSeconds = limitSeconds
        self.policy = policy
        self.tracePath = tracePath
    }

    /// A run about to start, for a progress line: `round 2 · threads · ±3.1%`.
    public struct Step: Sendable {
        /// The counted round (1, 2, ...); 0 for a warm-up run.
        public var round: Int
        /// The strategy about to run.
        public var strategy: StrategyKind
        /// The strategy's 95 % interval of the median wall time so far, as a share of the median (±); nil before
        /// two counted runs.
        public var spread: Double?

        /// `warm-up · threads`, `round 3 · threads · ±4.2%`.
        public var text: String {
            let spreadText = spread.map { " · ±" + NumberFormat.fixed($0 * 100, decimals: 1) + "%" } ?? ""
            return (round == 0 ? "warm-up" : "round \(round)") + " · \(strategy.rawValue)" + spreadText
        }
    }

    /// What the runs gave.
    public struct Outcome: Sendable {
        /// Every counted run (round 1, 2, ...) in the order run, and each warm-up run that failed (round 0: its
        /// strategy then left the plan).
        public var runs: [SweepResults.Run]
        /// Each strategy's counted runs and failures, in the order given.
        public var samples: [StrategySamples]
        /// Each strategy's last analyzed trace, by strategy name.
        public var analyses: [String: TraceAnalysis]
        /// The threads strategy's pool size in its runs (its trace's `workers`), when it ran.
        public var threadsWorkers: Int?
        /// The machine before the first run.
        public var before: SystemSnapshot
        /// The machine after the last run.
        public var after: SystemSnapshot
        /// Why the runs stopped (`interrupted` when a signal stopped them).
        public var stopReason: RepetitionPlan.StopReason
        /// From the first run's start to the last run's end, s.
        public var elapsedSeconds: Double
    }

    /// Runs the plan: warm-up runs, then interleaved counted rounds, until the policy stops it or a signal arrives
    /// (`ChildRun.stopSignal`). `progress` hears each run before it starts; `record` gets each run that `Outcome.runs`
    /// keeps, as it ends.
    /// - Throws: what `record` throws.
    public func run(progress: (Step) -> Void,
                    record: (SweepResults.Run) throws(LabError) -> Void = { _ in }) throws(LabError) -> Outcome {
        let before = SystemSnapshot.read()
        let started = MonotonicClock.now()
        func elapsed() -> Double { Double(MonotonicClock.now() &- started) / 1e9 }
        var plan = RepetitionPlan(strategies: strategies.map(\.rawValue), policy: policy)
        var samples = strategies.map { StrategySamples(strategy: $0.rawValue, wallSeconds: []) }
        var runs: [SweepResults.Run] = []
        var analyses: [String: TraceAnalysis] = [:]
        var threadsWorkers: Int?
        var stopReason = RepetitionPlan.StopReason.interrupted
        while true {
            if ChildRun.stopSignal != nil { break }
            let step = plan.next(elapsedSeconds: elapsed())
            guard let name = step.strategy, let strategy = StrategyKind(rawValue: name),
                  let index = strategies.firstIndex(of: strategy) else {
                if case .stop(let reason) = step { stopReason = reason }
                break
            }
            let counted = if case .measure = step { true } else { false }
            let round = counted ? plan.rounds : 0
            progress(Step(round: round, strategy: strategy,
                          spread: SampleSummary(plan.wallSeconds(name))?.relativeHalfWidth))
            let stepStarted = MonotonicClock.now()
            let measured = MeasuredRun(workload: workload, strategy: strategy, workers: workers,
                                       tracePath: tracePath(strategy)).measure(limitSeconds: limitSeconds)
            let cost = Double(MonotonicClock.now() &- stepStarted) / 1e9
            // A run cut short by a signal says nothing about the strategy.
            if ChildRun.stopSignal != nil { break }
            var run = measured.run
            run.round = round
            let outcome: RepetitionPlan.Outcome = if run.status == .ok, let wall = run.wallSeconds, wall.isFinite {
                .finished(wallSeconds: wall)
            } else {
                .failed(run.error ?? "\(run.status.rawValue): exit status \(run.exitCode)")
            }
            plan.record(step, outcome, costSeconds: cost)
            if let analysis = measured.analysis {
                analyses[name] = analysis
                if strategy == .threads, let workers = analysis.run("workers")?.intValue { threadsWorkers = Int(workers) }
            }
            guard counted || run.status != .ok else { continue }
            samples[index].add(run)
            runs.append(run)
            try record(run)
        }
        return Outcome(runs: runs, samples: samples, analyses: analyses, threadsWorkers: threadsWorkers,
                       before: before, after: SystemSnapshot.read(), stopReason: stopReason,
                       elapsedSeconds: elapsed())
    }
}

extension RepeatedMeasurement.Outcome {
    /// The workload classified from the sequential run's trace (a task's own running and waiting, without a pool's
    /// contention), else the threads run's, else any; the switch cost from the traces (`SwitchCost.measured(in:)`);
    /// the worker capacity from the threads run's trace (else `workers`, else the threads strategy's default,
    /// min(tasks, 64)).
    public func profile(tasks: Int, workers: Int?) -> WorkloadProfile? {
        let preferred = ["sequential", "threads"].compactMap { analyses[$0] }
            + analyses.keys.sorted().compactMap { analyses[$0] }
        guard let figures = preferred.lazy.compactMap(WorkloadFigures.init(analysis:)).first else { return nil }
        let capacity = threadsWorkers ?? workers ?? ThreadPoolStrategy.defaultWorkers(tasks: tasks)
        return WorkloadProfile(figures: figures, switchCost: SwitchCost.measured(in: Array(analyses.values)),
                               workerCapacity: capacity)
    }

    /// The advice from these runs of `request`, on a machine of `cores` cores.
    public func advice(_ request: RepeatedMeasurement, cores: Int = Machine.cores) -> StrategyAdvice {
        StrategyAdvice(workload: request.workload.kind.rawValue, samples: samples, cores: cores,
                       profile: profile(tasks: request.workload.taskCount, workers: request.workers),
                       before: before, after: after, stopReason: stopReason)
    }
}
