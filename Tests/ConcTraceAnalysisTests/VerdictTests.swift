import ConcTraceAnalysis
import Testing

/// The verdict on synthetic measurements: a clear winner, ties (not significant, below the threshold, too few
/// runs, identical), tie-breaks by memory and p99, and failed runs. p-values quoted in comments are scipy 1.17.1's
/// `mannwhitneyu(..., alternative='two-sided', method='exact')` of the same samples.
@Suite("Verdict: winners only with a significant and practical difference")
struct VerdictTests {

    @Test("clear winner: 6 and 6 fully apart (p = 2/924 = 0.0022) and 43% faster")
    func clearWinner() throws {
        let verdict = Verdict([
            StrategySamples(strategy: "threads", wallSeconds: SyntheticRuns.threadsWall),
            StrategySamples(strategy: "eventloop", wallSeconds: SyntheticRuns.eventloopWall),
            StrategySamples(strategy: "sequential", wallSeconds: SyntheticRuns.threadsWall.map { $0 * 8 }),
        ])
        #expect(verdict.winners == ["eventloop"])
        #expect(verdict.decision == .clearWinner(by: .wall))
        #expect(verdict.stages.count == 1)
        let threads = try #require(verdict.wallTests.first { $0.other == "threads" })
        #expect(threads.reference == "eventloop")
        #expect(threads.outcome == .worse)
        #expect((threads.test?.pValue ?? 1) < 0.0022)
        // Medians 0.0411 and 0.0716: (0.0716 − 0.0411)/0.0411.
        #expect(((threads.relativeDifference ?? 0) - (0.0716 - 0.0411) / 0.0411).magnitude < 1e-12)
    }

    @Test("tie: overlapping samples (p = 0.589) are not told apart, and nothing breaks the tie")
    func tie() {
        let verdict = Verdict([
            StrategySamples(strategy: "async", wallSeconds: SyntheticRuns.asyncWall, peakMemoryBytes: SyntheticRuns.lean,
                            latencyP99Milliseconds: [5, 6, 5, 6, 5, 6]),
            StrategySamples(strategy: "threads", wallSeconds: SyntheticRuns.threadsWall, peakMemoryBytes: SyntheticRuns.lean.reversed(),
                            latencyP99Milliseconds: [6, 5, 6, 5, 6, 5]),
        ])
        // Listed by median wall time: threads 0.0716, async 0.0720.
        #expect(verdict.winners == ["threads", "async"])
        #expect(verdict.decision == .tie)
        #expect(verdict.stages.map(\.metric) == [.wall, .peakMemory, .latencyP99])
        #expect(verdict.wallTests.first?.outcome == .notSignificant)
        // Identical memory samples: p = 1.
        #expect(verdict.stages[1].tests.first?.test?.pValue == 1)
        #expect(!verdict.lacksRuns)
    }

    @Test("significant but under 5 %: 6 and 6 fully apart (p = 0.0022) by 2 % is a tie")
    func belowThreshold() {
        let verdict = Verdict([
            StrategySamples(strategy: "a", wallSeconds: [1.000, 1.001, 1.002, 1.003, 1.004, 1.005]),
            StrategySamples(strategy: "b", wallSeconds: [1.020, 1.021, 1.022, 1.023, 1.024, 1.025]),
        ])
        #expect(verdict.winners == ["a", "b"])
        #expect(verdict.wallTests.first?.outcome == .belowThreshold)
    }

    @Test("noisy: a fast but scattered strategy against a steady one (p = 0.485) ties")
    func noisy() {
        let verdict = Verdict([
            StrategySamples(strategy: "eventloop", wallSeconds: [0.003, 0.012, 0.004, 0.023, 0.005, 0.009]),
            StrategySamples(strategy: "threads", wallSeconds: [0.004, 0.005, 0.0045, 0.006, 0.0042, 0.0048]),
        ])
        #expect(Set(verdict.winners) == ["eventloop", "threads"])
        #expect(verdict.wallTests.first?.outcome == .notSignificant)
    }

    @Test("a wall-time tie is broken by clearly less memory, tested the same way")
    func memoryBreaksTie() throws {
        let verdict = Verdict([
            StrategySamples(strategy: "processes", wallSeconds: SyntheticRuns.threadsWall, peakMemoryBytes: SyntheticRuns.heavy),
            StrategySamples(strategy: "threads", wallSeconds: SyntheticRuns.asyncWall, peakMemoryBytes: SyntheticRuns.lean),
        ])
        #expect(verdict.winners == ["threads"])
        #expect(verdict.decision == .clearWinner(by: .peakMemory))
        let memory = try #require(verdict.stages.last)
        #expect(memory.metric == .peakMemory && memory.reference == "threads")
        #expect(memory.tests.first?.outcome == .worse)
    }

    @Test("a tie in wall time and memory is broken by p99 latency")
    func latencyBreaksTie() {
        let verdict = Verdict([
            StrategySamples(strategy: "threads", wallSeconds: SyntheticRuns.threadsWall, peakMemoryBytes: SyntheticRuns.lean,
                            latencyP99Milliseconds: [9.1, 9.4, 9.0, 9.3, 9.2, 9.5]),
            StrategySamples(strategy: "eventloop", wallSeconds: SyntheticRuns.asyncWall, peakMemoryBytes: SyntheticRuns.lean,
                            latencyP99Milliseconds: [6.1, 6.4, 6.0, 6.3, 6.2, 6.5]),
        ])
        #expect(verdict.winners == ["eventloop"])
        #expect(verdict.decision == .clearWinner(by: .latencyP99))
    }

    @Test("three runs each cannot reach p < 0.01 (smallest p = 0.1): a tie for lack of runs, however far apart")
    func tooFewRuns() {
        let verdict = Verdict([
            StrategySamples(strategy: "eventloop", wallSeconds: [0.02, 0.021, 0.022]),
            StrategySamples(strategy: "sequential", wallSeconds: [0.8, 0.81, 0.82]),
        ])
        #expect(verdict.winners == ["eventloop", "sequential"])
        #expect(verdict.decision == .tie)
        #expect(verdict.wallTests.first?.outcome == .tooFewRuns)
        #expect(verdict.lacksRuns)
    }

    @Test("identical samples tie (p = 1)")
    func identical() {
        let same = [0.05, 0.051, 0.052, 0.053, 0.054, 0.055]
        let verdict = Verdict([StrategySamples(strategy: "a", wallSeconds: same),
                               StrategySamples(strategy: "b", wallSeconds: same)])
        #expect(verdict.winners == ["a", "b"])
        #expect(verdict.wallTests.first?.test?.pValue == 1)
        #expect(verdict.wallTests.first?.outcome == .notSignificant)
    }

    @Test("a strategy with a failed run is never named, however fast; the only one left wins untested")
    func failedRuns() {
        let verdict = Verdict([
            StrategySamples(strategy: "eventloop", wallSeconds: SyntheticRuns.eventloopWall,
                            failures: ["failed: 2 of 15 tasks failed: HTTP 500"]),
            StrategySamples(strategy: "threads", wallSeconds: SyntheticRuns.threadsWall),
            StrategySamples(strategy: "processes", wallSeconds: []),
        ])
        #expect(verdict.winners == ["threads"])
        #expect(verdict.decision == .onlyCandidate)
        #expect(verdict.stages.isEmpty)
        #expect(verdict.excluded.map(\.strategy) == ["eventloop", "processes"])
        #expect(verdict.excluded[0].reason == "1 of 7 runs did not finish: failed: 2 of 15 tasks failed: HTTP 500")
        #expect(verdict.excluded[1].reason == "no finished run")
    }

    @Test("nothing finished: no winner")
    func noCandidate() {
        let verdict = Verdict([StrategySamples(strategy: "threads", wallSeconds: [], failures: ["error: no threads"])])
        #expect(verdict.winners.isEmpty)
        #expect(verdict.decision == .noCandidate)
    }

    @Test("sweep runs group by strategy: ok runs give samples, failed and errored runs failures, skipped none")
    func grouping() {
        func run(_ strategy: String, _ status: SweepResults.Run.Status, wall: Double?) -> SweepResults.Run {
            var run = SweepResults.Run(strategy: strategy, tasks: 10, status: status, exitCode: status == .ok ? 0 : 3)
            run.wallSeconds = wall
            run.peakRSSBytes = status == .ok ? 1000 : nil
            run.latencyP99Milliseconds = status == .ok ? 2 : nil
            run.error = status == .ok ? nil : "boom"
            return run
        }
        let groups = StrategySamples.grouping([
            run("threads", .ok, wall: 0.1), run("async", .ok, wall: 0.2), run("threads", .failed, wall: 0.05),
            run("threads", .ok, wall: 0.11), run("eventloop", .skipped, wall: nil), run("async", .ok, wall: nil),
        ])
        #expect(groups.map(\.strategy) == ["threads", "async"])
        #expect(groups[0].wallSeconds == [0.1, 0.11])
        #expect(groups[0].peakMemoryBytes == [1000, 1000])
        #expect(groups[0].failures == ["failed: boom"])
        #expect(groups[1].wallSeconds == [0.2])
        #expect(groups[1].failures == ["finished without a wall time in its summary"])
    }
}
