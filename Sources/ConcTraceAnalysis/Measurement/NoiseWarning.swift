/// A reason to trust a measurement less, with what to do about it. `NoiseGuard` finds them.
public enum NoiseWarning: Sendable, Equatable {
    /// When a system reading was taken.
    public enum Moment: String, Sendable {
        case before, after
    }

    /// What most likely made a speed-up impossible.
    public enum SpeedUpCause: String, Sendable {
        /// The runs of one side spread widely (interval wider than ±10 %).
        case noise
        /// The baseline's first counted run was a slow outlier: cold caches or a CPU clock not yet up to speed.
        case coldFirstRun = "cold_first_run"
        /// The spread is narrow: the baseline ran at a lower CPU clock than the others (frequency scaling, a
        /// throttled or shared host), or the work differs between strategies.
        case frequencyScaling = "frequency_scaling"
    }

    /// The 1-minute load average was at or above the number of cores.
    case busyMachine(load: Double, cores: Int, moment: Moment)
    /// More than 5 % of CPU time was stolen by the hypervisor during the runs.
    case cpuSteal(share: Double)
    /// A strategy's median run was shorter than 20 ms.
    case shortRuns(strategy: String, medianSeconds: Double, workload: String?)
    /// A strategy did CPU-bound work more than `cores` times faster than sequential.
    case impossibleSpeedUp(strategy: String, speedUp: Double, cores: Int, cause: SpeedUpCause)
    /// A strategy's 95 % interval of the median wall time is wider than ±10 % of it.
    case wideSpread(strategy: String, relativeHalfWidth: Double)
    /// So few runs that the interval of the median is below 95 % confidence (fewer than 6).
    case lowConfidence(strategy: String, runs: Int, confidence: Double)
    /// Outliers among a strategy's runs (hyperfine's rule); `slowFirst` when the first counted run is one.
    case outliers(strategy: String, count: Int, runs: Int, slowFirst: Bool)
    /// A system reading failed: the load or steal checks were not made.
    case unreadable(String)

    /// A stable name for JSON, e.g. `busy_machine`.
    public var code: String {
        switch self {
        case .busyMachine: "busy_machine"
        case .cpuSteal: "cpu_steal"
        case .shortRuns: "short_runs"
        case .impossibleSpeedUp: "impossible_speed_up"
        case .wideSpread: "wide_spread"
        case .lowConfidence: "low_confidence"
        case .outliers: "outliers"
        case .unreadable: "unreadable"
        }
    }

    /// The strategy it is about; nil for the machine's.
    public var strategy: String? {
        switch self {
        case .shortRuns(let strategy, _, _), .impossibleSpeedUp(let strategy, _, _, _), .wideSpread(let strategy, _),
             .lowConfidence(let strategy, _, _), .outliers(let strategy, _, _, _):
            strategy
        case .busyMachine, .cpuSteal, .unreadable:
            nil
        }
    }

    /// One or two sentences: what was seen, why it matters, what to do.
    public var text: String {
        switch self {
        case .busyMachine(let load, let cores, let moment):
            return "the machine was busy \(moment == .before ? "before" : "after") the runs: load average " +
                "\(NumberFormat.fixed(load, decimals: 2)) on \(cores) core\(cores == 1 ? "" : "s")" +
                (moment == .after ? " (this includes conctrace's own runs)" : "") +
                "; other work competes for the CPU, so times may be slower and more spread than on a quiet machine"
        case .cpuSteal(let share):
            return "the hypervisor took \(MeasurementText.percent(share)) of CPU time during the runs (steal): " +
                "a neighbouring VM slowed them; measure again when the host is quieter"
        case .shortRuns(let strategy, let median, let workload):
            let suggestion = workload == "cpu" ? "a larger --base or more --tasks" : "more --tasks"
            return "\(strategy) runs took \(MeasurementText.seconds(median)) (median), under 20 ms: process " +
                "start-up and timer resolution weigh on them as much as the work; use \(suggestion)"
        case .impossibleSpeedUp(let strategy, let speedUp, let cores, let cause):
            let why = switch cause {
            case .noise: "the runs spread widely, so this is likely noise"
            case .coldFirstRun: "sequential's first counted run was a slow outlier: likely a cold first run " +
                "(caches, page tables, CPU clock)"
            case .frequencyScaling: "the runs are steady, so likely frequency scaling (sequential ran at a lower " +
                "CPU clock) or a host that gave the runs unequal CPU"
            }
            return "\(strategy) ran CPU-bound work \(MeasurementText.ratio(speedUp)) as fast as sequential on " +
                "\(cores) core\(cores == 1 ? "" : "s"): impossible (at most \(cores)x); \(why)"
        case .wideSpread(let strategy, let width):
            return "\(strategy): its runs spread widely (95% interval of the median within ±" +
                "\(MeasurementText.percent(width))): close results may be ties; measure on a quieter machine or " +
                "with more runs"
        case .lowConfidence(let strategy, let runs, let confidence):
            return Self.lowConfidenceText([strategy], runs: runs, confidence: confidence)
        case .outliers(let strategy, let count, let runs, let slowFirst):
            return "\(strategy): \(count) of \(runs) runs \(count == 1 ? "was a" : "were") statistical " +
                "outlier\(count == 1 ? "" : "s")" +
                (slowFirst ? ", the first counted run among them (caches not yet warm: add warm-up runs)" : "") +
                "; consider measuring again on a quiet machine"
        case .unreadable(let problem):
            return "could not check the machine's load: \(problem)"
        }
    }

    /// The low-confidence sentence for one or several strategies with the same number of runs.
    static func lowConfidenceText(_ strategies: [String], runs: Int, confidence: Double) -> String {
        let names = MeasurementText.list(strategies)
        let several = strategies.count > 1
        if runs == 1 {
            return "\(names): a single run\(several ? " each" : ""), so no interval, and no test can tell " +
                "\(several ? "them apart" : "it from another") (a verdict needs 5 runs or more each)"
        }
        return "\(names): \(runs) runs\(several ? " each" : "") only, so the interval is min-max at " +
            "\(MeasurementText.confidence(confidence)) confidence, not 95% (that needs 6 runs)"
    }
}
