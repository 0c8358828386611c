import ConcTraceAnalysis
import ConcTraceLab
import ConcTraceStrategies
import ConcTraceWorkloads
import Foundation
import Testing

/// The application layer driven as a library: no CLI in between (the processes strategy's workers are the built
/// binary, started by the Lab itself).
@Suite("traced runs", .serialized)
struct TracedRunTests {
    private func run(_ strategy: StrategyKind, _ workload: WorkloadSpec, in folder: String) throws -> RunOutcome {
        var request = RunRequest(workload: workload, strategy: strategy, workers: nil,
                                 tracePath: "\(folder)/\(strategy.rawValue).json", commandLine: "test")
        request.workerExecutable = conctraceBinary
        return try TracedRun.execute(request, session: RunSession { _, _ in fatalError("no signal in this test") })
    }

    @Test("a traced run of each strategy returns its summary, and its trace analyzes to the same tasks",
          arguments: StrategyKind.allCases)
    func eachStrategy(strategy: StrategyKind) throws {
        let folder = try makeTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try run(strategy, WorkloadSpec(kind: .sleep, tasks: 12, sleepMilliseconds: 2, steps: 2),
                              in: folder)
        let summary = outcome.summary
        #expect(outcome.interruptedBy == nil)
        #expect(summary.done == 12 && summary.failed == 0 && summary.cancelled == 0 && summary.tasks == 12)
        #expect(summary.strategy == strategy.rawValue && summary.dropped == 0 && summary.events > 0)
        #expect(summary.wallSeconds >= 0.004 && summary.peakResidentBytes != nil)
        let analysis = try TraceAnalyzer.analyze(path: try #require(summary.trace))
        #expect(analysis[.tasksDone] == 12)
        #expect(!analysis.source.isTruncated)
    }

    @Test("a cancelled run ends its tasks cancelled, keeps its trace whole, and says so in its summary")
    func cancelled() throws {
        let folder = try makeTestFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let session = RunSession { _, _ in fatalError("no forced exit in this test") }
        session.cancel()
        let request = RunRequest(workload: WorkloadSpec(kind: .sleep, tasks: 30, sleepMilliseconds: 50),
                                 strategy: .threads, workers: 2, tracePath: folder + "/t.json", commandLine: "test")
        let summary = try TracedRun.execute(request, session: session).summary
        #expect(summary.cancelled == 30 && summary.done == 0)
        #expect(try TraceAnalyzer.analyze(path: folder + "/t.json")[.tasksCancelled] == 30)
    }

    @Test("a trace path that cannot be written fails before the run, as cannotCreateOutput")
    func unwritable() throws {
        let request = RunRequest(workload: WorkloadSpec(kind: .cpu, tasks: 2, base: 10), strategy: .sequential,
                                 workers: nil, tracePath: "/proc/no-such/x.json", commandLine: "test")
        #expect {
            _ = try TracedRun.execute(request, session: RunSession { _, _ in fatalError() })
        } throws: { error in
            (error as? LabError)?.kind == .cannotCreateOutput
        }
    }
}

@Suite("run summaries and worker requests")
struct LabCodingTests {
    @Test("the --format json line a child prints reads back into the same summary")
    func summaryRoundTrip() throws {
        let summary = RunSummary(
            workload: "download", strategy: "eventloop", tasks: 15, done: 14, failed: 1, cancelled: 0,
            bytes: 625_484, countsBytes: true, workers: 1, wallSeconds: 0.1234, trace: "t \"x\".json", events: 300,
            dropped: 2, nsPerEvent: 24.5, peakResidentBytes: 22_000_000)
        #expect(RunSummary(json: summary.jsonText) == summary)
        var untraced = summary
        untraced.trace = nil
        untraced.peakResidentBytes = nil
        #expect(RunSummary(json: untraced.jsonText) == untraced)
        #expect(RunSummary(json: "not json") == nil)
        #expect(summary.text.contains("14 of 15 tasks done") && summary.text.contains("1 failed"))
        // Failed tasks grouped by error (issue 13 item 7) survive the child's line too.
        var failing = summary
        failing.failures = [FailedTasks.Group(error: "HTTP 500", count: 1, exampleName: "download 3", exampleTask: 5,
                                              exampleURL: "http://127.0.0.1:1/page/3")]
        #expect(RunSummary(json: failing.jsonText) == failing)
        #expect(failing.text.hasSuffix("\n  failed tasks by error:\n    1 × HTTP 500 (e.g. download 3, " +
                                       "http://127.0.0.1:1/page/3)"))
        #expect(failing.failureText == "1 × HTTP 500 (e.g. download 3)")
        #expect(summary.failureText == "no error message in the trace")
    }

    @Test("a worker's request survives its command line", arguments: [
        WorkloadSpec(kind: .cpu, tasks: 9, base: 3000),
        WorkloadSpec(kind: .sleep, tasks: 4, sleepMilliseconds: 2.5, steps: 3),
        WorkloadSpec(kind: .download, tasks: 6, pages: .server("http://127.0.0.1:9/"), timeoutMilliseconds: 500),
        WorkloadSpec(kind: .download, tasks: 2, pages: .urls(path: "/tmp/u.txt")),
    ])
    func workerRequest(spec: WorkloadSpec) throws {
        let request = WorkerRequest(number: 3, parentPID: 42, workload: spec, eventLog: 3)
        #expect(request.arguments.first == "worker")
        #expect(try WorkerRequest(parsing: Array(request.arguments.dropFirst())) == request)
    }

    @Test("a worker's command line that is wrong is a usage error naming what is wrong")
    func badWorkerRequest() {
        for arguments in [[], ["--workload", "nope"], ["--workload", "cpu"], ["--workload", "download", "--tasks", "2"],
                          ["--bogus"], ["--number"]] {
            #expect {
                _ = try WorkerRequest(parsing: arguments)
            } throws: { error in
                (error as? LabError)?.kind == .usage && (error as? LabError)?.message.hasPrefix("worker: ") == true
            }
        }
    }
}
