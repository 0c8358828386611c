#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much larger one sample's values tend to be than another's, in their own unit: the Hodges-Lehmann estimate
/// of the shift, with the confidence interval that goes with the Mann-Whitney U test.
///
/// - The **estimate** is the median of the m·n differences y − x (y from `other`, x from `reference`). It uses every
///   run of both sides, so it scatters less than the difference of the two medians, and one slow run moves it no more
///   than any other slower run.
/// - The **interval** is [D₍ₖ₎, D₍ₘₙ₋ₖ₊₁₎] among the sorted differences: the shifts the U test would not reject. Its
///   coverage is 1 − 2·P(U ≤ k − 1), from U's exact distribution when both samples have at most
///   `MannWhitneyU.exactLimit` values, else from the normal approximation. The interval used is the narrowest one
///   whose coverage is at least 95 % (the largest such k); with so few runs that none reaches it, [min, max] of the
///   differences with its true, lower coverage.
///
/// These are the estimate and interval of R's `wilcox.test(other, reference, conf.int = TRUE)` (exact without
/// ties). With tied values the coverage is approximate, as in R.
public struct ShiftEstimate: Sendable, Equatable {
    /// The estimated shift (`other` − `reference`).
    public let estimate: Double
    /// The interval's lower bound.
    public let lower: Double
    /// The interval's upper bound.
    public let upper: Double
    /// The interval's coverage (exact, or from the normal approximation for large samples).
    public let confidence: Double

    /// Whether the interval reaches 95 % coverage.
    public var reachesTarget: Bool { confidence >= MedianInterval.targetConfidence - 1e-9 }

    /// The shift of `other` against `reference` (finite values); nil when either is empty.
    public init?(reference: [Double], other: [Double], target: Double = MedianInterval.targetConfidence) {
        guard !reference.isEmpty, !other.isEmpty else { return nil }
        precondition((reference + other).allSatisfy(\.isFinite), "a shift takes finite values")
        var differences: [Double] = []
        differences.reserveCapacity(reference.count * other.count)
        for y in other {
            for x in reference { differences.append(y - x) }
        }
        differences.sort()
        let count = differences.count
        estimate = count % 2 == 1
            ? differences[count / 2]
            : (differences[count / 2 - 1] + differences[count / 2]) / 2
        let (rank, coverage) = Self.lowerRank(reference.count, other.count, target: target)
        lower = differences[rank - 1]
        upper = differences[count - rank]
        confidence = coverage
    }

    /// The 1-based rank k of the interval's lower bound among the m·n sorted differences, and its coverage.
    static func lowerRank(_ m: Int, _ n: Int, target: Double) -> (rank: Int, coverage: Double) {
        let pairs = m * n
        if m <= MannWhitneyU.exactLimit, n <= MannWhitneyU.exactLimit {
            let distribution = MannWhitneyU.exactDistribution(m, n)
            var below = 0.0  // P(U ≤ k − 1), for the k being tried
            var rank = 1
            var coverage = 1 - 2 * distribution[0]
            // Widen the cut while the next k still covers at least the target.
            while rank < (pairs + 1) / 2 {
                below += distribution[rank - 1]
                let next = 1 - 2 * (below + distribution[rank])
                guard next >= target - 1e-12 else { break }
                rank += 1
                coverage = next
            }
            return (rank, max(0, coverage))
        }
        // Normal approximation (with a continuity correction): P(U ≤ u) ≈ Φ((u + ½ − mn/2) / σ).
        let mean = Double(pairs) / 2
        let sigma = (Double(pairs) * Double(m + n + 1) / 12).squareRoot()
        func lowerTail(_ u: Double) -> Double { 0.5 * erfc(-((u + 0.5 - mean) / sigma) / 2.0.squareRoot()) }
        var rank = 1
        while rank < (pairs + 1) / 2, 1 - 2 * lowerTail(Double(rank)) >= target {
            rank += 1
        }
        return (rank, 1 - 2 * lowerTail(Double(rank - 1)))
    }
}
