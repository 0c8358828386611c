import ConcTraceAnalysis
import Testing

/// `SampleSummary`, `MedianInterval` and `OutlierScreen` on known samples. Every expected value is computed by hand
/// in the comment beside it; the interval coverages were also checked with scipy
/// (`1 - 2 * scipy.stats.binom.cdf(l - 1, n, 0.5)`, scipy 1.17.1).
@Suite("Sample summaries: median, its 95 % interval, spread and outliers")
struct SampleSummaryTests {
    static func close(_ value: Double?, _ expected: Double, within tolerance: Double = 1e-12) -> Bool {
        guard let value else { return false }
        return (value - expected).magnitude <= tolerance
    }

    @Test("median, min, max, mean and sample standard deviation of 2 4 4 4 5 5 7 9")
    func basicFigures() throws {
        let summary = try #require(SampleSummary([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(summary.count == 8)
        // Even count: the mean of the 4th and 5th values, (4 + 5) / 2.
        #expect(summary.median == 4.5)
        #expect(summary.minimum == 2 && summary.maximum == 9)
        // 40 / 8.
        #expect(summary.mean == 5)
        // Σ(x − 5)² = 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; √(32 / 7).
        #expect(Self.close(summary.standardDeviation, (32.0 / 7).squareRoot()))
    }

    @Test("one value: no interval, no standard deviation")
    func singleValue() throws {
        let summary = try #require(SampleSummary([0.25]))
        #expect(summary.median == 0.25)
        #expect(summary.interval == nil)
        #expect(summary.standardDeviation == nil)
        #expect(summary.relativeHalfWidth == nil)
        #expect(!summary.isPrecise(within: 0.05))
        #expect(SampleSummary([]) == nil)
    }

    @Test("the interval's ranks and exact coverage for n = 6, 8, 9, 10, 20, 30, 50")
    func intervalRanks() {
        // Coverage of [x(l), x(n−l+1)] is 1 − 2·P(B ≤ l − 1), B ~ Binomial(n, ½); l is the largest with ≥ 95 %.
        // n = 6: l = 1 gives 1 − 2/64 = 0.96875; l = 2 gives 1 − 2·7/64 = 0.78125.
        #expect(MedianInterval.ranks(count: 6) == (1, 6, 0.96875))
        // n = 8: l = 1 gives 1 − 2/256; l = 2 gives 1 − 2·9/256 = 0.9296875 < 0.95.
        #expect(MedianInterval.ranks(count: 8) == (1, 8, 1 - 2.0 / 256))
        // n = 9: l = 2 gives 1 − 2·10/512 = 0.9609375; l = 3 gives 1 − 2·46/512 = 0.8203125.
        #expect(MedianInterval.ranks(count: 9) == (2, 8, 0.9609375))
        // n = 10: l = 2 gives 1 − 2·11/1024 = 0.978515625; l = 3 gives 1 − 2·56/1024 = 0.890625.
        #expect(MedianInterval.ranks(count: 10) == (2, 9, 0.978515625))
        // n = 20: P(B ≤ 5) = (1 + 20 + 190 + 1140 + 4845 + 15504)/2²⁰ = 21700/1048576, so l = 6 covers
        // 1 − 43400/1048576 = 0.9586105346679688; P(B ≤ 6) = 60460/1048576 is too much.
        let twenty = MedianInterval.ranks(count: 20)
        #expect(twenty.lower == 6 && twenty.upper == 15)
        #expect(Self.close(twenty.confidence, 0.9586105346679688))
        // n = 30 and n = 50: scipy gives l = 10 (0.9572260547429323) and l = 18 (0.9671608624357315).
        let thirty = MedianInterval.ranks(count: 30)
        #expect(thirty.lower == 10 && thirty.upper == 21)
        #expect(Self.close(thirty.confidence, 0.9572260547429323, within: 1e-12))
        let fifty = MedianInterval.ranks(count: 50)
        #expect(fifty.lower == 18 && fifty.upper == 33)
        #expect(Self.close(fifty.confidence, 0.9671608624357315, within: 1e-12))
        // Large n stays finite (no 2⁻ⁿ underflow): scipy gives l = 469 for n = 1000 (0.9537088026395019).
        let thousand = MedianInterval.ranks(count: 1000)
        #expect(thousand.lower == 469 && thousand.upper == 532)
        #expect(Self.close(thousand.confidence, 0.9537088026395019, within: 1e-9))
    }

    @Test("below 6 values the interval is min-max with its true coverage, under 95 %")
    func smallSamples() throws {
        // n = 5: 1 − 2/32 = 0.9375; n = 3: 1 − 2/8 = 0.75; n = 2: 1 − 2/4 = 0.5.
        #expect(MedianInterval.ranks(count: 5) == (1, 5, 0.9375))
        #expect(MedianInterval.ranks(count: 3) == (1, 3, 0.75))
        #expect(MedianInterval.ranks(count: 2) == (1, 2, 0.5))
        let five = try #require(SampleSummary([5, 1, 4, 2, 3]).flatMap(\.interval))
        #expect(five.lower == 1 && five.upper == 5)
        #expect(!five.reachesTarget)
    }

    @Test("the interval of 1...10 shuffled is [2, 9], and of 1...20 is [6, 15]")
    func intervalBounds() throws {
        let ten = try #require(SampleSummary([7, 3, 10, 1, 5, 9, 2, 8, 6, 4]))
        #expect(ten.median == 5.5)
        #expect(ten.interval?.lower == 2 && ten.interval?.upper == 9)
        #expect(ten.interval?.reachesTarget == true)
        // Σ(x − 5.5)² over 1...10 is 82.5; √(82.5 / 9).
        #expect(Self.close(ten.standardDeviation, (82.5 / 9).squareRoot()))
        let twenty = try #require(SampleSummary((1...20).reversed().map(Double.init)))
        #expect(twenty.interval?.lower == 6 && twenty.interval?.upper == 15)
    }

    @Test("precision: within ±5 % needs an interval at 95 % (6 values) inside that share of the median")
    func precision() throws {
        // Sorted 99, 99.5, 100, 100.2, 100.5, 101: median 100.1, interval [99, 101] (n = 6);
        // half-width max(1.1, 0.9) / 100.1.
        let six = try #require(SampleSummary([100, 101, 99, 100.5, 99.5, 100.2]))
        #expect(Self.close(six.relativeHalfWidth, 1.1 / 100.1))
        #expect(six.isPrecise(within: 0.05))
        #expect(!six.isPrecise(within: 0.01))
        // The same spread in five values: [min, max] covers only 93.75 %, so not precise at 95 %.
        let five = try #require(SampleSummary([100, 101, 99, 100.5, 99.5]))
        #expect(!five.isPrecise(within: 0.05))
    }

    @Test("outliers by hyperfine's rule: |x − median| / MAD above 14.826")
    func outliers() {
        // Median 0.30; |deviations| 0.2, 0, 0.01, 0.01, 0 → MAD 0.01; 0.5 scores 20, the others at most 1.
        let slowFirst = OutlierScreen([0.5, 0.30, 0.29, 0.31, 0.30])
        #expect(slowFirst.indices == [0])
        #expect(slowFirst.slowFirstValue)
        // Scores −1, 0, 1 (MAD 0.2): none.
        #expect(OutlierScreen([-0.2, 0.0, 0.2]).count == 0)
        // MAD 0 (seven equal values): machine epsilon instead, so the one different value is caught, and it is
        // not the first.
        let stray = OutlierScreen([10, 10, 10, 10, 10, 10, 10, 100])
        #expect(stray.indices == [7])
        #expect(!stray.slowFirstValue)
        // Identical values: no outlier (0 / ε).
        #expect(OutlierScreen([3, 3, 3, 3]).count == 0)
        // A fast first value is an outlier but not a slow first run.
        let fastFirst = OutlierScreen([0.1, 0.30, 0.29, 0.31, 0.30])
        #expect(fastFirst.indices == [0] && !fastFirst.slowFirstValue)
    }
}
