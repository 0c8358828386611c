import ConcTraceAnalysis
import Testing

@Suite("StrategyAdvice: use X, with the measured reasons")
struct StrategyAdviceTests {
    static func run(_ strategy: String, wall: Double?, rss: Int? = nil, p99: Double? = nil,
                    status: SweepResults.Run.Status = .ok, error: String? = nil) -> SweepResults.Run {
        var run = SweepResults.Run(strategy: strategy, tasks: 100, status: status, exitCode: status == .ok ? 0 : 71)
        run.wallSeconds = wall
        run.peakRSSBytes = rss
        run.latencyP99Milliseconds = p99
        run.error = error
        return run
    }

    @Test("the fastest run wins, and the reasons quote every strategy's wall time as a ratio")
    func fastestWins() {
        let advice = StrategyAdvice(workload: "download", runs: [
            Self.run("sequential", wall: 1.5), Self.run("threads", wall: 0.3), Self.run("eventloop", wall: 0.12),
        ], cores: 2)
        #expect(advice.choice == "eventloop")
        #expect(advice.reasons[0] == "It finished 100 tasks in 0.120 s; threads 0.300 s (2.50x slower), " +
                "sequential 1.500 s (12.5x slower).")
        #expect(advice.rule.hasSuffix("The measurement agrees."))
        #expect(advice.swiftNote == nil)
    }

    @Test("within 10% of the fastest, a run that needs clearly less memory wins")
    func tieGoesToMemory() {
        let advice = StrategyAdvice(workload: "cpu", runs: [
            Self.run("processes", wall: 0.100, rss: 40 << 20), Self.run("threads", wall: 0.105, rss: 10 << 20),
            Self.run("sequential", wall: 0.2, rss: 9 << 20),
        ], cores: 2)
        #expect(advice.choice == "threads")
        #expect(advice.reasons[1] == "processes was 5% faster, within 10%, but needs clearly more memory.")
        #expect(advice.rule.contains("did as well or better"))
        #expect(advice.swiftNote?.contains("unlike CPython") == true)
    }

    @Test("ties in time and memory keep the fastest, and are named as equally good")
    func tieWithoutMemoryDifference() {
        let advice = StrategyAdvice(workload: "download", runs: [
            Self.run("threads", wall: 0.106, rss: 24_200 << 10), Self.run("eventloop", wall: 0.105, rss: 24_300 << 10),
            Self.run("async", wall: 0.106, rss: 24_400 << 10), Self.run("sequential", wall: 1.5, rss: 23 << 20),
        ], cores: 2)
        #expect(advice.choice == "eventloop")
        #expect(advice.reasons[1] == "threads and async did as well here (within 10% in time and memory): any of " +
                "them will do at this size.")
    }

    @Test("runs that failed or could not run are never chosen, and are listed with their errors")
    func problemsListed() {
        let advice = StrategyAdvice(workload: "sleep", runs: [
            Self.run("threads", wall: 0.01, status: .error, error: "cannot start 10000 threads"),
            Self.run("eventloop", wall: 0.5),
        ], cores: 2)
        #expect(advice.choice == "eventloop")
        #expect(advice.problems == ["threads: error: cannot start 10000 threads"])
    }

    @Test("no finished run: no choice")
    func nothingFinished() {
        let advice = StrategyAdvice(workload: "sleep", runs: [Self.run("threads", wall: nil, status: .error)],
                                    cores: 2)
        #expect(advice.choice == nil)
        #expect(advice.problems.count == 1)
    }

    @Test("a choice against the tutorial's rule says so")
    func disagreement() {
        let advice = StrategyAdvice(workload: "cpu", runs: [Self.run("sequential", wall: 0.1),
                                                           Self.run("processes", wall: 0.3)], cores: 1)
        #expect(advice.choice == "sequential")
        #expect(advice.rule.hasSuffix("Here sequential measured best instead."))
    }
}
