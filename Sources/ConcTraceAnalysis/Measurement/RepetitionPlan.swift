/// What to run next when measuring strategies repeatedly: a pure planner, driven by the caller.
///
/// ```
///  loop: step = plan.next(elapsedSeconds:) ─▶ .warmUp(s) / .measure(s): run s, then plan.record(step, outcome, cost)
///                                         └─▶ .stop(reason): done
/// ```
///
/// Runs are interleaved in rounds, A B C A B C ..., so that drift (a warming CPU, a neighbour starting) falls on
/// every strategy alike: first the warm-up round(s), uncounted, then counted rounds in which every strategy still in
/// the plan runs once. Whether to start another round is decided between rounds only (`RepetitionPolicy`), so every
/// strategy in a round has the same number of counted runs. A strategy whose run fails or cannot run leaves the plan
/// (it can no longer win, and running it again costs time); the others go on.
///
/// An adaptive plan, once every strategy has its minimum of runs, also stops running the strategies whose place is
/// settled: those the verdict's own test already finds slower than the fastest (`PairTest` on wall time, p < 0.01
/// and more than 5 %). Their runs stay as they are (the advice's table shows their n); the rounds that follow, and
/// the budget, go to telling the contenders apart. When one contender is left, the verdict is decided and the plan
/// stops.
///
/// The plan never reads a clock: the caller passes the time elapsed since the measurement began, and each run's
/// cost (the whole step: process start, run, trace, analysis), from which the next round's cost is predicted.
public struct RepetitionPlan: Sendable {
    /// What to do next.
    public enum Step: Sendable, Equatable {
        /// Run this strategy and do not count the run.
        case warmUp(String)
        /// Run this strategy and count the run.
        case measure(String)
        /// Stop measuring.
        case stop(StopReason)
    }

    /// Why the plan stopped.
    public enum StopReason: Sendable, Equatable {
        /// Every strategy has the fixed number of counted runs.
        case fixedCountReached(Int)
        /// The 95 % interval of the median wall time of every strategy still in contention (not already found
        /// slower than the fastest) is within the tolerance.
        case precise(tolerance: Double)
        /// Every strategy has the maximum number of counted runs.
        case maximumRuns(Int)
        /// Another round was predicted to end past the budget.
        case budgetSpent(budgetSeconds: Double, elapsedSeconds: Double, predictedRoundSeconds: Double)
        /// Every other strategy is already measurably slower than this one (an adaptive plan needs no more runs to
        /// name it).
        case decided(winner: String)
        /// Every strategy's runs failed.
        case noStrategyLeft
        /// A signal (Ctrl-C, SIGTERM) stopped the runs before the plan's end; the caller stops asking for steps.
        case interrupted

        /// One sentence, e.g. "every strategy's median is known within ±5 % (95 % confidence)".
        public var text: String {
            switch self {
            case .fixedCountReached(let runs):
                "\(runs) counted run\(runs == 1 ? "" : "s") per strategy, as asked"
            case .precise(let tolerance):
                "every strategy still in contention has its median wall time known within " +
                    "±\(MeasurementText.percent(tolerance)) (95% confidence)"
            case .maximumRuns(let runs):
                "\(runs) runs per strategy, the most an adaptive plan makes, before every median was known " +
                    "within the tolerance"
            case .budgetSpent(let budget, let elapsed, let round):
                "the time budget of \(MeasurementText.seconds(budget)) is spent " +
                    "(\(MeasurementText.seconds(elapsed)) so far, another round would take about " +
                    "\(MeasurementText.seconds(round)))"
            case .decided(let winner):
                "every other strategy was already measurably slower than \(winner) (Mann-Whitney U, p < 0.01 and " +
                    "more than 5%), so no more runs were needed"
            case .noStrategyLeft:
                "every strategy's runs failed"
            case .interrupted:
                "interrupted (Ctrl-C or SIGTERM) before the plan's end"
            }
        }
    }

    /// How a run went, as far as the plan cares.
    public enum Outcome: Sendable, Equatable {
        /// It finished; its wall time, s.
        case finished(wallSeconds: Double)
        /// It failed or could not run; the one-line reason.
        case failed(String)
    }

    /// The strategies, in the order each round runs them.
    public let strategies: [String]
    public let policy: RepetitionPolicy
    /// Counted rounds started so far.
    public private(set) var rounds = 0
    /// Strategies that left the plan, with the reason (their failed run's).
    public private(set) var retired: [String: String] = [:]
    private var queue: [Step] = []
    private var warmUpQueued = false
    private var walls: [String: [Double]] = [:]
    private var countedCosts: [String: [Double]] = [:]
    private var warmUpCosts: [String: [Double]] = [:]

    /// A plan for `strategies` (distinct names, in round order) under `policy`.
    public init(strategies: [String], policy: RepetitionPolicy) {
        precondition(Set(strategies).count == strategies.count, "each strategy once")
        self.strategies = strategies
        self.policy = policy
    }

    /// The strategies still in the plan, in round order.
    public var active: [String] { strategies.filter { retired[$0] == nil } }

    /// The counted wall times of `strategy`, s, in run order.
    public func wallSeconds(_ strategy: String) -> [Double] { walls[strategy] ?? [] }

    /// The next step, `elapsedSeconds` after the measurement began.
    public mutating func next(elapsedSeconds: Double) -> Step {
        while true {
            if !queue.isEmpty {
                let step = queue.removeFirst()
                if let strategy = step.strategy, retired[strategy] != nil { continue }
                return step
            }
            let running = active
            if running.isEmpty { return .stop(.noStrategyLeft) }
            if !warmUpQueued {
                warmUpQueued = true
                queue = (0..<policy.warmUpRuns).flatMap { _ in running.map(Step.warmUp) }
                continue
            }
            if let reason = stopReason(elapsedSeconds: elapsedSeconds, running: running) { return .stop(reason) }
            rounds += 1
            queue = roundStrategies(running).map(Step.measure)
        }
    }

    /// Records how `step` (returned by `next`) went and what it cost, s.
    public mutating func record(_ step: Step, _ outcome: Outcome, costSeconds: Double) {
        guard let strategy = step.strategy else { return }
        switch outcome {
        case .finished(let wall):
            if case .measure = step {
                walls[strategy, default: []].append(wall)
                countedCosts[strategy, default: []].append(costSeconds)
            } else {
                warmUpCosts[strategy, default: []].append(costSeconds)
            }
        case .failed(let reason):
            retired[strategy] = reason
        }
    }

    private func stopReason(elapsedSeconds: Double, running: [String]) -> StopReason? {
        let counts = running.map { wallSeconds($0).count }
        switch policy.count {
        case .fixed(let runs):
            return counts.allSatisfy { $0 >= runs } ? .fixedCountReached(runs) : nil
        case .adaptive(let minimum, let maximum, let tolerance, let budget):
            if counts.contains(where: { $0 < minimum }) { return nil }
            let contenders = self.contenders(running)
            if running.count > 1, contenders.count == 1 { return .decided(winner: contenders[0]) }
            if contenders.allSatisfy({ SampleSummary(wallSeconds($0))?.isPrecise(within: tolerance) == true }) {
                return .precise(tolerance: tolerance)
            }
            if contenders.allSatisfy({ wallSeconds($0).count >= maximum }) { return .maximumRuns(maximum) }
            let round = predictedRoundSeconds(contenders)
            return elapsedSeconds + round > budget
                ? .budgetSpent(budgetSeconds: budget, elapsedSeconds: elapsedSeconds, predictedRoundSeconds: round)
                : nil
        }
    }

    /// The strategies the next round runs: all of `running` for a fixed count and until every one has an adaptive
    /// plan's minimum; then only the contenders.
    private func roundStrategies(_ running: [String]) -> [String] {
        guard case .adaptive(let minimum, _, _, _) = policy.count,
              running.allSatisfy({ wallSeconds($0).count >= minimum }) else { return running }
        return contenders(running)
    }

    /// The strategies of `running` not already found slower than the fastest (by median wall time) by the verdict's
    /// test, in round order.
    public func contenders(_ running: [String]) -> [String] {
        guard let fastest = running.min(by: { median($0) < median($1) }) else { return [] }
        return running.filter { strategy in
            strategy == fastest || PairTest(metric: .wall, reference: (fastest, wallSeconds(fastest)),
                                            other: (strategy, wallSeconds(strategy)),
                                            criteria: .standard).outcome != .worse
        }
    }

    private func median(_ strategy: String) -> Double {
        SampleSummary(wallSeconds(strategy))?.median ?? .infinity
    }

    /// The sum over `running` of the median cost of their counted runs (warm-up runs when none was counted).
    private func predictedRoundSeconds(_ running: [String]) -> Double {
        running.reduce(0) { total, strategy in
            let costs = countedCosts[strategy].flatMap { $0.isEmpty ? nil : $0 } ?? warmUpCosts[strategy] ?? []
            return total + (SampleSummary(costs)?.median ?? 0)
        }
    }
}

extension RepetitionPlan.Step {
    /// The strategy to run; nil for `stop`.
    public var strategy: String? {
        switch self {
        case .warmUp(let strategy), .measure(let strategy): strategy
        case .stop: nil
        }
    }
}
