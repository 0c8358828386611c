import Testing

@testable import ConcTraceAnalysis

@Suite("ShiftEstimate (Hodges-Lehmann)")
struct ShiftEstimateTests {
    @Test("5 against 5: the median of the 25 differences, and the third from each end at 96.8 % (R's wilcox.test)")
    func knownAnswer() throws {
        // R: wilcox.test(11:15, 1:5, conf.int = TRUE) gives the difference in location 10 and the interval [7, 13].
        let shift = try #require(ShiftEstimate(reference: [1, 2, 3, 4, 5], other: [11, 12, 13, 14, 15]))
        #expect(shift.estimate == 10)
        #expect(shift.lower == 7 && shift.upper == 13)
        // 1 − 2·P(U ≤ 2) with P(U ≤ 2) = 4/252; the next cut (7/252) would cover only 94.4 %.
        #expect(abs(shift.confidence - (1 - 8.0 / 252)) < 1e-12)
        #expect(shift.reachesTarget)
    }

    @Test("shifting the other sample by c shifts the estimate and both bounds by c; swapping the sides negates them")
    func equivariance() throws {
        let reference: [Double] = [712, 698, 745, 731, 802, 690, 705, 760, 721, 699]
        let other: [Double] = [790, 801, 776, 845, 770, 812, 799, 781, 834, 795]
        let base = try #require(ShiftEstimate(reference: reference, other: other))
        let moved = try #require(ShiftEstimate(reference: reference, other: other.map { $0 + 50 }))
        #expect(moved.estimate == base.estimate + 50)
        #expect(moved.lower == base.lower + 50 && moved.upper == base.upper + 50)
        let swapped = try #require(ShiftEstimate(reference: other, other: reference))
        #expect(swapped.estimate == -base.estimate && swapped.lower == -base.upper && swapped.upper == -base.lower)
        #expect(base.lower <= base.estimate && base.estimate <= base.upper)
    }

    @Test("one slow run moves the estimate no more than any slower run would")
    func robust() throws {
        let reference: [Double] = [100, 101, 102, 103, 104, 105]
        let other: [Double] = [110, 111, 112, 113, 114, 115]
        let slow = try #require(ShiftEstimate(reference: reference, other: other.dropLast() + [10_000]))
        let slower = try #require(ShiftEstimate(reference: reference, other: other.dropLast() + [116]))
        #expect(slow.estimate == slower.estimate)
    }

    @Test("past 50 runs a side, the normal approximation picks the exact cut within one rank")
    func normalApproximation() {
        for (m, n) in [(20, 20), (31, 31), (50, 50), (40, 50)] {
            let exact = ShiftEstimate.lowerRank(m, n, target: 0.95)
            // The same sizes through the approximation's formula (the exact path is taken up to 50 a side).
            let mean = Double(m * n) / 2
            let sigma = (Double(m * n) * Double(m + n + 1) / 12).squareRoot()
            let approximate = Int((mean - 0.5 - 1.959964 * sigma).rounded(.down)) + 1
            #expect(abs(exact.rank - approximate) <= 1, "\(m)x\(n): exact \(exact.rank), normal \(approximate)")
            #expect(exact.coverage >= 0.95 && exact.coverage < 0.96)
        }
        let large = ShiftEstimate.lowerRank(60, 60, target: 0.95)
        #expect(large.coverage >= 0.95 && large.coverage < 0.955)
    }

    @Test("too few runs for 95 %: the differences' min-max with its true coverage; empty sides give nothing")
    func fewRuns() throws {
        let two = try #require(ShiftEstimate(reference: [1, 2], other: [4, 8]))
        #expect(two.lower == 2 && two.upper == 7 && two.estimate == 4.5)
        #expect(abs(two.confidence - (1 - 2.0 / 6)) < 1e-12 && !two.reachesTarget)
        #expect(ShiftEstimate(reference: [], other: [1]) == nil)
    }
}
