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

    @Test("every worker's answer is the exact sum; the parent records each task created and done, no spawn task")
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
        log.add(ProcessPoolLog.Spawn(number: 1, pid: 11, started: 900_000, ended: 950_000, tracePath: workerPath))
        log.add(ProcessPoolLog.Handoff(task: 5, spawned: 1_000_500, dispatched: 1_200_000, workerPID: 11, workerThread: 1, started: 2_000_000))
        log.add(ProcessPoolLog.WorkerEnd(number: 1, pid: 11, tracePath: workerPath, ended: 3_000_001,
                                         usage: ProcessPoolLog.WorkerUsage(line: "U 1000 2000 3 4 5242880"),
                                         exit: "signal 9"))
        try ProcessTraceMerge.merge(into: parentPath, log: log, parentPID: 10)
        let data = try Data(contentsOf: URL(fileURLWithPath: parentPath))
        let events = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(events.count == 6)  // parent name, worker name, spawn instant, flow s and f, usage counter
        let spawn = try #require(events.first { $0["name"] as? String == "spawn worker 1" })
        #expect(spawn["pid"] as? Int == 10 && (spawn["args"] as? [String: Any])?["spawn_us"] as? Int == 50)
        #expect(Set(events.compactMap { $0["pid"] as? Int }) == [10, 11])
        let flowIDs = events.filter { $0["cat"] as? String == "dispatch" }.compactMap { $0["id"] as? Int }
        #expect(flowIDs == [Int(ProcessTraceMerge.flowIDBase) + 5, Int(ProcessTraceMerge.flowIDBase) + 5])
        #expect(events.contains { ($0["ts"] as? Double) == 1000.5 })
        let usage = try #require(events.first { $0["name"] as? String == "process (worker 1)" }?["args"] as? [String: Any])
        #expect(usage["user_cpu_ms"] as? Int == 1 && usage["peak_rss_mib"] as? Int == 5)
        #expect(!FileManager.default.fileExists(atPath: workerPath))
        try? FileManager.default.removeItem(atPath: folder)
    }

    @Test("the merge keeps a worker's slices and state spans, drops the life spans and tasks counter the parent owns")
    func mergeOwnership() {
        let kept = [
            #"{"ph":"X","name":"cpu 3","cat":"running","pid":11,"tid":1,"ts":5,"dur":2,"args":{"task":7}}"#,
            #"{"ph":"b","cat":"task","name":"ready","id2":{"local":7},"pid":11,"tid":1,"ts":1}"#,
            #"{"ph":"e","cat":"task","name":"running","id2":{"local":7},"pid":11,"tid":1,"ts":7}"#,
            #"{"ph":"b","cat":"task","name":"waiting (timer)","id2":{"local":7},"pid":11,"tid":1,"ts":7,"args":{"reason":"timer"}}"#,
            #"{"ph":"C","name":"os switches (worker 1)","pid":11,"tid":1,"ts":1,"args":{"voluntary":1,"involuntary":0}}"#,
        ]
        for line in kept { #expect(ProcessTraceMerge.workerLine(line) == line) }
        let dropped = [
            #"{"ph":"b","cat":"task","name":"cpu 3","id2":{"local":7},"pid":11,"tid":1,"ts":1,"args":{"task":7,"parent":1,"state":"done"}}"#,
            #"{"ph":"e","cat":"task","name":"cpu 3","id2":{"local":7},"pid":11,"tid":1,"ts":7}"#,
            #"{"ph":"C","name":"tasks","pid":11,"tid":1,"ts":1,"args":{"in_flight":1,"ready":0}}"#,
        ]
        for line in dropped { #expect(ProcessTraceMerge.workerLine(line) == nil) }
        #expect(ProcessTraceMerge.workerLine(#"{"ph":"i","name":"conctrace.run","s":"p"}"#)
                    == #"{"ph":"i","name":"conctrace.worker","s":"p"}"#)
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
