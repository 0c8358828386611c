import ConcTraceAnalysis
import ConcTraceLab
import ConcTraceStrategies
import ConcTraceWorkloads
import Foundation
import Testing

/// The `tasks` counter against the task spans: Little's law on real traced runs of every strategy.
@Suite("the tasks counter and Little's law", .serialized)
struct CounterFidelityTests {
    private func ratio(_ strategy: StrategyKind, _ workload: WorkloadSpec, workers: Int? = nil) throws -> Double {
        let folder = try makeTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var request = RunRequest(workload: workload, strategy: strategy, workers: workers,
                                 tracePath: "\(folder)/t.json", commandLine: "test")
        request.workerExecutable = conctraceBinary
        let summary = try TracedRun.execute(request, session: RunSession { _, _ in fatalError("no signal here") })
            .summary
        #expect(summary.dropped == 0 && summary.done == workload.taskCount)
        let analysis = try TraceAnalyzer.analyze(path: "\(folder)/t.json")
        return try #require(analysis[.littlesLawRatio])
    }

    // Issue 14 item 3: the converter overwrote a pending counter value when an event came after its 100 us window,
    // so `in_flight` missed values (9 in a sequential run of 8 cpu tasks) and the ratio read 0.69-0.93 on runs of
    // millisecond tasks. Every change of in_flight is written now: the ratio is within 2 % of 1.
    @Test("8 cpu tasks of a few milliseconds (debug build): the ratio is within 2 % of 1", arguments: StrategyKind.allCases)
    func cpuTasks(strategy: StrategyKind) throws {
        let value = try ratio(strategy, WorkloadSpec(kind: .cpu, tasks: 8, base: 300_000))
        #expect(abs(value - 1) <= 0.02, "\(strategy.rawValue): Little's-law ratio \(value)")
    }

    @Test("200 tasks that each sleep 1 ms: the ratio is within 2 % of 1", arguments: StrategyKind.allCases)
    func sleepTasks(strategy: StrategyKind) throws {
        // Sequential takes 200 ms; processes, with 2 workers, about as long.
        let value = try ratio(strategy, WorkloadSpec(kind: .sleep, tasks: 200, sleepMilliseconds: 1, steps: 1))
        #expect(abs(value - 1) <= 0.02, "\(strategy.rawValue): Little's-law ratio \(value)")
    }
}
