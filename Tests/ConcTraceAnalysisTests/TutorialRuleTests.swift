import ConcTraceAnalysis
import Foundation
import Testing

/// The tutorial's rule tested for real (issue 13 item 5): a run classified from its trace figures into CPU-bound or
/// I/O-bound, slow or fast I/O, many or few tasks; the branch, its recommendation, and whether the verdict agrees.
@Suite("Tutorial's rule: classified from the trace, checked against the verdict")
struct TutorialRuleTests {
    static let threadsCost = SwitchCost(microseconds: 5, source: .traceDispatchOverhead(strategy: "threads"))

    static func profile(running: Double, waiting: Double, tasks: Int, capacity: Int,
                        cost: SwitchCost? = threadsCost) -> WorkloadProfile {
        WorkloadProfile(figures: WorkloadFigures(strategy: "sequential", runningMillisecondsPerTask: running,
                                                 waitingMillisecondsPerTask: waiting, tasks: tasks),
                        switchCost: cost, workerCapacity: capacity)!
    }

    /// Six steady runs around `median` seconds.
    static func runs(_ median: Double) -> [Double] {
        [0.99, 0.995, 1.0, 1.0, 1.005, 1.01].map { $0 * median }
    }

    static func verdict(_ medians: [(String, Double)]) -> Verdict {
        Verdict(medians.map { StrategySamples(strategy: $0.0, wallSeconds: runs($0.1)) })
    }

    @Test("CPU-bound from the running share: 12 ms running and 0.2 ms waiting is 98% running")
    func cpuBound() {
        let profile = Self.profile(running: 12, waiting: 0.2, tasks: 20, capacity: 20)
        #expect(profile.kind == .cpuBound)
        #expect(abs(profile.runningShare - 12 / 12.2) < 1e-12)
        #expect(profile.ioSpeed == nil)
        let rule = TutorialRule(profile: profile, verdict: Self.verdict([("processes", 0.1), ("threads", 0.2)]),
                                measured: ["processes", "threads"])
        #expect(rule.branch == .cpuBound)
        #expect(rule.recommendation == "processes")
        #expect(rule.agreement == .agrees)
        #expect(rule.text(winners: ["processes"]) ==
                "The trace makes this CPU-bound: a task ran 98% of its time (12.0 ms running, 200 µs waiting, in " +
                "the sequential run). The tutorial's rule for CPU-bound work: processes (\"Use multiprocessing\"). " +
                "The measurement agrees: processes is the clear winner.")
    }

    @Test("slow I/O and many tasks: a 20 ms wait is 4000 switches of 5 µs; 100 tasks > 64 threads: an event loop")
    func slowManyTasks() {
        let profile = Self.profile(running: 0.05, waiting: 20, tasks: 100, capacity: 64)
        #expect(profile.kind == .ioBound)
        #expect(profile.switchesPerWait == 4000)
        #expect(profile.ioSpeed == .slow && profile.taskCount == .many)
        let rule = TutorialRule(profile: profile, verdict: Self.verdict([("eventloop", 0.021), ("threads", 0.03)]),
                                measured: ["eventloop", "threads"])
        #expect(rule.branch == .slowIOManyTasks)
        #expect(rule.recommendation == "eventloop")
        #expect(rule.agreement == .agrees)
        let text = rule.text(winners: ["eventloop"])
        #expect(text.contains("Slow I/O: a wait of 20.0 ms is 4000 switches of 5.00 µs per switch (dispatch " +
                              "overhead in the threads run's trace); 100 or more is slow."))
        #expect(text.contains("Many tasks: 100, more than the 64 threads the threads strategy has for them."))
    }

    @Test("fast I/O and few tasks: a 0.3 ms wait is only 60 switches; 15 tasks on 15 threads: threads")
    func fastFewTasks() {
        let profile = Self.profile(running: 0.02, waiting: 0.3, tasks: 15, capacity: 15)
        #expect(profile.ioSpeed == .fast && profile.taskCount == .few)
        let rule = TutorialRule(profile: profile, verdict: Self.verdict([("threads", 0.01), ("eventloop", 0.0101)]),
                                measured: ["threads", "eventloop"])
        #expect(rule.branch == .fastIOFewTasks)
        #expect(rule.recommendation == "threads")
        // 1% apart: a tie, so threads is among the winners but not alone.
        #expect(rule.agreement == .ties)
        #expect(rule.text(winners: ["threads", "eventloop"]).hasSuffix(
            "The measurement ties: threads is among the winners (threads and eventloop), as good as the others " +
            "here and no better."))
    }

    @Test("slow I/O with few tasks (the issue's 5 downloads at 1 ms): the pseudo-code's event loop, and why a tie")
    func slowFewTasks() {
        // 1.2 ms waiting / 5 µs = 240 switches: slow; 5 tasks on 5 threads: few.
        let profile = Self.profile(running: 0.1, waiting: 1.2, tasks: 5, capacity: 5)
        let rule = TutorialRule(profile: profile, verdict: Self.verdict([("threads", 0.003), ("eventloop", 0.0031)]),
                                measured: ["threads", "eventloop"])
        #expect(rule.branch == .slowIOFewTasks)
        #expect(rule.recommendation == "eventloop")
        #expect(rule.agreement == .ties)
        #expect(rule.text(winners: ["threads", "eventloop"]).contains("its bullets pair slow I/O with many tasks"))
    }

    @Test("fast I/O with many tasks: the pseudo-code's threads; disagreement names the stage that ruled it out")
    func fastManyTasks() {
        let profile = Self.profile(running: 0.01, waiting: 0.2, tasks: 1000, capacity: 64)
        let rule = TutorialRule(profile: profile, verdict: Self.verdict([("eventloop", 0.05), ("threads", 0.08)]),
                                measured: ["eventloop", "threads"])
        #expect(rule.branch == .fastIOManyTasks)
        #expect(rule.agreement == .disagrees)
        #expect(rule.disagreement == "threads measured worse on wall time than eventloop")
        #expect(rule.text(winners: ["eventloop"]).hasSuffix(
            "The measurement disagrees: eventloop won; threads measured worse on wall time than eventloop."))
    }

    @Test("the boundaries: a running share of exactly ½ is CPU-bound, 100 switches is slow, tasks = threads is few")
    func boundaries() {
        #expect(Self.profile(running: 1, waiting: 1, tasks: 1, capacity: 1).kind == .cpuBound)
        // 0.5 ms / 5 µs = 100.
        let edge = Self.profile(running: 0.001, waiting: 0.5, tasks: 64, capacity: 64)
        #expect(edge.ioSpeed == .slow && edge.taskCount == .few)
        #expect(WorkloadProfile(figures: WorkloadFigures(strategy: nil, runningMillisecondsPerTask: 0,
                                                         waitingMillisecondsPerTask: 0, tasks: 3),
                                switchCost: nil, workerCapacity: 3) == nil)
    }

    @Test("without a switch cost slow vs fast is not tested: no recommendation")
    func unknownSpeed() {
        let profile = Self.profile(running: 0.05, waiting: 20, tasks: 100, capacity: 64, cost: nil)
        let rule = TutorialRule(profile: profile, verdict: Self.verdict([("eventloop", 0.02)]), measured: ["eventloop"])
        #expect(rule.branch == .ioSpeedUnknown)
        #expect(rule.recommendation == nil)
        #expect(rule.agreement == .untested)
        #expect(rule.text(winners: ["eventloop"]).contains("Slow or fast I/O is not tested: no switch cost was measured."))
    }

    @Test("by name only, an I/O workload's rule says its halves were not tested, and never that the measurement agrees")
    func byName() {
        // Issue 13: "The measurement agrees" was printed whenever threads, async or eventloop won an I/O workload.
        let rule = TutorialRule(workloadName: "download", verdict: Self.verdict([("eventloop", 0.02), ("threads", 0.1)]),
                                measured: ["eventloop", "threads"])
        #expect(rule.basis == .workloadName)
        #expect(rule.agreement == .untested)
        let text = rule.text(winners: ["eventloop"])
        #expect(!text.contains("agrees"))
        #expect(text.hasSuffix("Not tested here: slow vs fast I/O and many vs few tasks need the runs' trace figures."))
    }

    @Test("not measured, failed, or nothing finished")
    func otherAgreements() {
        let cpu = Self.profile(running: 10, waiting: 0, tasks: 4, capacity: 4)
        #expect(TutorialRule(profile: cpu, verdict: Self.verdict([("threads", 0.1)]), measured: ["threads"])
            .agreement == .notMeasured)
        let failed = Verdict([StrategySamples(strategy: "threads", wallSeconds: Self.runs(0.1)),
                              StrategySamples(strategy: "processes", wallSeconds: [], failures: ["error: spawn"])])
        let rule = TutorialRule(profile: cpu, verdict: failed, measured: ["threads", "processes"])
        #expect(rule.agreement == .disagrees)
        #expect(rule.disagreement == "processes did not finish all its runs (1 of 1 runs did not finish: error: spawn)")
        let none = Verdict([StrategySamples(strategy: "processes", wallSeconds: [], failures: ["error: spawn"])])
        #expect(TutorialRule(profile: cpu, verdict: none, measured: ["processes"]).agreement == .noVerdict)
    }

    @Test("the switch cost of a set of traces: the threads run's dispatch overhead, named as such")
    func switchCostFromTraces() throws {
        // The known run is a threads run with a mean dispatch overhead of 15 ns (KnownAnswerTests).
        let cost = try #require(SwitchCost.measured(in: [KnownAnswerTests.analysis]))
        #expect(abs(cost.microseconds - 0.015) < 1e-12)
        #expect(cost.source == .traceDispatchOverhead(strategy: "threads"))
        #expect(cost.text == "15.0 ns per switch (dispatch overhead in the threads run's trace)")
        #expect(SwitchCost.measured(in: []) == nil)
        // Without a threads run, the dearest switch any run measured, named with its run.
        let eventloopRun = TraceText.knownRun.arrayForm.replacingOccurrences(of: #""strategy":"threads""#,
                                                                            with: #""strategy":"eventloop""#)
        let eventloop = try TraceAnalyzer.analyze(bytes: Array(eventloopRun.utf8))
        #expect(SwitchCost.measured(in: [eventloop])?.source == .traceDispatchOverhead(strategy: "eventloop"))
    }

    @Test("figures from an analyzed trace: running and waiting per task, ended tasks, the run's strategy")
    func figuresFromTrace() throws {
        let figures = try #require(WorkloadFigures(analysis: KnownAnswerTests.analysis))
        // docs: running 280, 300, 190 ns and waiting 200, 0, 0 ns per task; 2 done + 1 failed.
        #expect(figures.strategy == "threads")
        #expect(abs(figures.runningMillisecondsPerTask - 770.0 / 3 / 1e6) < 1e-15)
        #expect(abs(figures.waitingMillisecondsPerTask - 200.0 / 3 / 1e6) < 1e-15)
        #expect(figures.tasks == 3)
    }
}
