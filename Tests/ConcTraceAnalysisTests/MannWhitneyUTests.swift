import ConcTraceAnalysis
import Testing

/// The Mann-Whitney U test against hand-computed cases and scipy.
///
/// The scipy values were obtained on this machine with scipy 1.17.1:
/// `python3 -c "from scipy.stats import mannwhitneyu; r = mannwhitneyu(x, y, alternative='two-sided',
/// method=M); print(r.statistic, r.pvalue)"` with M = 'exact' for the cases without ties and 'asymptotic' (tie
/// and continuity corrections, scipy's default `use_continuity=True`) for the others. scipy's statistic is U of
/// the first sample, as here.
@Suite("Mann-Whitney U: exact and normal p-values")
struct MannWhitneyUTests {
    static func close(_ value: Double?, _ expected: Double, relative: Double = 1e-9) -> Bool {
        guard let value else { return false }
        return (value - expected).magnitude <= relative * Swift.max(expected.magnitude, 1e-300)
    }

    @Test("complete separation of 3 and 3: U = 0, p = 2/20 (hand) = 0.1 (scipy exact)")
    func separatedThree() throws {
        let test = try #require(MannWhitneyU.test([1, 2, 3], [4, 5, 6]))
        #expect(test.u == 0)
        #expect(test.method == .exact)
        // Only 1 of the C(6, 3) = 20 orderings puts all three x below all y; two-sided doubles it.
        #expect(Self.close(test.pValue, 0.1))
    }

    @Test("interleaved 1 3 5 against 2 4 6: U = 3, p = 2·7/20 = 0.7 (hand and scipy exact)")
    func interleaved() throws {
        let test = try #require(MannWhitneyU.test([1, 3, 5], [2, 4, 6]))
        // Ranks of x: 1 + 3 + 5 = 9; U₁ = 9 − 3·4/2 = 3, U₂ = 9 − 3 = 6.
        #expect(test.u == 3)
        // P(U ≥ 6) for 3 and 3: the counts of U = 0...9 are 1 1 2 3 3 3 3 2 1 1 (the Gaussian binomial [6 3]),
        // so (3 + 2 + 1 + 1)/20 = 7/20; doubled, 0.7.
        #expect(Self.close(test.pValue, 0.7))
    }

    @Test("the exact distribution of U for 3 and 3 is 1 1 2 3 3 3 3 2 1 1 over 20")
    func exactDistributionCounts() throws {
        // The distribution is internal; its tail shows through p-values of each possible U. For U₁ = k the
        // two-sided p is 2·P(U ≥ max(k, 9 − k)).
        let expectedCounts: [Double] = [1, 1, 2, 3, 3, 3, 3, 2, 1, 1]
        // x = [1, 2, 3] shifted one place at a time into y produces U₁ = 0, 1, 2, ...
        let orderings: [([Double], [Double])] = [
            ([1, 2, 3], [4, 5, 6]), ([1, 2, 4], [3, 5, 6]), ([1, 2, 5], [3, 4, 6]), ([1, 2, 6], [3, 4, 5]),
        ]
        for (k, pair) in orderings.enumerated() {
            let test = try #require(MannWhitneyU.test(pair.0, pair.1))
            #expect(test.u == Double(k))
            let tail = expectedCounts[(9 - k)...].reduce(0, +) / 20
            #expect(Self.close(test.pValue, Swift.min(1, 2 * tail)), "U = \(k)")
        }
    }

    @Test("5 against 5 fully apart: p = 2/252 (hand) = 0.007936507936507936 (scipy exact)")
    func separatedFive() throws {
        let test = try #require(MannWhitneyU.test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]))
        #expect(Self.close(test.pValue, 2.0 / 252))
        #expect(Self.close(test.pValue, 0.007936507936507936))
    }

    @Test("wall times of two strategies within noise: scipy exact U = 15, p = 0.6991341991341992")
    func overlappingWallTimes() throws {
        let threads = [0.0716, 0.0698, 0.0731, 0.0722, 0.0709, 0.0719]
        let async = [0.0720, 0.0702, 0.0744, 0.0718, 0.0711, 0.0730]
        let test = try #require(MannWhitneyU.test(threads, async))
        #expect(test.u == 15)
        #expect(test.method == .exact)
        #expect(Self.close(test.pValue, 0.6991341991341992))
    }

    @Test("a clear difference, 6 and 6 apart: scipy exact p = 0.0021645021645021645 (2/924 by hand)")
    func clearDifference() throws {
        let test = try #require(MannWhitneyU.test([0.0412, 0.0401, 0.0420, 0.0415, 0.0408, 0.0411],
                                                  [0.0716, 0.0698, 0.0731, 0.0722, 0.0709, 0.0719]))
        #expect(test.u == 0)
        #expect(Self.close(test.pValue, 0.0021645021645021645))
        #expect(Self.close(test.pValue, 2.0 / 924))
    }

    @Test("unequal sizes, 7 and 5: scipy exact U = 3, p = 0.01767676767676768")
    func unequalSizes() throws {
        let test = try #require(MannWhitneyU.test([3.1, 2.7, 4.4, 1.9, 5.2, 3.3, 2.2], [4.8, 6.1, 5.5, 3.9, 7.0]))
        // Pairs with x > y: 4.4 > 3.9; 5.2 > 4.8 and 3.9: U = 3.
        #expect(test.u == 3)
        #expect(Self.close(test.pValue, 0.01767676767676768))
    }

    @Test("50 and 50 without ties stay exact: scipy exact U = 1035, p = 0.1397058082543511")
    func largestExact() throws {
        let x = stride(from: 0.0, to: 100, by: 2).map { $0 }
        let y = x.map { $0 + 9 }
        let test = try #require(MannWhitneyU.test(x, y))
        #expect(test.method == .exact)
        #expect(test.u == 1035)
        #expect(Self.close(test.pValue, 0.1397058082543511, relative: 1e-8))
    }

    @Test("ties use the normal approximation with tie correction: hand z = 1.4884, scipy p = 0.1366582477381475")
    func tiesNormal() throws {
        let test = try #require(MannWhitneyU.test([1, 2, 2, 3], [2, 3, 4, 5]))
        // Pooled 1 2 2 2 3 3 4 5: ranks 1, 3 3 3, 5.5 5.5, 7, 8; R₁ = 1 + 3 + 3 + 5.5 = 12.5, U₁ = 12.5 − 10 = 2.5.
        #expect(test.u == 2.5)
        #expect(test.hasTies)
        #expect(test.method == .normalApproximation)
        // σ² = 16/12·(9 − (24 + 6)/56) = 11.2857; z = (13.5 − 8 − 0.5)/3.3594 = 1.4884; p = erfc(z/√2).
        #expect(Self.close(test.pValue, 0.1366582477381475, relative: 1e-9))
    }

    @Test("two constant samples: all ties within each, scipy asymptotic p = 0.003976751709788651")
    func constantSamples() throws {
        let test = try #require(MannWhitneyU.test([1, 1, 1, 1, 1], [2, 2, 2, 2, 2]))
        #expect(test.u == 0)
        #expect(Self.close(test.pValue, 0.003976751709788651, relative: 1e-9))
    }

    @Test("identical samples: every value equal, σ = 0, p = 1")
    func identicalSamples() throws {
        let test = try #require(MannWhitneyU.test([4, 4, 4, 4, 4, 4], [4, 4, 4, 4, 4, 4]))
        #expect(test.pValue == 1)
        #expect(test.u == 18)
        #expect(MannWhitneyU.test([], [1]) == nil)
    }

    @Test("beyond 50 values: normal approximation; scipy asymptotic p = 8.747567722893498e-08 for 60 and 60")
    func largeSamples() throws {
        let x = (1...60).map(Double.init)
        let y = x.map { $0 + 20.5 }
        let test = try #require(MannWhitneyU.test(x, y))
        #expect(test.method == .normalApproximation)
        #expect(test.u == 780)
        #expect(Self.close(test.pValue, 8.747567722893498e-08, relative: 1e-7))
    }

    @Test("the smallest p-value a sample size allows: 2/C(m + n, m)")
    func smallestPValue() {
        #expect(Self.close(MannWhitneyU.smallestPValue(5, 5), 2.0 / 252))
        #expect(Self.close(MannWhitneyU.smallestPValue(4, 4), 2.0 / 70))
        #expect(Self.close(MannWhitneyU.smallestPValue(3, 3), 0.1))
        #expect(Self.close(MannWhitneyU.smallestPValue(4, 6), 2.0 / 210))
        #expect(MannWhitneyU.smallestPValue(1, 1) == 1)
        #expect(MannWhitneyU.smallestPValue(0, 3) == 1)
    }
}
