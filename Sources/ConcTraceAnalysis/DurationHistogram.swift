import Histogram

/// A distribution of durations in nanoseconds, in memory that does not grow with the number of samples.
///
/// Percentiles come from an HDR histogram (hdrhistogram-swift) with nanosecond resolution: with three significant
/// digits a percentile is within 0.1% of the exact one (values below 2,048 ns are exact), and never above the
/// largest sample. The count, the mean and the maximum are exact.
struct DurationHistogram {
    private var histogram: Histogram<UInt64>
    /// Samples recorded.
    private(set) var count = 0
    /// The sum of the samples, in ns (a Double: exact up to 2⁵³ ns, 104 days, and never overflows).
    private(set) var total = 0.0
    /// The largest sample, in ns (0 when empty).
    private(set) var maximum: Int64 = 0

    /// The largest duration a sample may have (2⁶² ns, 146 years): the histogram tracks up to `UInt64.max / 2`.
    static let limit: Int64 = 1 << 62

    /// - Parameter significantDigits: 3 for the run's distributions (0.1%); 2 (1%) where there is one histogram per
    ///   thread, which keeps a trace with thousands of threads small.
    init(significantDigits: SignificantDigits = .three) {
        histogram = Histogram(numberOfSignificantValueDigits: significantDigits)
    }

    /// Records one duration; a negative one counts as 0 and one beyond `limit` as `limit`.
    mutating func record(_ nanoseconds: Int64) {
        let value = min(max(nanoseconds, 0), Self.limit)
        histogram.record(UInt64(value))
        count += 1
        total += Double(value)
        maximum = max(maximum, value)
    }

    /// The value at `percentile` (0...100) in ns, within the histogram's precision; nil when there is no sample.
    func percentile(_ percentile: Double) -> Int64? {
        guard count > 0 else { return nil }
        if percentile >= 100 { return maximum }
        return Int64(min(histogram.valueAtPercentile(percentile), UInt64(maximum)))
    }

    /// The value at each of `percentiles` (0...100) in ns, as `percentile(_:)`; empty when there is no sample.
    func distribution(at percentiles: [Double]) -> [(percentile: Double, nanoseconds: Int64)] {
        percentiles.compactMap { percentile in self.percentile(percentile).map { (percentile, $0) } }
    }

    /// The exact mean in ns; nil when there is no sample.
    var mean: Double? {
        count > 0 ? total / Double(count) : nil
    }
}
