/// Which strategies are best, from their repeated runs, and the tests behind it.
///
/// ```
///  eligible ──wall time──▶ fastest + ties ──peak memory──▶ leanest + ties ──p99 latency──▶ winners
/// ```
///
/// 1. Eligible: strategies with at least one finished run and no failed one (`StrategySamples.isEligible`).
/// 2. Wall time: the reference is the eligible strategy with the smallest median. Each other strategy is tested
///    against it (`PairTest`: Mann-Whitney U, p < α, and more than the practical threshold apart); those not
///    `worse` stay.
/// 3. If more than one stays, peak memory decides among them the same way (reference: the smallest median memory),
///    then p99 latency. A strategy without values for a figure cannot be told apart on it and stays; a figure that
///    fewer than two of them have is skipped.
/// 4. The winners are those left: one is a clear winner (decided by the stage that left one), several a tie.
public struct Verdict: Sendable, Equatable {
    /// How the verdict came out.
    public enum Decision: Sendable, Equatable {
        /// One strategy is better than every other, decided at this stage.
        case clearWinner(by: VerdictMetric)
        /// Only one strategy finished its runs: it wins without a test.
        case onlyCandidate
        /// Several strategies cannot be told apart on any figure.
        case tie
        /// No strategy finished its runs.
        case noCandidate
    }

    /// One stage: the candidates that entered, the reference, the tests, and who stayed.
    public struct Stage: Sendable, Equatable {
        public let metric: VerdictMetric
        /// The strategies compared at this stage.
        public let candidates: [String]
        /// The one with the smallest median (the first candidate when none has values).
        public let reference: String
        /// Each other candidate against the reference, in candidate order.
        public let tests: [PairTest]
        /// The reference and every candidate not found worse, in candidate order.
        public let remaining: [String]
    }

    /// The best strategies: one for a clear winner, several for a tie (by median wall time), none when no strategy
    /// finished.
    public let winners: [String]
    public let decision: Decision
    /// The stages run, in order (wall time, then as many tie-breakers as were needed).
    public let stages: [Stage]
    /// A strategy the verdict could not name, and why.
    public struct Exclusion: Sendable, Equatable {
        public let strategy: String
        /// "no finished run", or how many runs did not finish and the first one's error.
        public let reason: String
    }

    /// Strategies that could not be named (no finished run, or failed runs).
    public let excluded: [Exclusion]
    public let criteria: VerdictCriteria

    /// Decides from `samples` (one per strategy) with `criteria`.
    public init(_ samples: [StrategySamples], criteria: VerdictCriteria = .standard) {
        self.criteria = criteria
        excluded = samples.filter { !$0.isEligible }.map { strategy in
            Exclusion(strategy: strategy.strategy, reason: strategy.wallSeconds.isEmpty && strategy.failures.isEmpty
                ? "no finished run"
                : "\(strategy.failures.count) of \(strategy.failures.count + strategy.runs) runs did not finish: " +
                    (strategy.failures.first ?? ""))
        }
        var candidates = samples.filter(\.isEligible)
        var stages: [Stage] = []
        var decidedBy: VerdictMetric?
        for metric in VerdictMetric.allCases where candidates.count > 1 {
            // A figure fewer than two candidates have (no memory readings, no traces) cannot break a tie.
            guard candidates.filter({ !$0.values(metric).isEmpty }).count > 1 else { continue }
            let stage = Self.stage(metric, candidates, criteria: criteria)
            stages.append(stage)
            candidates = candidates.filter { stage.remaining.contains($0.strategy) }
            if candidates.count == 1 { decidedBy = metric }
        }
        self.stages = stages
        // Winners in order of median wall time.
        winners = candidates.sorted { Self.median($0, .wall) < Self.median($1, .wall) }.map(\.strategy)
        decision = switch (winners.count, decidedBy) {
        case (0, _): .noCandidate
        case (1, .some(let metric)): .clearWinner(by: metric)
        case (1, nil): .onlyCandidate
        default: .tie
        }
    }

    /// The tests of the first stage, wall time (empty when fewer than two strategies were eligible).
    public var wallTests: [PairTest] { stages.first?.tests ?? [] }

    /// Whether some test that left strategies tied had too few runs to show any difference.
    public var lacksRuns: Bool {
        stages.contains { stage in stage.tests.contains { $0.outcome == .tooFewRuns } }
    }

    private static func stage(_ metric: VerdictMetric, _ candidates: [StrategySamples],
                              criteria: VerdictCriteria) -> Stage {
        let reference = candidates.min { median($0, metric) < median($1, metric) } ?? candidates[0]
        let tests = candidates.filter { $0.strategy != reference.strategy }.map { other in
            PairTest(metric: metric, reference: (reference.strategy, reference.values(metric)),
                     other: (other.strategy, other.values(metric)), criteria: criteria)
        }
        let worse = Set(tests.filter { $0.outcome == .worse }.map(\.other))
        return Stage(metric: metric, candidates: candidates.map(\.strategy), reference: reference.strategy,
                     tests: tests, remaining: candidates.map(\.strategy).filter { !worse.contains($0) })
    }

    /// The median of `metric`, +∞ without values (so a strategy without readings is never the reference).
    private static func median(_ samples: StrategySamples, _ metric: VerdictMetric) -> Double {
        SampleSummary(samples.values(metric))?.median ?? .infinity
    }
}
