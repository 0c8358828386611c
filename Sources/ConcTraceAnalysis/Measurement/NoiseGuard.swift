/// Checks a measurement for the things that make it less trustworthy, as pyperf and hyperfine do: a busy or
/// stolen-from machine, runs too short to time, a spread too wide, outliers, and a CPU speed-up no machine of this
/// size can give. Pure: the system readings are passed in (`SystemSnapshot.read()` takes them).
///
/// | check | warns when |
/// |---|---|
/// | load | the 1-minute load average before or after the runs is ≥ the number of cores |
/// | steal | stolen ticks / all ticks between the two /proc/stat readings > 5 % |
/// | short runs | a strategy's median wall time < 20 ms |
/// | speed-up | CPU-bound work: sequential's median / a strategy's median > cores |
/// | spread | a strategy's 95 % interval of the median reaches beyond ±10 % of it |
/// | confidence | fewer than 6 runs: the interval is min-max below 95 % |
/// | outliers | hyperfine's rule (`OutlierScreen`) finds any |
public enum NoiseGuard {
    /// Steal above this share of CPU time is warned about.
    public static let stealThreshold = 0.05
    /// Runs with a median wall time below this, s, are warned about.
    public static let shortRunSeconds = 0.020
    /// Intervals reaching beyond this share of the median are warned about.
    public static let wideSpreadThreshold = 0.10
    /// The strategy whose runs are the one-core baseline of a speed-up.
    public static let baselineStrategy = "sequential"

    /// Warnings about the machine, from readings before and after the runs.
    public static func machineWarnings(before: SystemSnapshot?, after: SystemSnapshot?, cores: Int) -> [NoiseWarning] {
        var warnings: [NoiseWarning] = []
        for (snapshot, moment) in [(before, NoiseWarning.Moment.before), (after, .after)] {
            guard let snapshot else { continue }
            warnings += snapshot.problems.map(NoiseWarning.unreadable)
            if let load = snapshot.load?.oneMinute, load >= Double(cores) {
                warnings.append(.busyMachine(load: load, cores: cores, moment: moment))
            }
        }
        if let earlier = before?.cpu, let later = after?.cpu, let share = later.stealShare(since: earlier),
           share > stealThreshold {
            warnings.append(.cpuSteal(share: share))
        }
        return warnings
    }

    /// Warnings about the runs of each strategy (their wall times), in the order given.
    /// - Parameters:
    ///   - wallTimes: each strategy's wall-time summary.
    ///   - cpuBound: whether the work is CPU-bound (only then is a speed-up above `cores` impossible).
    ///   - workload: the workload's name, to suggest the right option for short runs.
    public static func runWarnings(wallTimes: [(strategy: String, summary: SampleSummary)], cores: Int,
                                   cpuBound: Bool, workload: String?) -> [NoiseWarning] {
        var warnings: [NoiseWarning] = []
        let baseline = wallTimes.first { $0.strategy == baselineStrategy }?.summary
        for (strategy, summary) in wallTimes {
            if summary.median < shortRunSeconds {
                warnings.append(.shortRuns(strategy: strategy, medianSeconds: summary.median, workload: workload))
            }
            if summary.interval?.reachesTarget != true {
                warnings.append(.lowConfidence(strategy: strategy, runs: summary.count,
                                               confidence: summary.interval?.confidence ?? 0))
            } else if let width = summary.relativeHalfWidth, width > wideSpreadThreshold {
                warnings.append(.wideSpread(strategy: strategy, relativeHalfWidth: width))
            }
            if summary.outliers.count > 0 {
                warnings.append(.outliers(strategy: strategy, count: summary.outliers.count, runs: summary.count,
                                          slowFirst: summary.outliers.slowFirstValue))
            }
            if cpuBound, let baseline, strategy != baselineStrategy, summary.median > 0 {
                let speedUp = baseline.median / summary.median
                if speedUp > Double(cores) {
                    warnings.append(.impossibleSpeedUp(strategy: strategy, speedUp: speedUp, cores: cores,
                                                       cause: cause(baseline: baseline, other: summary)))
                }
            }
        }
        return warnings
    }

    /// The likeliest cause of an impossible speed-up, from the evidence in the two samples.
    static func cause(baseline: SampleSummary, other: SampleSummary) -> NoiseWarning.SpeedUpCause {
        if baseline.outliers.slowFirstValue { return .coldFirstRun }
        let spread = [baseline, other].map { summary -> Double in
            guard let interval = summary.interval, interval.reachesTarget else { return .infinity }
            return summary.relativeHalfWidth ?? .infinity
        }
        return spread.contains { $0 > wideSpreadThreshold } ? .noise : .frequencyScaling
    }
}
