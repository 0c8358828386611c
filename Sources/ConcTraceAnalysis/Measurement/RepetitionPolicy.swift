/// How many times each strategy runs before a verdict: a fixed count (`--repeat N`), or adaptively until the median
/// wall time of every strategy is known precisely enough or a time budget (`--budget-s`) is spent. Either way each
/// strategy first runs `warmUpRuns` times uncounted.
public struct RepetitionPolicy: Sendable, Equatable {
    /// The counted runs per strategy.
    public enum Count: Sendable, Equatable {
        /// Exactly this many counted runs per strategy (`--repeat N`).
        case fixed(Int)
        /// At least `minimum` counted runs per strategy, whatever the budget (fewer cannot show a difference at
        /// p < 0.01: 5 and 5 can reach p = 0.0079, 4 and 4 only 0.029); then whole rounds while some strategy's
        /// 95 % interval of the median wall time is wider than ±`tolerance` of its median, no strategy has
        /// `maximum` runs, and the next round is predicted to end within `budgetSeconds` of the start.
        case adaptive(minimum: Int, maximum: Int, tolerance: Double, budgetSeconds: Double)
    }

    /// The counted runs.
    public var count: Count
    /// Uncounted runs per strategy before the counted ones (caches, page tables and CPU clocks warm up).
    public var warmUpRuns: Int

    /// Makes a policy.
    /// - Precondition: counts are positive, `minimum` ≤ `maximum`, the tolerance above 0, the budget not negative.
    public init(count: Count, warmUpRuns: Int = 1) {
        switch count {
        case .fixed(let runs):
            precondition(runs >= 1, "a fixed count needs a run")
        case .adaptive(let minimum, let maximum, let tolerance, let budget):
            precondition(minimum >= 1 && minimum <= maximum, "adaptive counts need 1 ≤ minimum ≤ maximum")
            precondition(tolerance > 0 && budget >= 0, "adaptive counts need a tolerance above 0 and a budget")
        }
        precondition(warmUpRuns >= 0, "warm-up runs cannot be negative")
        self.count = count
        self.warmUpRuns = warmUpRuns
    }

    /// The default time budget of an adaptive plan, s: most of the 30 s issue 13 allows `advise` at the
    /// tutorial's sizes, leaving time for start-up and analysis.
    public static let defaultBudgetSeconds = 20.0
    /// At least 5 counted runs, at most 30.
    public static let defaultMinimumRuns = 5
    public static let defaultMaximumRuns = 30
    /// ±5 % of the median.
    public static let defaultTolerance = 0.05

    /// The default: adaptive (5 to 30 runs, ±5 %, `budgetSeconds`), one warm-up run.
    public static func adaptive(budgetSeconds: Double = defaultBudgetSeconds) -> RepetitionPolicy {
        RepetitionPolicy(count: .adaptive(minimum: defaultMinimumRuns, maximum: defaultMaximumRuns,
                                          tolerance: defaultTolerance, budgetSeconds: budgetSeconds))
    }

    /// `runs` counted runs per strategy, one warm-up run.
    public static func fixed(_ runs: Int) -> RepetitionPolicy {
        RepetitionPolicy(count: .fixed(runs))
    }
}
