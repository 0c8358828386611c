import ConcTraceAnalysis

/// The page's sentences about a measurement that the analysis does not already write: how the runs were
/// repeated, what a verdict's decision and each test's outcome mean, p-values and differences. Plain text; the
/// caller escapes it.
enum ReportText {
    /// `adaptive: at least 5 and at most 30 counted runs per strategy, more until every median wall time is known
    /// within ±5% (95% confidence) or 20 s is spent; 1 warm-up run each`.
    static func repetition(_ policy: RepetitionPolicy) -> String {
        let warmUp = policy.warmUpRuns == 0 ? "no warm-up run"
            : "\(policy.warmUpRuns) warm-up run\(policy.warmUpRuns == 1 ? "" : "s") each, not counted"
        switch policy.count {
        case .fixed(let runs):
            return "\(runs) counted run\(runs == 1 ? "" : "s") per strategy (--repeat), interleaved; \(warmUp)"
        case .adaptive(let minimum, let maximum, let tolerance, let budget):
            return "adaptive, interleaved: at least \(minimum) and at most \(maximum) counted runs per strategy, more "
                + "until every median wall time still in contention is known within ±\(percent(tolerance)) "
                + "(95% confidence) or the \(NumberFormat.significant(budget, digits: 3)) s budget is spent; \(warmUp)"
        }
    }

    /// A short name for how the verdict came out: `clear winner (wall time)`, `tie`, ...
    static func decision(_ decision: Verdict.Decision) -> String {
        switch decision {
        case .clearWinner(let metric): "clear winner by \(metric.label)"
        case .onlyCandidate: "only candidate"
        case .tie: "tie"
        case .noCandidate: "no verdict"
        }
    }

    /// What a test found, in words.
    static func outcome(_ test: PairTest, criteria: VerdictCriteria) -> String {
        let alpha = NumberFormat.fixed(criteria.alpha, decimals: 2)
        switch test.outcome {
        case .worse:
            return switch test.metric {
            case .wall: "\(test.other) is slower"
            case .peakMemory: "\(test.other) needs more memory"
            case .latencyP99: "\(test.other) has a higher p99"
            }
        case .notSignificant: return "not significant at p < \(alpha): a tie"
        case .belowThreshold: return "significant, but within \(percent(criteria.practicalThreshold)): a tie"
        case .tooFewRuns:
            let best = test.test.map { MannWhitneyU.smallestPValue($0.firstCount, $0.secondCount) } ?? 1
            return "too few runs to reach p < \(alpha) (at best \(pValue(best))): a tie"
        case .noData: return "no \(test.metric.label) readings on one side: a tie"
        }
    }

    /// How the U test's p-value was computed: `exact`, or `normal approx.` (ties, or more than 50 runs).
    static func method(_ test: MannWhitneyU?) -> String {
        guard let test else { return "no test" }
        return test.method == .exact ? "exact" : "normal approx."
    }

    /// `0.0022`, `0.70`, `< 0.0001`; `n/a` when not finite.
    static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return "n/a" }
        return p < 0.0001 ? "< 0.0001" : NumberFormat.significant(p, digits: 2)
    }

    /// A relative difference: `+43%`, `+4.2%`, `+0.04%`, `-3%`, `1.96x` from a factor of 1.5 on; `n/a` when not
    /// finite.
    static func difference(_ relative: Double?) -> String {
        guard let relative, relative.isFinite else { return "n/a" }
        if relative >= 0.5 { return NumberFormat.significant(1 + relative, digits: 3) + "x" }
        let value = relative * 100
        let text = value.magnitude >= 10 ? NumberFormat.fixed(value, decimals: 0) : NumberFormat.significant(value, digits: 2)
        return (value > 0 ? "+" : "") + text + "%"
    }

    /// A share as a percentage: `5%`, `43%`, `4.2%`.
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return NumberFormat.fixed(value, decimals: value.magnitude >= 10 || value == value.rounded() ? 0 : 1) + "%"
    }
}
