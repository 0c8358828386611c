import ConcTraceAnalysis
import Testing

/// The repetition planner, driven by hand: no run, no clock. Each test plays the caller's loop with made-up wall
/// times and costs and checks the steps and the reason to stop.
@Suite("Repetition plan: warm-up, interleaved rounds, adaptive stop")
struct RepetitionPlanTests {
    /// Plays the plan to its end: `wall(strategy, countedRunsSoFar)` gives each run's outcome, every step costs
    /// `cost` seconds. Returns the steps (stop last).
    static func play(_ plan: inout RepetitionPlan, cost: Double = 1,
                     outcome: (String, Int) -> RepetitionPlan.Outcome) -> [RepetitionPlan.Step] {
        var steps: [RepetitionPlan.Step] = []
        var elapsed = 0.0
        var counted: [String: Int] = [:]
        while steps.count < 1000 {
            let step = plan.next(elapsedSeconds: elapsed)
            steps.append(step)
            guard let strategy = step.strategy else { break }
            let result = outcome(strategy, counted[strategy, default: 0])
            if case .measure = step { counted[strategy, default: 0] += 1 }
            plan.record(step, result, costSeconds: cost)
            elapsed += cost
        }
        return steps
    }

    /// Wall times that never settle: alternately 1 and 2 s (the interval stays [1, 2] around a median of 1.5).
    static func noisy(_ strategy: String, _ run: Int) -> RepetitionPlan.Outcome {
        .finished(wallSeconds: run % 2 == 0 ? 1 : 2)
    }

    /// Wall times within ±1 % of 1 s.
    static func steady(_ strategy: String, _ run: Int) -> RepetitionPlan.Outcome {
        .finished(wallSeconds: 1 + Double(run % 3 - 1) * 0.01)
    }

    @Test("--repeat 3: one warm-up each, then A B C three times, interleaved")
    func fixedCount() {
        var plan = RepetitionPlan(strategies: ["a", "b", "c"], policy: .fixed(3))
        let steps = Self.play(&plan, outcome: Self.steady)
        let round: [RepetitionPlan.Step] = [.measure("a"), .measure("b"), .measure("c")]
        #expect(steps == [.warmUp("a"), .warmUp("b"), .warmUp("c")] + round + round + round +
                [.stop(.fixedCountReached(3))])
        #expect(plan.wallSeconds("b").count == 3)
        #expect(plan.rounds == 3)
    }

    @Test("adaptive, steady runs: 5 rounds are not enough for a 95 % interval, the 6th is, then stop")
    func preciseAfterSix() {
        var plan = RepetitionPlan(strategies: ["a", "b"], policy: .adaptive(budgetSeconds: 1000))
        let steps = Self.play(&plan, outcome: Self.steady)
        // 2 warm-ups + 6 rounds of 2: n = 5 gives [min, max] at 93.75 % only; n = 6 reaches 96.9 % within ±1 %.
        #expect(steps.count == 2 + 12 + 1)
        #expect(steps.last == .stop(.precise(tolerance: 0.05)))
        #expect(plan.wallSeconds("a").count == 6)
    }

    @Test("adaptive, noisy runs: rounds go on while the next one fits in the budget")
    func budgetSpent() {
        var plan = RepetitionPlan(strategies: ["a", "b"], policy: .adaptive(budgetSeconds: 20))
        let steps = Self.play(&plan, outcome: Self.noisy)
        // Each step costs 1 s, a round 2 s: warm-ups end at 2 s, round k at 2 + 2k s. A round starts while
        // elapsed + 2 ≤ 20, so the 9th ends at exactly 20 s and the 10th is not started.
        #expect(plan.wallSeconds("a").count == 9)
        #expect(steps.last == .stop(.budgetSpent(budgetSeconds: 20, elapsedSeconds: 20, predictedRoundSeconds: 2)))
    }

    @Test("adaptive: the minimum of 5 runs is made even when the budget is already spent")
    func minimumBeforeBudget() {
        var plan = RepetitionPlan(strategies: ["a"], policy: .adaptive(budgetSeconds: 0))
        let steps = Self.play(&plan, outcome: Self.noisy)
        #expect(steps.filter { if case .measure = $0 { true } else { false } }.count == 5)
        guard case .stop(.budgetSpent) = steps.last else {
            Issue.record("expected the budget to stop it, got \(String(describing: steps.last))")
            return
        }
    }

    @Test("adaptive: at most the maximum runs, when nothing settles and time is plenty")
    func maximumRuns() {
        let policy = RepetitionPolicy(count: .adaptive(minimum: 5, maximum: 7, tolerance: 0.05, budgetSeconds: 1e9))
        var plan = RepetitionPlan(strategies: ["a", "b"], policy: policy)
        let steps = Self.play(&plan, outcome: Self.noisy)
        #expect(plan.wallSeconds("a").count == 7 && plan.wallSeconds("b").count == 7)
        #expect(steps.last == .stop(.maximumRuns(7)))
    }

    @Test("adaptive: once a strategy is found slower by the test, later rounds run only the contenders")
    func settledStrategyStops() {
        var plan = RepetitionPlan(strategies: ["a", "b", "c"], policy: .adaptive(budgetSeconds: 1000))
        // b takes twice as long as a and c, steadily and without tied values: after 5 runs each, the exact p is
        // 2/252 = 0.0079, and +100 %.
        let steps = Self.play(&plan) { strategy, run in
            .finished(wallSeconds: (strategy == "b" ? 2 : 1) + Double(run) * 0.001)
        }
        let round: [RepetitionPlan.Step] = [.measure("a"), .measure("b"), .measure("c")]
        // Round 6 runs a and c only; with 6 steady runs each they are precise.
        #expect(steps == [.warmUp("a"), .warmUp("b"), .warmUp("c")] + round + round + round + round + round +
                [.measure("a"), .measure("c"), .stop(.precise(tolerance: 0.05))])
        #expect(plan.wallSeconds("b").count == 5 && plan.wallSeconds("a").count == 6)
        #expect(plan.contenders(["a", "b", "c"]) == ["a", "c"])
    }

    @Test("adaptive: when every other strategy is found slower, the verdict is decided and the plan stops")
    func decided() {
        var plan = RepetitionPlan(strategies: ["slow", "fast"], policy: .adaptive(budgetSeconds: 1000))
        let steps = Self.play(&plan) { strategy, run in
            .finished(wallSeconds: (strategy == "slow" ? 1 : 0.1) * (1 + Double(run) * 0.001))
        }
        #expect(steps.count == 2 + 10 + 1)
        #expect(steps.last == .stop(.decided(winner: "fast")))
    }

    @Test("a fixed count runs every strategy its count, however far apart")
    func fixedRunsAll() {
        var plan = RepetitionPlan(strategies: ["slow", "fast"], policy: .fixed(7))
        _ = Self.play(&plan) { strategy, _ in .finished(wallSeconds: strategy == "slow" ? 1 : 0.1) }
        #expect(plan.wallSeconds("slow").count == 7 && plan.wallSeconds("fast").count == 7)
    }

    @Test("a strategy whose run fails leaves the plan; the others go on to their count")
    func failureRetires() {
        var plan = RepetitionPlan(strategies: ["a", "b", "c"], policy: .fixed(3))
        let steps = Self.play(&plan) { strategy, run in
            strategy == "b" && run == 1 ? .failed("2 of 10 tasks failed") : .finished(wallSeconds: 1)
        }
        #expect(steps == [.warmUp("a"), .warmUp("b"), .warmUp("c"),
                          .measure("a"), .measure("b"), .measure("c"),
                          .measure("a"), .measure("b"), .measure("c"),
                          .measure("a"), .measure("c"), .stop(.fixedCountReached(3))])
        #expect(plan.retired == ["b": "2 of 10 tasks failed"])
        #expect(plan.active == ["a", "c"])
        #expect(plan.wallSeconds("b") == [1])
    }

    @Test("a failed warm-up retires the strategy before any counted run; all failed: nothing left")
    func allFail() {
        var plan = RepetitionPlan(strategies: ["a", "b"], policy: .adaptive())
        let steps = Self.play(&plan) { _, _ in .failed("cannot start 10000 threads") }
        #expect(steps == [.warmUp("a"), .warmUp("b"), .stop(.noStrategyLeft)])
    }

    @Test("no warm-up when the policy asks for none; the predicted round uses the counted runs' cost")
    func noWarmUp() {
        var plan = RepetitionPlan(strategies: ["a"], policy: RepetitionPolicy(
            count: .adaptive(minimum: 2, maximum: 10, tolerance: 0.05, budgetSeconds: 10), warmUpRuns: 0))
        let steps = Self.play(&plan, cost: 4, outcome: Self.noisy)
        // Runs at 0 and 4 s (the minimum of 2), then 8 + 4 > 10: stop.
        #expect(steps == [.measure("a"), .measure("a"),
                          .stop(.budgetSpent(budgetSeconds: 10, elapsedSeconds: 8, predictedRoundSeconds: 4))])
    }

    @Test("the stop reasons read as sentences")
    func stopText() {
        #expect(RepetitionPlan.StopReason.precise(tolerance: 0.05).text ==
                "every strategy still in contention has its median wall time known within ±5% (95% confidence)")
        #expect(RepetitionPlan.StopReason.decided(winner: "eventloop").text.hasPrefix(
            "every other strategy was already measurably slower than eventloop (Mann-Whitney U, p < 0.01"))
        #expect(RepetitionPlan.StopReason.budgetSpent(budgetSeconds: 20, elapsedSeconds: 18.5,
                                                      predictedRoundSeconds: 2.25).text ==
                "the time budget of 20.0 s is spent (18.5 s so far, another round would take about 2.25 s)")
        #expect(RepetitionPlan.StopReason.fixedCountReached(1).text == "1 counted run per strategy, as asked")
    }
}
