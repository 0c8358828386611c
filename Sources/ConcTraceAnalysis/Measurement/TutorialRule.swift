/// The tutorial's rule of thumb (/work/shared/seed, "Multithreading or Asyncio"), applied to a measured run and
/// checked against the verdict:
///
/// ```
/// if io_bound:
///     if io_slow: print('Use Asyncio')          # "slow, requiring many tasks/threads to collaborate"
///     else:       print('Use multithreading')   # "fast, and only a limited number of tasks/threads"
/// elif cpu_bound: print('Use multiprocessing')
/// ```
///
/// In conctrace's terms Asyncio is `eventloop` (one thread, one loop), multithreading `threads`, multiprocessing
/// `processes`. The pseudo-code branches on slow/fast only; its bullets pair slow I/O with many tasks and fast I/O
/// with few. Both halves are tested (`WorkloadProfile`), so a run lands in one of four I/O branches; in the two the
/// bullets do not cover, the pseudo-code's answer is given and the text says why the measurement may differ.
public struct TutorialRule: Sendable, Equatable {
    /// Where the run falls in the rule.
    public enum Branch: String, Sendable {
        case cpuBound = "cpu_bound"
        case slowIOManyTasks = "slow_io_many_tasks"
        case fastIOFewTasks = "fast_io_few_tasks"
        case slowIOFewTasks = "slow_io_few_tasks"
        case fastIOManyTasks = "fast_io_many_tasks"
        /// I/O-bound, but slow vs fast was not measured (no switch cost, or no trace figures at all).
        case ioSpeedUnknown = "io_speed_unknown"
    }

    /// How the measured winners compare with the rule's recommendation.
    public enum Agreement: String, Sendable {
        /// The recommended strategy is the one clear winner.
        case agrees
        /// It is among tied winners: as good as the others, no better.
        case ties
        /// It is not among the winners (measured worse, or its runs failed).
        case disagrees
        /// It was not among the strategies measured.
        case notMeasured = "not_measured"
        /// The branch gives no recommendation (the I/O speed is unknown).
        case untested
        /// No strategy finished, so there is nothing to compare.
        case noVerdict = "no_verdict"
    }

    /// Where the classification came from.
    public enum Basis: String, Sendable {
        /// A run's trace figures (`WorkloadProfile`).
        case trace
        /// Only the workload's name (`cpu` is CPU-bound, others I/O-bound): the slow/fast and many/few halves are
        /// not tested.
        case workloadName = "workload_name"
    }

    public let branch: Branch
    public let basis: Basis
    /// The profile the branch comes from; nil when classified by name.
    public let profile: WorkloadProfile?
    /// The strategy the rule recommends; nil for `ioSpeedUnknown`.
    public let recommendation: String?
    public let agreement: Agreement
    /// For `disagrees`: why the recommended strategy is not a winner, as a clause, e.g. `processes measured worse
    /// on wall time than threads`.
    public let disagreement: String?

    /// The rule for a run classified from its trace, checked against `verdict`.
    /// - Parameter measured: every strategy measured (those that failed included).
    public init(profile: WorkloadProfile, verdict: Verdict, measured: [String]) {
        let branch: Branch = switch (profile.kind, profile.ioSpeed, profile.taskCount) {
        case (.cpuBound, _, _): .cpuBound
        case (.ioBound, nil, _): .ioSpeedUnknown
        case (.ioBound, .slow?, .many): .slowIOManyTasks
        case (.ioBound, .slow?, .few): .slowIOFewTasks
        case (.ioBound, .fast?, .few): .fastIOFewTasks
        case (.ioBound, .fast?, .many): .fastIOManyTasks
        }
        self.init(branch: branch, basis: .trace, profile: profile, verdict: verdict, measured: measured)
    }

    /// The rule for a workload known only by name (`cpu`: CPU-bound; any other: I/O-bound of unknown speed).
    public init(workloadName: String, verdict: Verdict, measured: [String]) {
        self.init(branch: workloadName == "cpu" ? .cpuBound : .ioSpeedUnknown, basis: .workloadName, profile: nil,
                  verdict: verdict, measured: measured)
    }

    private init(branch: Branch, basis: Basis, profile: WorkloadProfile?, verdict: Verdict, measured: [String]) {
        self.branch = branch
        self.basis = basis
        self.profile = profile
        let recommendation = Self.recommendation(branch)
        self.recommendation = recommendation
        var disagreement: String?
        if let recommendation {
            if verdict.winners.isEmpty {
                agreement = .noVerdict
            } else if !measured.contains(recommendation) {
                agreement = .notMeasured
            } else if verdict.winners == [recommendation] {
                agreement = .agrees
            } else if verdict.winners.contains(recommendation) {
                agreement = .ties
            } else {
                agreement = .disagrees
                disagreement = Self.whyNot(recommendation, verdict)
            }
        } else {
            agreement = .untested
        }
        self.disagreement = disagreement
    }

    /// processes, eventloop or threads; nil when the branch is not known.
    static func recommendation(_ branch: Branch) -> String? {
        switch branch {
        case .cpuBound: "processes"
        case .slowIOManyTasks, .slowIOFewTasks: "eventloop"
        case .fastIOFewTasks, .fastIOManyTasks: "threads"
        case .ioSpeedUnknown: nil
        }
    }

    /// Why `strategy` is not among the winners: its runs failed, or the stage that found it worse.
    private static func whyNot(_ strategy: String, _ verdict: Verdict) -> String {
        if let excluded = verdict.excluded.first(where: { $0.strategy == strategy }) {
            return "\(strategy) did not finish all its runs (\(excluded.reason))"
        }
        if let stage = verdict.stages.first(where: { $0.candidates.contains(strategy) && !$0.remaining.contains(strategy) }) {
            return "\(strategy) measured worse on \(stage.metric.label) than \(stage.reference)"
        }
        return "\(strategy) is not among the winners"
    }
}
