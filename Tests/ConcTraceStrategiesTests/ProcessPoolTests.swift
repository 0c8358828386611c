import ConcTraceRecorder
import ConcTraceWorkloads
import Foundation
import Testing

@testable import ConcTraceStrategies

/// The processes strategy driven as a library, with the conctrace binary `swift test` built next to this bundle.
@Suite("processes strategy")
struct ProcessPoolTests {
    static let binary: String = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("conctrace").path
    }()

    @Test("every worker's answer is the exact sum; the parent records each task created, ready and done")
    func exactResults() throws {
        let workload = CPUWorkload(tasks: 9, base: 3000)
        let launch = ProcessWorkerLaunch(
            executable: Self.binary,
            workloadArguments: ["--workload", "cpu", "--tasks", "9", "--base", "3000"], traceFolder: nil)
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
        let cpuTasks = Set(events.filter { $0.kind == .created && $0.hasValue }.map(\.task))
        for task in cpuTasks {
            let kinds = events.filter { $0.task == task }.map(\.kind)
            #expect(kinds == [.created, .ready, .done], "task \(task): \(kinds)")
        }
        // One `spawn worker` task per process, its pid as value.
        #expect(events.filter { $0.kind == .created && "\($0.label)" == "spawn worker" }.count == 3)
    }

    @Test("a worker that cannot run (bad arguments) fails the tasks with a cause instead of hanging")
    func brokenWorker() throws {
        let workload = CPUWorkload(tasks: 3, base: 10)
        let launch = ProcessWorkerLaunch(executable: Self.binary, workloadArguments: [], traceFolder: nil)
        let (result, _) = try record(workload, ProcessPoolStrategy(workers: 1, launch: launch))
        #expect(result.failed == 3 && result.done == 0)
    }

    @Test("the merge keeps complete lines of a worker trace cut short, and makes strict JSON")
    func mergeTruncated() throws {
        let folder = NSTemporaryDirectory() + "conctrace-merge-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let parentPath = folder + "/parent.json"
        let workerPath = folder + "/worker.json"
        try "[\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":10,\"args\":{\"name\":\"parent\"}}\n]\n"
            .write(toFile: parentPath, atomically: true, encoding: .utf8)
        // Killed mid-write: the last line is cut inside a value.
        try "[\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":11,\"args\":{\"name\":\"w\"}},\n{\"ph\":\"i\",\"pid\":11,\"args\":{\"x\":\"a}"
            .write(toFile: workerPath, atomically: true, encoding: .utf8)
        let log = ProcessPoolLog()
        log.add(ProcessPoolLog.Handoff(task: 5, spawned: 1_000_500, dispatched: 1_200_000, workerPID: 11, workerThread: 1, started: 2_000_000))
        log.add(ProcessPoolLog.WorkerEnd(number: 1, pid: 11, tracePath: workerPath, ended: 3_000_001,
                                         usage: (1000, 2000, 3, 4), exit: "signal 9"))
        try ProcessTraceMerge.merge(into: parentPath, log: log, parentPID: 10)
        let data = try Data(contentsOf: URL(fileURLWithPath: parentPath))
        let events = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(events.count == 5)  // parent name, worker name, flow s and f, usage counter
        #expect(Set(events.compactMap { $0["pid"] as? Int }) == [10, 11])
        let flowIDs = events.filter { $0["cat"] as? String == "dispatch" }.compactMap { $0["id"] as? Int }
        #expect(flowIDs == [Int(ProcessTraceMerge.flowIDBase) + 5, Int(ProcessTraceMerge.flowIDBase) + 5])
        #expect(events.contains { ($0["ts"] as? Double) == 1000.5 })
        #expect(!FileManager.default.fileExists(atPath: workerPath))
        try? FileManager.default.removeItem(atPath: folder)
    }
}
