/// Statistical outliers among repeated measurements, by hyperfine's rule.
///
/// Each value gets a modified z-score z = (x − median) / MAD, where MAD is the median of |x − median| (machine
/// epsilon when that is 0, so that one stray value among identical ones is still caught). A value is an outlier when
/// |z| > 1.4826 × 10 = 14.826: more than ten standard deviations from the median, with the MAD scaled by 1.4826 to
/// estimate the standard deviation of normal data (Iglewicz and Hoaglin's modified z-score with hyperfine's
/// threshold). When the first value measured is a slow outlier (z > 14.826) it is reported as such: caches or the
/// CPU clock were not yet warm (hyperfine's "slow initial run").
public struct OutlierScreen: Sendable, Equatable {
    /// The |modified z-score| above which a value is an outlier.
    public static let threshold = 1.4826 * 10

    /// Positions (in measurement order) of the outliers.
    public let indices: [Int]
    /// Whether the first value measured is an outlier on the slow side.
    public let slowFirstValue: Bool

    /// The outliers of `values`, in measurement order.
    public init(_ values: [Double]) {
        guard !values.isEmpty else {
            indices = []
            slowFirstValue = false
            return
        }
        let median = SampleSummary.median(ofSorted: values.sorted())
        let deviations = values.map { ($0 - median).magnitude }.sorted()
        let mad = Swift.max(SampleSummary.median(ofSorted: deviations), Double.ulpOfOne)
        let scores = values.map { ($0 - median) / mad }
        indices = scores.indices.filter { scores[$0].magnitude > Self.threshold }
        slowFirstValue = (scores.first ?? 0) > Self.threshold
    }

    /// The number of outliers.
    public var count: Int { indices.count }
}
