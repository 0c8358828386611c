/// Repeated measurements of one figure (a strategy's wall time over its runs, its peak memory, its p99 latency),
/// summarised with their spread: n, median, a 95 % confidence interval of the median, min, max, mean, standard
/// deviation and outliers.
///
/// The median is the headline figure (run times are skewed: a run can be much slower, never much faster than
/// usual); its interval is `MedianInterval` (order statistics, exact, no resampling); the mean and the sample
/// standard deviation are given as hyperfine gives them; outliers follow hyperfine's rule (`OutlierScreen`).
public struct SampleSummary: Sendable, Equatable {
    /// The values in the order they were measured.
    public let values: [Double]
    /// The median: the middle value, or the mean of the two middle values for an even count.
    public let median: Double
    /// The smallest value.
    public let minimum: Double
    /// The largest value.
    public let maximum: Double
    /// The arithmetic mean.
    public let mean: Double
    /// The sample standard deviation (divided by n − 1); nil for one value.
    public let standardDeviation: Double?
    /// The confidence interval of the median; nil for one value. Below 6 values it is [min, max] with a coverage
    /// under 95 % (`MedianInterval.reachesTarget`).
    public let interval: MedianInterval?
    /// The outliers, by hyperfine's rule.
    public let outliers: OutlierScreen

    /// Summarises `values` (in measurement order); nil when there are none.
    /// - Precondition: every value is finite.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        precondition(values.allSatisfy(\.isFinite), "a sample summary takes finite values")
        let sorted = values.sorted()
        self.values = values
        median = Self.median(ofSorted: sorted)
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        let count = Double(values.count)
        mean = values.reduce(0, +) / count
        if values.count > 1 {
            let mean = self.mean
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardDeviation = (squares / (count - 1)).squareRoot()
        } else {
            standardDeviation = nil
        }
        interval = MedianInterval(sorted: sorted)
        outliers = OutlierScreen(values)
    }

    /// The number of values.
    public var count: Int { values.count }

    /// The larger distance from the median to an end of its interval, as a share of the median: 0.05 means the
    /// interval lies within ±5 % of the median. Nil without an interval, or when the median is not above 0.
    public var relativeHalfWidth: Double? {
        guard let interval, median > 0 else { return nil }
        return Swift.max(median - interval.lower, interval.upper - median) / median
    }

    /// Whether the median is known within ±`tolerance` at 95 % confidence: an interval that reaches 95 % (6 values
    /// or more) and lies within that share of the median.
    public func isPrecise(within tolerance: Double) -> Bool {
        guard let interval, interval.reachesTarget, let width = relativeHalfWidth else { return false }
        return width <= tolerance
    }

    /// The median of an ascending, non-empty array.
    static func median(ofSorted sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
