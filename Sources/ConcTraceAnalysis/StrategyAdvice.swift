import ConcTraceFormat

/// "Use X", or "X and Y tie", from repeated runs of strategies on one workload at one size: the verdict with the
/// tests behind it, every strategy's figures with their spread, the tutorial's rule checked against the verdict,
/// where Swift differs from Python, and the warnings that say how far to trust it. As data; `summaryText` and
/// `jsonText()` render it (docs/metrics.md, "Verdicts and spread").
///
/// ```
///  [StrategySamples] ──▶ Verdict (Mann-Whitney U, 5 %) ──┐
///  WorkloadProfile (a run's trace) ──▶ TutorialRule ─────┼──▶ StrategyAdvice ──▶ summaryText / jsonText()
///  SystemSnapshot before/after ──▶ NoiseGuard ───────────┘
/// ```
public struct StrategyAdvice: Sendable {
    /// One strategy's runs and their summaries.
    public struct StrategySummary: Sendable {
        public let samples: StrategySamples
        /// Wall time, s; nil when no run finished.
        public let wall: SampleSummary?
        /// Peak resident memory, bytes; nil without readings.
        public let peakMemory: SampleSummary?
        /// Task latency p99, ms; nil without readings.
        public let latencyP99: SampleSummary?

        /// Summarises `samples`.
        public init(_ samples: StrategySamples) {
            self.samples = samples
            wall = SampleSummary(samples.wallSeconds)
            peakMemory = SampleSummary(samples.peakMemoryBytes)
            latencyP99 = SampleSummary(samples.latencyP99Milliseconds)
        }

        public var strategy: String { samples.strategy }

        /// The summary of `metric`.
        public func summary(_ metric: VerdictMetric) -> SampleSummary? {
            switch metric {
            case .wall: wall
            case .peakMemory: peakMemory
            case .latencyP99: latencyP99
            }
        }
    }

    /// The workload's name (`cpu`, `sleep`, `download`).
    public let workload: String
    /// The machine's cores.
    public let cores: Int
    /// Every strategy measured, in the order given.
    public let strategies: [StrategySummary]
    public let verdict: Verdict
    /// The tutorial's rule: from the trace figures when given, else from the workload's name.
    public let tutorialRule: TutorialRule
    /// Where Swift differs from the tutorial's Python for this workload, checked against the measurement (nil for
    /// I/O-bound work).
    public let swiftNote: String?
    /// Noise warnings: the machine's, then each strategy's.
    public let warnings: [NoiseWarning]
    /// Why the repetitions stopped, when they were planned by a `RepetitionPlan`.
    public let stopReason: RepetitionPlan.StopReason?

    /// Advises from each strategy's repeated runs.
    /// - Parameters:
    ///   - profile: the workload classified from a run's trace; without it the rule goes by the workload's name
    ///     and says that slow/fast and many/few were not tested.
    ///   - before, after: the machine's readings around the runs, for the load and steal checks.
    public init(workload: String, samples: [StrategySamples], cores: Int, profile: WorkloadProfile? = nil,
                before: SystemSnapshot? = nil, after: SystemSnapshot? = nil,
                stopReason: RepetitionPlan.StopReason? = nil, criteria: VerdictCriteria = .standard) {
        self.workload = workload
        self.cores = cores
        self.stopReason = stopReason
        strategies = samples.map(StrategySummary.init)
        verdict = Verdict(samples, criteria: criteria)
        let measured = samples.map(\.strategy)
        let verdict = self.verdict
        let rule = profile.map { TutorialRule(profile: $0, verdict: verdict, measured: measured) }
            ?? TutorialRule(workloadName: workload, verdict: verdict, measured: measured)
        tutorialRule = rule
        let cpuBound = rule.branch == .cpuBound
        let walls = strategies.compactMap { summary in summary.wall.map { (strategy: summary.strategy, summary: $0) } }
        warnings = NoiseGuard.machineWarnings(before: before, after: after, cores: cores)
            + NoiseGuard.runWarnings(wallTimes: walls, cores: cores, cpuBound: cpuBound, workload: workload)
        swiftNote = cpuBound
            ? Self.swiftNote(samples, cores: cores, runningMilliseconds: profile?.figures.runningMillisecondsPerTask,
                             criteria: criteria)
            : nil
    }

    /// Advises from sweep runs of one size (several runs per strategy are grouped), without trace figures or
    /// machine readings.
    public init(workload: String, runs: [SweepResults.Run], cores: Int) {
        self.init(workload: workload, samples: StrategySamples.grouping(runs), cores: cores)
    }

    /// The summary of `strategy`.
    public func summary(of strategy: String) -> StrategySummary? {
        strategies.first { $0.strategy == strategy }
    }

    /// Where Swift differs from CPython on CPU-bound work. Only what the measurement shows is claimed: threads
    /// measurably faster than sequential, measurably slower (and then why), or not told apart.
    static func swiftNote(_ samples: [StrategySamples], cores: Int, runningMilliseconds: Double?,
                          criteria: VerdictCriteria) -> String {
        let opening = "In Swift, unlike CPython, threads run CPU work in parallel (there is no global interpreter lock)"
        guard let threads = samples.first(where: { $0.strategy == "threads" && $0.isEligible }),
              let sequential = samples.first(where: { $0.strategy == "sequential" && $0.isEligible }),
              let threadsWall = SampleSummary(threads.wallSeconds),
              let sequentialWall = SampleSummary(sequential.wallSeconds) else {
            return opening + ", so threads need no processes to use all \(cores) cores (not compared with " +
                "sequential here)."
        }
        let test = PairTest(metric: .wall, reference: ("threads", threads.wallSeconds),
                            other: ("sequential", sequential.wallSeconds), criteria: criteria)
        if threadsWall.median < sequentialWall.median, test.outcome == .worse {
            return opening + ": here threads ran \(MeasurementText.ratio(sequentialWall.median / threadsWall.median)) " +
                "as fast as sequential on \(cores) cores, with no processes needed."
        }
        let figures = MeasurementText.figure(.wall, threadsWall) + " vs " + MeasurementText.figure(.wall, sequentialWall)
        if test.outcome == .tooFewRuns {
            return opening + ", but with \(threads.runs) and \(sequential.runs) runs no test can show whether they " +
                "were faster than sequential here (\(figures))."
        }
        // Sequential measurably faster: the threads' start and coordination cost more than the parallel work saved.
        let reverse = PairTest(metric: .wall, reference: ("sequential", sequential.wallSeconds),
                               other: ("threads", threads.wallSeconds), criteria: criteria)
        if sequentialWall.median < threadsWall.median, reverse.outcome == .worse {
            let tasks = runningMilliseconds.map { " (tasks of \(MeasurementText.seconds($0 / 1000)) each)" } ?? ""
            return opening + ", but here they were slower than sequential (\(figures)): starting and coordinating " +
                "the threads cost more than the parallel work saved\(tasks); a larger --base shows the difference."
        }
        let spread = [threadsWall, sequentialWall].contains { !$0.isPrecise(within: NoiseGuard.wideSpreadThreshold) }
        return opening + ", but the test could not tell them from sequential here (\(figures))" +
            (spread ? ": the runs spread widely (see the warnings)." : ".")
    }
}

extension StrategyAdvice {
    /// The single winner, or for a tie the first winner (the lowest median wall time: as good as the others, no
    /// better); nil when no strategy finished.
    public var choice: String? { verdict.winners.first }

    /// The tutorial's rule, its branch and whether the measurement agrees.
    public var rule: String { tutorialRule.text(winners: verdict.winners) }

    /// Strategies that could not be named, and the warnings, one line each.
    public var problems: [String] {
        // A run's error is a child's message, and strategy names may come from a file: escaped for a terminal.
        verdict.excluded.map { TerminalText.escaped("\($0.strategy): \($0.reason)") } + warningLines
    }
}
