/// A distribution-free confidence interval of a sample's median, from two of its order statistics.
///
/// For n independent values of a continuous distribution with median m, the number B of values below m is
/// Binomial(n, ½), so the interval [x₍ₗ₎, x₍ₙ₋ₗ₊₁₎] between the l-th smallest and the l-th largest value holds m with
/// probability P(l ≤ B ≤ n − l) = 1 − 2·P(B ≤ l − 1), whatever the distribution. The interval used is the narrowest
/// such pair whose coverage is at least 95 % (the largest such l).
///
/// Why not a bootstrap: run times are few (5 to 30) and skewed; the bootstrap distribution of a median of so few
/// values is lumpy and its intervals cover less than they claim, and a seeded resampling adds a knob to every figure.
/// The order-statistic interval is exact, needs no seed, and states its true coverage.
///
/// Below 6 values no pair reaches 95 % (n = 5: [min, max] covers 1 − 2/2⁵ = 93.75 %). Then the interval is
/// [min, max] with its true, lower coverage in `confidence` (`reachesTarget` is false); one value has no interval.
public struct MedianInterval: Sendable, Equatable {
    /// The coverage every interval aims for.
    public static let targetConfidence = 0.95

    /// The lower bound: the `lowerRank`-th smallest value.
    public let lower: Double
    /// The upper bound: the `upperRank`-th smallest value.
    public let upper: Double
    /// 1-based rank of the lower bound among the sorted values.
    public let lowerRank: Int
    /// 1-based rank of the upper bound (n − lowerRank + 1).
    public let upperRank: Int
    /// The interval's exact coverage of the median: 1 − 2·P(B ≤ lowerRank − 1), B ~ Binomial(n, ½).
    public let confidence: Double

    /// Whether the interval covers the median with at least `targetConfidence` (false below 6 values).
    public var reachesTarget: Bool { confidence >= Self.targetConfidence }

    /// The interval of `sorted` (ascending, finite); nil for fewer than 2 values.
    public init?(sorted: [Double]) {
        guard sorted.count >= 2 else { return nil }
        let ranks = Self.ranks(count: sorted.count)
        lowerRank = ranks.lower
        upperRank = ranks.upper
        confidence = ranks.confidence
        lower = sorted[ranks.lower - 1]
        upper = sorted[ranks.upper - 1]
    }

    /// The ranks of the narrowest symmetric interval of `count` values that covers the median with at least
    /// `target`, and its exact coverage; ranks 1 and `count` (min and max) when none reaches it.
    public static func ranks(count: Int, target: Double = targetConfidence)
        -> (lower: Int, upper: Int, confidence: Double) {
        precondition(count >= 1, "an interval needs a value")
        let cumulative = binomialHalfCumulative(count)
        var lower = 1
        // Widen the tail cut while the coverage stays at or above the target.
        while lower < (count + 1) / 2, 1 - 2 * cumulative[lower] >= target {
            lower += 1
        }
        return (lower, count - lower + 1, max(0, 1 - 2 * cumulative[lower - 1]))
    }

    /// P(B ≤ k) for k in 0...n, B ~ Binomial(n, ½).
    ///
    /// The probabilities are computed relative to the central one (C(n, k)/C(n, ⌊n/2⌋), going outwards by the ratio
    /// of neighbouring binomial coefficients) and then normalised, so that no 2⁻ⁿ underflows for large n.
    static func binomialHalfCumulative(_ n: Int) -> [Double] {
        var weights = [Double](repeating: 0, count: n + 1)
        let middle = n / 2
        weights[middle] = 1
        var k = middle
        while k > 0 {
            // C(n, k−1) = C(n, k) · k / (n − k + 1)
            weights[k - 1] = weights[k] * Double(k) / Double(n - k + 1)
            k -= 1
        }
        for k in stride(from: middle + 1, through: n, by: 1) {
            weights[k] = weights[n - k]
        }
        let total = weights.reduce(0, +)
        var running = 0.0
        return weights.map { weight in
            running += weight
            return min(1, running / total)
        }
    }
}
