import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--strategy processes`, end to end: worker processes spawned by the built binary, one merged trace.
@Suite("conctrace run --strategy processes")
struct ProcessesCLITests {
    /// The pids whose parent is `parent` (scanning /proc/<pid>/stat).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    /// Waits (up to 10 s) until `parent` has `count` children, and returns them.
    static func waitForChildren(of parent: Int32, count: Int) -> [Int32] {
        for _ in 0..<1000 {
            let found = children(of: parent)
            if found.count >= count { return found }
            usleep(10_000)
        }
        return children(of: parent)
    }

    /// Whether a process is gone (not even a zombie), waiting up to 5 s for it to be reaped.
    static func isGone(_ pid: Int32) -> Bool {
        for _ in 0..<500 {
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            usleep(10_000)
        }
        return false
    }

    /// The merged trace's events grouped by pid, with each process's name.
    struct Processes {
        var names: [Int: String] = [:]
        /// Per pid, the outer task spans (`b` with args.task), by task id.
        var spans: [Int: [Int: [String: Any]]] = [:]
        /// Per pid and task, the state spans' names.
        var states: [Int: [Int: [String]]] = [:]

        init(_ trace: TraceFile) {
            for event in trace.events {
                guard let pid = event["pid"] as? Int else { continue }
                if event["name"] as? String == "process_name" {
                    names[pid] = (event["args"] as? [String: Any])?["name"] as? String
                }
                guard event["ph"] as? String == "b", let id = (event["id2"] as? [String: Any])?["local"] as? Int
                else { continue }
                if let args = event["args"] as? [String: Any], args["task"] as? Int == id {
                    spans[pid, default: [:]][id] = event
                } else if let name = event["name"] as? String {
                    states[pid, default: [:]][id, default: []].append(name)
                }
            }
        }

        var workerPIDs: [Int] { names.filter { $0.value.hasPrefix("conctrace worker") }.map(\.key) }
    }

    @Test("cpu on 3 worker processes: exact results from every worker, one pid per process, every task whole")
    func cpuRun() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("cpu.json").path
        let output = try CLIRunner.run(["run", "--workload", "cpu", "--strategy", "processes", "--tasks", "12",
                                        "--base", "200000", "--workers", "3", "--out", path, "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        #expect(json["strategy"] as? String == "processes" && json["done"] as? Int == 12 && json["workers"] as? Int == 3)

        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let processes = Processes(trace)
        let workers = processes.workerPIDs
        #expect(workers.count == 3)
        #expect(Set(processes.names.values).isSuperset(of: ["conctrace worker 1", "conctrace worker 2",
                                                            "conctrace worker 3"]))
        let parent = try #require(processes.names.first { $0.value == "conctrace cpu/processes" }?.key)
        let parentTasks = (processes.spans[parent] ?? [:]).filter { ($0.value["name"] as? String)?.hasPrefix("cpu ") == true }
        #expect(parentTasks.count == 12)
        var ranOn: [Int: Int] = [:]
        for (id, span) in parentTasks {
            let k = Int((span["name"] as! String).dropFirst(4))!
            let n = 200_000 + k
            let expected = String((n * (n - 1) * (2 * n - 1)) / 6)
            #expect((span["args"] as? [String: Any])?["result"] as? String == expected)
            #expect((span["args"] as? [String: Any])?["state"] as? String == "done")
            #expect(processes.states[parent]?[id]?.contains("ready") == true)
            // The same task id, run and ended in exactly one worker, with the same exact result.
            let inWorkers = workers.filter { processes.spans[$0]?[id] != nil }
            #expect(inWorkers.count == 1, "task \(id) ran in \(inWorkers)")
            if let worker = inWorkers.first {
                ranOn[worker, default: 0] += 1
                let workerSpan = processes.spans[worker]![id]!
                #expect((workerSpan["args"] as? [String: Any])?["result"] as? String == expected)
                #expect((workerSpan["args"] as? [String: Any])?["state"] as? String == "done")
                #expect(processes.states[worker]?[id]?.contains("running") == true)
            }
        }
        #expect(ranOn.values.reduce(0, +) == 12)
        // Each worker's spawn is a task in the parent; a dispatch flow per task crosses into a worker;
        // each worker reports its CPU time and context switches.
        let spawns = (processes.spans[parent] ?? [:]).values.filter { $0["name"] as? String == "spawn worker" }
        #expect(spawns.count == 3)
        let flowStarts = trace.events.filter { $0["ph"] as? String == "s" && $0["cat"] as? String == "dispatch" }
        let flowEnds = trace.events.filter { $0["ph"] as? String == "f" && $0["cat"] as? String == "dispatch" }
        #expect(flowStarts.count == 12 && flowEnds.count == 12)
        #expect(flowEnds.allSatisfy { workers.contains($0["pid"] as? Int ?? -1) })
        let usage = trace.events.filter { ($0["name"] as? String)?.hasPrefix("process (worker") == true }
        #expect(usage.count == 3)
        #expect(usage.allSatisfy { ($0["args"] as? [String: Any])?["voluntary_switches"] is Int })
        // No worker trace file is left behind.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        #expect(!leftovers.contains { $0.hasPrefix("conctrace-worker-\(parent)-") })
    }

    @Test("a worker killed with kill -9 fails its task with the cause, is replaced, and the run finishes")
    func deadWorker() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("dead.json").path
        let started = try CLIRunner.start(["run", "--workload", "sleep", "--strategy", "processes", "--tasks", "8",
                                           "--sleep-ms", "300", "--workers", "2", "--out", path])
        let parent = started.0.processIdentifier
        let workers = Self.waitForChildren(of: parent, count: 2)
        try #require(workers.count == 2)
        // Both workers have opened their traces (so the dead one's head is in the merge) and hold a task.
        let traces = (1...2).map { NSTemporaryDirectory() + "conctrace-worker-\(parent)-\($0).json" }
        for _ in 0..<1000 where !traces.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) { usleep(10_000) }
        usleep(100_000)
        kill(workers[0], SIGKILL)
        let output = CLIRunner.finish(started)
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("7 of 8 tasks done") && output.stdout.contains("1 failed"))
        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let processes = Processes(trace)
        // The parent, the two first workers (the dead one's flushed events included) and the replacement.
        #expect(processes.workerPIDs.count == 3)
        #expect(processes.names[Int(workers[0])] != nil)
        let parentSpans = processes.spans[Int(parent)] ?? [:]
        let failed = parentSpans.values.filter { ($0["args"] as? [String: Any])?["state"] as? String == "failed" }
        #expect(failed.count == 1)
        let error = (failed.first?["args"] as? [String: Any])?["error"] as? String ?? ""
        #expect(error.contains("(pid \(workers[0])) died: signal 9"), "error: \(error)")
        #expect(Self.isGone(workers[0]) && Self.isGone(workers[1]))
    }

    @Test("Ctrl-C stops every worker: exit 130, no worker process left, the trace merged")
    func interrupted() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("interrupted.json").path
        let started = try CLIRunner.start(["run", "--workload", "sleep", "--strategy", "processes", "--tasks", "40",
                                           "--sleep-ms", "200", "--workers", "2", "--out", path])
        let parent = started.0.processIdentifier
        let workers = Self.waitForChildren(of: parent, count: 2)
        try #require(workers.count == 2)
        usleep(300_000)
        kill(parent, SIGINT)
        let output = CLIRunner.finish(started)
        #expect(output.status == 130, "stderr: \(output.stderr)")
        for worker in workers { #expect(Self.isGone(worker), "worker \(worker) outlived the run") }
        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let processes = Processes(trace)
        #expect(processes.workerPIDs.count == 2)
        let states = (processes.spans[Int(parent)] ?? [:]).values.compactMap {
            ($0["args"] as? [String: Any])?["state"] as? String
        }
        #expect(states.filter { $0 == "cancelled" }.count >= 30)
    }

    @Test("download is refused with a one-line usage error")
    func downloadRefused() throws {
        let output = try CLIRunner.run(["run", "--workload", "download", "--strategy", "processes", "--no-trace"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("processes"))
    }
}
