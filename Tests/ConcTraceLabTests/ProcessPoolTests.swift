import ConcTraceRecorder
import ConcTraceWorkloads
import Foundation
import Testing

@testable import ConcTraceStrategies
import ConcTraceLab

/// The processes strategy driven as a library, with the conctrace binary `swift test` built next to this bundle.
@Suite("processes strategy", .serialized)
struct ProcessPoolTests {
    static let binary = conctraceBinary

    @Test("every worker's answer is the exact sum; the parent records each task created and done, no spawn task")
    func exactResults() throws {
        let workload = CPUWorkload(tasks: 9, base: 3000)
        let launch = WorkerRequest.launch(workload: WorkloadSpec(kind: .cpu, tasks: 9, base: 3000),
                                          recordsEvents: false, executable: Self.binary)
        let log = ProcessPoolLog()
        let (result, events) = try record(workload, ProcessPoolStrategy(workers: 3, launch: launch, log: log))
        #expect(result.done == 9 && result.failed == 0 && result.workers == 3)
        for index in 0..<9 {
            #expect(result.outcomes[index]?.result == CPUWorkload.sumOfSquares(below: 3000 + index))
        }
        // Three distinct worker pids answered, each reporting its resource usage at exit.
        #expect(Set(log.handoffs.map(\.workerPID)).count == 3)
        #expect(log.handoffs.count == 9)
        #expect(log.workers.count == 3 && log.workers.allSatisfy { $0.usage != nil && $0.exit == "exit status 0" })
        // The parent owns each task's life (created, end at the worker's end time); the worker its states.
        let cpuTasks = Set(events.filter { $0.kind == .created && $0.hasValue }.map(\.task))
        #expect(cpuTasks.count == 9)
        for task in cpuTasks {
            let kinds = events.filter { $0.task == task }.map(\.kind)
            #expect(kinds == [.created, .done], "task \(task): \(kinds)")
            let handoff = try #require(log.handoffs.first { $0.task == task })
            let end = try #require(events.first { $0.task == task && $0.kind == .done })
            #expect(handoff.spawned <= handoff.started && handoff.started <= end.timestamp)
        }
        // Every worker's spawn is logged (an instant in the merged trace), none is a task.
        #expect(log.spawns.count == 3 && Set(log.spawns.map(\.pid)) == Set(log.workers.map(\.pid)))
        #expect(events.filter { $0.kind == .created }.count == 10)  // the root and the 9 tasks
    }

    @Test("a worker that cannot run (bad arguments) fails the tasks with a cause instead of hanging")
    func brokenWorker() throws {
        let workload = CPUWorkload(tasks: 3, base: 10)
        // A worker started with no request at all: it says so and exits 64.
        let launch = ProcessWorkerLaunch(executable: Self.binary, recordsEvents: false) { _, _ in ["worker"] }
        let (result, _) = try record(workload, ProcessPoolStrategy(workers: 1, launch: launch))
        #expect(result.failed == 3 && result.done == 0)
    }

    @Test("a task report survives the pipe: result, bytes, typed details and error text with spaces")
    func reportRoundTrip() throws {
        let details = [TaskDetail("url", .string("http://127.0.0.1:8080/page/3?a=b c%")), TaskDetail("status", .int(500)),
                       TaskDetail("bytes", .int(0)), TaskDetail("total_ms", .double(20.125))]
        let reports = [
            ProcessTaskReport(index: 3, started: 10, ended: 20, thread: 1,
                              ending: .done(result: UInt128.max, bytes: 41_234), details: []),
            ProcessTaskReport(index: 0, started: 1, ended: 2, thread: 1, ending: .done(result: nil, bytes: nil),
                              details: details),
            ProcessTaskReport(index: 4, started: 5, ended: 6, thread: 2, ending: .failed(error: "HTTP 500\nsecond line"),
                              details: details),
            ProcessTaskReport(index: 9, started: 5, ended: 6, thread: 1, ending: .cancelled, details: []),
        ]
        for report in reports {
            let line = report.line
            #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
            #expect(ProcessTaskReport(line: line.dropLast()) == report)
        }
        #expect(ProcessTaskReport(line: "R 1 2") == nil)
        #expect(ProcessTaskReport(line: "U 1 2 3 4") == nil)
    }
}
