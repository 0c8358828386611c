/// The figures a verdict compares strategies on, in the order it uses them: wall time first, then peak memory and
/// p99 latency to break ties. Smaller is better for all three.
public enum VerdictMetric: String, Sendable, CaseIterable {
    /// Wall time of a run, s.
    case wall = "wall_s"
    /// Peak resident memory of a run, bytes.
    case peakMemory = "peak_rss_bytes"
    /// Task latency p99 of a run, ms.
    case latencyP99 = "latency_ms_p99"

    /// The figure's name in sentences.
    public var label: String {
        switch self {
        case .wall: "wall time"
        case .peakMemory: "peak memory"
        case .latencyP99: "p99 latency"
        }
    }
}

/// When one strategy is named better than another: a significant difference that also matters.
///
/// B is worse than A on a figure only when the Mann-Whitney U test of their samples gives p < `alpha` (two-sided)
/// AND B's median is more than `practicalThreshold` above A's (as a share of A's median). A difference that is
/// significant but small is not worth a recommendation; a large one that is not significant may be noise.
public struct VerdictCriteria: Sendable, Equatable {
    /// The significance level of the U test.
    public var alpha: Double
    /// The smallest difference of medians that counts, as a share of the better median.
    public var practicalThreshold: Double

    /// Makes criteria.
    public init(alpha: Double = 0.01, practicalThreshold: Double = 0.05) {
        self.alpha = alpha
        self.practicalThreshold = practicalThreshold
    }

    /// p < 0.01 and 5 %.
    public static let standard = VerdictCriteria()
}

/// One strategy's samples of one figure tested against the best strategy's: is it worse, and why or why not.
public struct PairTest: Sendable, Equatable {
    /// What the test found.
    public enum Outcome: String, Sendable {
        /// The other strategy is worse: significant (p < α) and above the practical threshold.
        case worse
        /// p ≥ α: the samples do not show a difference.
        case notSignificant = "not_significant"
        /// p < α, but the medians differ by no more than the practical threshold.
        case belowThreshold = "below_threshold"
        /// So few runs that no rank test can reach p < α (`MannWhitneyU.smallestPValue`): a tie for lack of runs.
        case tooFewRuns = "too_few_runs"
        /// One side has no values for this figure (e.g. no memory reading): it cannot be told apart.
        case noData = "no_data"
    }

    public let metric: VerdictMetric
    /// The strategy with the best (smallest) median at this stage.
    public let reference: String
    /// The strategy tested against it.
    public let other: String
    /// The reference's median; nil without values.
    public let referenceMedian: Double?
    /// The other's median; nil without values.
    public let otherMedian: Double?
    /// (other − reference) / reference, of the medians; nil when either is missing.
    public let relativeDifference: Double?
    /// The U test (reference first); nil when a side has no values.
    public let test: MannWhitneyU?
    public let outcome: Outcome

    /// Tests `other`'s values of `metric` against `reference`'s.
    public init(metric: VerdictMetric, reference: (name: String, values: [Double]),
                other: (name: String, values: [Double]), criteria: VerdictCriteria) {
        self.metric = metric
        self.reference = reference.name
        self.other = other.name
        let judgement = SampleComparison(reference: reference.values, other: other.values, smallerIsBetter: true,
                                         criteria: criteria)
        referenceMedian = judgement.referenceMedian
        otherMedian = judgement.otherMedian
        relativeDifference = judgement.relativeDifference
        test = judgement.test
        outcome = judgement.outcome
    }
}

/// Two samples of any figure with a direction compared by the rule of `PairTest`: the medians, the Mann-Whitney U
/// test, and whether the other side is worse (p < α, and its median more than the practical threshold worse than
/// the reference's, in the figure's direction). `compare` uses it for every metric of repeated traces, `bench
/// switch` for recording on against off.
public struct SampleComparison: Sendable, Equatable {
    /// The reference's median; nil without values.
    public let referenceMedian: Double?
    /// The other's median; nil without values.
    public let otherMedian: Double?
    /// How much worse the other's median is than the reference's, as a share of the reference's: (other −
    /// reference) / |reference| when smaller is better, (reference − other) / |reference| when larger is.
    public let relativeDifference: Double?
    /// The U test (reference first); nil when a side has no values.
    public let test: MannWhitneyU?
    /// Whether the other side is worse, and if not, why.
    public let outcome: PairTest.Outcome

    /// Compares `other` with `reference` (finite values); `smallerIsBetter` says the figure's direction.
    public init(reference: [Double], other: [Double], smallerIsBetter: Bool, criteria: VerdictCriteria = .standard) {
        let referenceMedian = SampleSummary(reference)?.median
        let otherMedian = SampleSummary(other)?.median
        self.referenceMedian = referenceMedian
        self.otherMedian = otherMedian
        let test = MannWhitneyU.test(reference, other)
        self.test = test
        var relativeDifference: Double?
        if let referenceMedian, let otherMedian {
            let worseBy = smallerIsBetter ? otherMedian - referenceMedian : referenceMedian - otherMedian
            relativeDifference = referenceMedian != 0
                ? worseBy / referenceMedian.magnitude
                : (worseBy > 0 ? .infinity : 0)
        }
        self.relativeDifference = relativeDifference
        guard let test, let relativeDifference else {
            outcome = .noData
            return
        }
        if MannWhitneyU.smallestPValue(test.firstCount, test.secondCount) >= criteria.alpha {
            outcome = .tooFewRuns
        } else if test.pValue >= criteria.alpha {
            outcome = .notSignificant
        } else if relativeDifference <= criteria.practicalThreshold {
            outcome = .belowThreshold
        } else {
            outcome = .worse
        }
    }
}
