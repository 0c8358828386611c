#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConcTraceSystem

/// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: do two samples come from one distribution, or does one
/// tend to give larger values than the other?
///
/// It compares ranks, not values, so it assumes no shape (run times are skewed and have slow outliers; a t-test
/// would assume normal data), and one very slow run moves it no more than any other slower run.
///
/// - U of the first sample is R₁ − n₁(n₁ + 1)/2, where R₁ is the sum of its ranks in the pooled sample (tied values
///   get the mean of their ranks): the number of pairs (x, y) with x > y, ties counting ½.
/// - **Exact** p-value when no value is tied and both samples have at most `exactLimit` values: p = 2·P(U ≥ max(U₁,
///   U₂)) under the null hypothesis (every ordering of the pooled values equally likely), capped at 1.
/// - Otherwise the **normal approximation** with the tie correction and a continuity correction of ½:
///   z = (max(U₁, U₂) − n₁n₂/2 − ½) / σ, σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))) over groups of t tied
///   values, and p = 2·(1 − Φ(z)) = erfc(z/√2), capped at 1. When every value is equal, σ is 0 and p is 1.
///
/// These are the definitions of scipy's `mannwhitneyu(x, y, alternative="two-sided", method="exact")` and
/// `method="asymptotic"` (with its default `use_continuity=True`); the tests check both against scipy.
public struct MannWhitneyU: Sendable, Equatable {
    /// How the p-value was computed.
    public enum Method: String, Sendable {
        /// From the exact distribution of U (no ties, small samples).
        case exact
        /// From the normal approximation with tie and continuity corrections.
        case normalApproximation = "normal"
    }

    /// The largest sample size for which the exact distribution is computed (it costs about (n₁n₂)²/4 steps).
    public static let exactLimit = 50

    /// U of the first sample.
    public let u: Double
    /// The two-sided p-value.
    public let pValue: Double
    public let method: Method
    /// The size of the first sample.
    public let firstCount: Int
    /// The size of the second sample.
    public let secondCount: Int
    /// Whether any value occurs more than once in the pooled sample.
    public let hasTies: Bool

    /// Tests `first` against `second`; nil when either is empty.
    /// - Precondition: every value is finite.
    public static func test(_ first: [Double], _ second: [Double]) -> MannWhitneyU? {
        guard !first.isEmpty, !second.isEmpty else { return nil }
        precondition((first + second).allSatisfy(\.isFinite), "the U test takes finite values")
        let ranking = Ranking(first: first, second: second)
        let n1 = Double(first.count), n2 = Double(second.count)
        let u1 = ranking.firstRankSum - n1 * (n1 + 1) / 2
        let larger = Swift.max(u1, n1 * n2 - u1)
        let useExact = !ranking.hasTies && first.count <= exactLimit && second.count <= exactLimit
        let p: Double
        if useExact {
            let distribution = exactDistribution(first.count, second.count)
            // U is a whole number without ties; sum the upper tail from it.
            let from = Int(larger.rounded())
            p = Swift.min(1, 2 * distribution[from...].reduce(0, +))
        } else {
            let n = n1 + n2
            let variance = n1 * n2 / 12 * ((n + 1) - ranking.tieTerm / (n * (n - 1)))
            if variance <= 0 {
                p = 1
            } else {
                let z = (larger - n1 * n2 / 2 - 0.5) / variance.squareRoot()
                p = Swift.min(1, erfc(z / 2.0.squareRoot()))
            }
        }
        return MannWhitneyU(u: u1, pValue: p, method: useExact ? .exact : .normalApproximation,
                            firstCount: first.count, secondCount: second.count, hasTies: ranking.hasTies)
    }

    /// The smallest two-sided p-value any rank test can give samples of these sizes: 2/C(n₁ + n₂, n₁) (complete
    /// separation), capped at 1. When it is not below the significance level, no difference can be shown with so
    /// few runs (5 and 5 give 0.0079, 4 and 4 give 0.029).
    public static func smallestPValue(_ firstCount: Int, _ secondCount: Int) -> Double {
        guard firstCount > 0, secondCount > 0 else { return 1 }
        // C(m + n, m) built up as a product of ratios, in floating point (it only has to be compared with α).
        var combinations = 1.0
        let small = Swift.min(firstCount, secondCount), total = firstCount + secondCount
        for k in 0..<small {
            combinations = combinations * Double(total - k) / Double(k + 1)
        }
        return Swift.min(1, 2 / combinations)
    }

    /// The distributions computed lately, by sizes: a repeated measurement tests the same sizes for every pair of
    /// strategies in a round, and the shift's interval (`ShiftEstimate`) asks for the test's own.
    private static let recentDistributions = Locked<[Int: [Double]]>([:])

    /// P(U = u) for u in 0...m·n under the null hypothesis, for samples of m and n values without ties.
    static func exactDistribution(_ m: Int, _ n: Int) -> [Double] {
        let key = m << 32 | n
        if let known = recentDistributions.withLock({ $0[key] }) { return known }
        let distribution = computeExactDistribution(m, n)
        recentDistributions.withLock { recent in
            if recent.count >= 64 { recent.removeAll(keepingCapacity: true) }
            recent[key] = distribution
        }
        return distribution
    }

    /// The largest of the m + n values belongs to the first sample with probability m/(m + n), and then beats all n
    /// values of the second (U gains n); otherwise it is the second's. So
    /// P(U = u; m, n) = m/(m + n)·P(U = u − n; m − 1, n) + n/(m + n)·P(U = u; m, n − 1): only additions of
    /// positive terms, with no large counts to overflow.
    private static func computeExactDistribution(_ m: Int, _ n: Int) -> [Double] {
        // row[j]: the distribution for (i, j) at the current i; i = 0 puts all mass on U = 0.
        var row = [[Double]](repeating: [1], count: n + 1)
        for i in stride(from: 1, through: m, by: 1) {
            var next: [[Double]] = [[1]]
            for j in stride(from: 1, through: n, by: 1) {
                var pmf = [Double](repeating: 0, count: i * j + 1)
                let fromFirst = Double(i) / Double(i + j)
                for (u, p) in row[j].enumerated() { pmf[u + j] += fromFirst * p }
                let fromSecond = Double(j) / Double(i + j)
                for (u, p) in next[j - 1].enumerated() { pmf[u] += fromSecond * p }
                next.append(pmf)
            }
            row = next
        }
        return row[n]
    }
}

/// The ranks of two samples pooled: the first sample's rank sum and the tie groups.
private struct Ranking {
    var firstRankSum = 0.0
    /// Σ(t³ − t) over groups of t equal values.
    var tieTerm = 0.0
    var hasTies = false

    init(first: [Double], second: [Double]) {
        let pooled = (first.map { ($0, true) } + second.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count, pooled[end + 1].0 == pooled[start].0 { end += 1 }
            // Ranks start + 1 ... end + 1 share their mean.
            let rank = Double(start + end + 2) / 2
            let group = Double(end - start + 1)
            if group > 1 {
                hasTies = true
                tieTerm += group * group * group - group
            }
            for index in start...end where pooled[index].1 { firstRankSum += rank }
            start = end + 1
        }
    }
}
