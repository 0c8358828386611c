import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--strategy processes`, end to end: worker processes spawned by the built binary, one merged trace.
@Suite("conctrace run --strategy processes", .serialized)
struct ProcessesCLITests {
    /// The pids of the workers that `--verbose` lines say something of (`worker N (pid P) ready`), in order.
    static func pids(in lines: [String], saying what: String) -> [Int32] {
        lines.compactMap { line -> Int32? in
            guard line.hasSuffix(" " + what), let open = line.range(of: "(pid "),
                  let close = line[open.upperBound...].firstIndex(of: ")") else { return nil }
            return Int32(line[open.upperBound..<close])
        }
    }

    /// Whether a process has ended (gone, or a zombie waiting for whoever adopted it to reap it), waiting up to
    /// `seconds`.
    static func isGone(_ pid: Int32, within seconds: Int = 5) -> Bool {
        for _ in 0..<(100 * seconds) {
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" Z") { return true }
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
            // The parent owns the task's life; the one worker that ran it owns its states (no life span there).
            let inWorkers = workers.filter { processes.states[$0]?[id]?.contains("running") == true }
            #expect(inWorkers.count == 1, "task \(id) ran in \(inWorkers)")
            #expect(workers.allSatisfy { processes.spans[$0]?[id] == nil })
            if let worker = inWorkers.first {
                ranOn[worker, default: 0] += 1
                #expect(processes.states[worker]?[id]?.first == "ready")
            }
        }
        #expect(ranOn.values.reduce(0, +) == 12)
        // Each worker's spawn is an instant on the parent's main thread, not a task; a dispatch flow per task
        // crosses into a worker; each worker reports its CPU time and context switches.
        let spawns = trace.events.filter { ($0["name"] as? String)?.hasPrefix("spawn worker") == true }
        #expect(spawns.count == 3 && spawns.allSatisfy { $0["ph"] as? String == "i" && $0["pid"] as? Int == parent })
        #expect(Set(spawns.compactMap { ($0["args"] as? [String: Any])?["pid"] as? Int }) == Set(workers))
        #expect(trace.events.filter { $0["name"] as? String == "tasks" }.allSatisfy { $0["pid"] as? Int == parent })
        let flowStarts = trace.events.filter { $0["ph"] as? String == "s" && $0["cat"] as? String == "dispatch" }
        let flowEnds = trace.events.filter { $0["ph"] as? String == "f" && $0["cat"] as? String == "dispatch" }
        #expect(flowStarts.count == 12 && flowEnds.count == 12)
        #expect(flowEnds.allSatisfy { workers.contains($0["pid"] as? Int ?? -1) })
        // Each arrow ends on its own task's running slice: bound to the enclosing slice (`bp: e`) at its very start.
        // (Without `bp`, Perfetto bound it to the worker's next task, and the last one to nothing.)
        let slices = trace.events.filter { $0["ph"] as? String == "X" }
        for end in flowEnds {
            #expect(end["bp"] as? String == "e")
            let task = (end["id"] as? Int ?? 0) - (1 << 48)
            let own = slices.first {
                $0["pid"] as? Int == end["pid"] as? Int && $0["tid"] as? Int == end["tid"] as? Int
                    && ($0["args"] as? [String: Any])?["task"] as? Int == task
            }
            #expect((own?["ts"] as? NSNumber)?.doubleValue == (end["ts"] as? NSNumber)?.doubleValue)
        }
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
        let running = try CLIRunner.Running(["run", "--workload", "sleep", "--strategy", "processes", "--tasks", "8",
                                              "--sleep-ms", "300", "--workers", "2", "--out", path, "--verbose"])
        let parent = running.pid
        // Both workers are ready (recording, so the dead one's events are in the merge) and hold a task. At least
        // two task lines, not exactly two: a poll that comes late on a loaded machine may already see a third (the
        // workers stay busy until the last two tasks, 300 ms each).
        let lines = try #require(running.waitForStderr { lines in
            Self.pids(in: lines, saying: "ready").count == 2 && lines.filter { $0.contains(": task ") }.count >= 2
        })
        let workers = Self.pids(in: lines, saying: "ready")
        kill(workers[0], SIGKILL)
        let output = running.finish()
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
        let running = try CLIRunner.Running(["run", "--workload", "sleep", "--strategy", "processes", "--tasks", "40",
                                              "--sleep-ms", "200", "--workers", "2", "--out", path, "--verbose"])
        let parent = running.pid
        let lines = try #require(running.waitForStderr { Self.pids(in: $0, saying: "ready").count == 2 })
        let workers = Self.pids(in: lines, saying: "ready")
        kill(parent, SIGINT)
        let output = running.finish()
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

    @Test("download on 2 worker processes from the embedded server: every page's bytes, details in the parent")
    func downloadRun() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("download.json").path
        let output = try CLIRunner.run(["run", "--workload", "download", "--strategy", "processes", "--tasks", "6",
                                        "--latency-ms", "20", "--workers", "2", "--out", path, "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        // The tutorial's first 6 page sizes.
        let pageSizes = [63_153, 31_461, 23_965, 36_312, 25_203, 15_160]
        #expect(json["done"] as? Int == 6 && json["bytes"] as? Int == pageSizes.reduce(0, +))
        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let processes = Processes(trace)
        let workers = processes.workerPIDs
        #expect(workers.count == 2)
        let parent = try #require(processes.names.first { $0.value == "conctrace download/processes" }?.key)
        let spans = (processes.spans[parent] ?? [:]).values.filter { ($0["name"] as? String)?.hasPrefix("download ") == true }
        #expect(spans.count == 6)
        for span in spans {
            let args = span["args"] as? [String: Any] ?? [:]
            let k = Int((span["name"] as! String).dropFirst(9))!
            #expect(args["state"] as? String == "done" && args["status"] as? Int == 200)
            #expect(args["bytes"] as? Int == pageSizes[k] && (args["url"] as? String)?.hasSuffix("/page/\(k)") == true)
            #expect(args["total_ms"] is Double)
        }
        // Both workers fetched (each waits on its own transfer: waiting (io) in its process).
        let fetched = workers.filter { processes.states[$0]?.values.contains { $0.contains("waiting (io)") } == true }
        #expect(Set(fetched).count == 2)
    }

    @Test("a download whose server answers HTTP 500 fails its tasks with the cause, exit 3")
    func downloadFailure() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("errors.json").path
        let output = try CLIRunner.run(["run", "--workload", "download", "--strategy", "processes", "--tasks", "4",
                                        "--latency-ms", "1", "--error-rate", "1", "--workers", "2", "--out", path])
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("0 of 4 tasks done") && output.stdout.contains("4 failed"))
        let trace = try TraceFile(path: path)
        let failed = trace.events.filter {
            $0["ph"] as? String == "b" && ($0["args"] as? [String: Any])?["state"] as? String == "failed"
        }
        #expect(failed.count == 4)
        #expect(failed.allSatisfy {
            let args = $0["args"] as? [String: Any] ?? [:]
            return args["error"] as? String == "HTTP 500" && args["status"] as? Int == 500
        })
    }

    @Test("Ctrl-C on a download under processes cancels the transfers in flight, never fails them (issue 14)")
    func interruptedDownload() throws {
        let folder = try CLIRunner.makeFolder()
        // The failure this guards against was a race (1 to 4 tasks of 15 'failed' in most tries): try a few times.
        for attempt in 1...5 {
            let path = folder.appendingPathComponent("download-\(attempt).json").path
            let running = try CLIRunner.Running(["run", "--workload", "download", "--strategy", "processes",
                                                  "--tasks", "15", "--out", path, "--verbose"])
            // Both workers are up and hold a task: their transfers wait on the embedded server's 100 ms.
            try #require(running.waitForStderr { Self.pids(in: $0, saying: "ready").count == 2 } != nil)
            kill(running.pid, SIGINT)
            let output = running.finish()
            #expect(output.status == 130, "stderr: \(output.stderr)")
            let trace = try TraceFile(path: path)
            let states = trace.taskSpans.values.compactMap { ($0["args"] as? [String: Any])?["state"] as? String }
            #expect(!states.contains("failed"), "attempt \(attempt): \(output.stdout)")
        }
    }

    @Test("kill -9 of the parent: its workers die with it and nothing is left in TMPDIR but its own cut trace (issue 14)")
    func parentKilled() throws {
        let folder = try CLIRunner.makeFolder()
        let temporary = folder.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("killed.json").path
        let running = try CLIRunner.Running(
            ["run", "--workload", "sleep", "--strategy", "processes", "--tasks", "20", "--sleep-ms", "5000",
             "--workers", "2", "--out", path, "--verbose"],
            environment: ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 })
        let lines = try #require(running.waitForStderr { Self.pids(in: $0, saying: "ready").count == 2 })
        kill(running.pid, SIGKILL)
        _ = running.finish()
        // At once: not when their 5 s task ends and they find their input closed.
        for worker in Self.pids(in: lines, saying: "ready") {
            #expect(Self.isGone(worker, within: 1), "worker \(worker) outlived its parent")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("the 2 s grace exit after Ctrl-C (a stopped worker holds the run) kills the workers and merges their traces")
    func graceExit() throws {
        let folder = try CLIRunner.makeFolder()
        let temporary = folder.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("grace.json").path
        // One task for two workers: worker 2 stays idle; stopped, it never answers the end of its input.
        let running = try CLIRunner.Running(
            ["run", "--workload", "sleep", "--strategy", "processes", "--tasks", "1", "--sleep-ms", "5000",
             "--workers", "2", "--out", path, "--verbose"],
            environment: ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 })
        let parent = running.pid
        let lines = try #require(running.waitForStderr { Self.pids(in: $0, saying: "ready").count == 2 })
        let workers = Self.pids(in: lines, saying: "ready")
        let idle = try #require(lines.first { $0.contains("worker 2 (pid") && $0.hasSuffix("ready") }
            .flatMap { Self.pids(in: [$0], saying: "ready").first })
        kill(idle, SIGSTOP)
        kill(parent, SIGINT)
        let output = running.finish()
        #expect(output.status == 130, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("interrupted before the running tasks ended"), "stderr: \(output.stderr)")
        for worker in workers { #expect(Self.isGone(worker), "worker \(worker) outlived the run") }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: temporary)
        #expect(leftovers.isEmpty, "left in TMPDIR: \(leftovers)")
        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        #expect(Processes(trace).workerPIDs.count == 2)
    }
}
