import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("conctrace CLI, end to end", .serialized)
struct CLITests {
    @Test("--help names the commands and the exit codes; --version names the C libraries")
    func help() throws {
        let root = try CLIRunner.run(["--help"])
        #expect(root.status == 0)
        for command in ["demo", "run", "sweep", "advise", "bench", "serve", "analyze", "compare", "report", "view"] {
            #expect(root.stdout.contains("\n  \(command) "), "--help lists \(command)")
        }
        #expect(!root.stdout.contains("\n  worker "))  // hidden: started by the processes strategy only
        // The help text is wrapped at 80 columns: compare it as one line.
        let flat = root.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("130 interrupted"))
        let run = try CLIRunner.run(["run", "--help"])
        #expect(run.status == 0)
        for option in ["--workload", "--strategy", "--tasks", "--workers", "--base", "--sleep-ms", "--steps", "--out",
                       "--no-trace", "--format"] {
            #expect(run.stdout.contains(option), "run --help mentions \(option)")
        }
        let bench = try CLIRunner.run(["bench", "record", "--help"])
        #expect(bench.status == 0 && bench.stdout.contains("--format"))
        let version = try CLIRunner.run(["--version"])
        #expect(version.stdout.contains("libcurl") && version.stdout.contains("json-c"))
    }

    @Test("a threads run prints one JSON object and writes a trace with every task's whole life")
    func threadsRun() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("cpu.json").path
        let output = try CLIRunner.run(["run", "--workload", "cpu", "--strategy", "threads", "--tasks", "6",
                                        "--base", "50000", "--workers", "3", "--out", path, "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        #expect(json["workload"] as? String == "cpu")
        #expect(json["strategy"] as? String == "threads")
        #expect(json["tasks"] as? Int == 6)
        #expect(json["failed"] as? Int == 0)
        #expect((json["wall_s"] as? Double ?? 0) > 0)
        #expect(json["trace"] as? String == path)
        #expect(json["dropped"] as? Int == 0)

        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let run = try #require(trace.named("conctrace.run").first?["args"] as? [String: Any])
        #expect(run["workload"] as? String == "cpu" && run["strategy"] as? String == "threads")
        #expect(run["base"] as? Int == 50000 && run["workers"] as? Int == 3)
        let threadNames = Set(trace.named("thread_name").compactMap { ($0["args"] as? [String: Any])?["name"] as? String })
        #expect(threadNames == ["main", "thread 1", "thread 2", "thread 3"])

        let tasks = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("cpu ") == true }
        #expect(tasks.count == 6)
        for (id, span) in tasks {
            let k = Int((span["name"] as! String).dropFirst(4))!
            let n = 50000 + k
            let expected = (n * (n - 1) * (2 * n - 1)) / 6  // fits in Int for these n
            let args = span["args"] as! [String: Any]
            #expect(args["result"] as? String == String(expected))
            #expect(args["state"] as? String == "done")
            // created (the span's start) -> ready -> running -> done (the span's end)
            #expect(trace.states(of: id) == ["ready", "running"])
            let slices = trace.events.filter {
                $0["ph"] as? String == "X" && ($0["args"] as? [String: Any])?["task"] as? Int == id
            }
            #expect(slices.count == 1)
            #expect((slices.first?["tid"] as? Int ?? 0) >= 2, "a cpu task runs on a pool thread, not main")
        }
        let stats = try #require(trace.named("conctrace.stats").last?["args"] as? [String: Any])
        #expect(stats["final"] as? Bool == true)
        #expect(stats["dropped"] as? Int == 0)
        #expect((stats["ns_per_event"] as? Double ?? 0) > 0)
    }

    @Test("text output is one line; the default trace path is traces/<workload>-<strategy>.json")
    func defaultPath() throws {
        let folder = try CLIRunner.makeFolder()
        let output = try CLIRunner.run(["run", "--workload", "sleep", "--strategy", "sequential", "--tasks", "3",
                                        "--sleep-ms", "1", "--steps", "2"], in: folder)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout.split(separator: "\n").count == 1)
        #expect(output.stdout.hasPrefix("sleep/sequential: 3 of 3 tasks done in "))
        let path = folder.appendingPathComponent("traces/sleep-sequential.json").path
        let trace = try TraceFile(path: path)
        for (id, span) in trace.taskSpans where (span["name"] as? String)?.hasPrefix("sleep ") == true {
            #expect(trace.states(of: id) == ["ready", "running", "waiting (timer)", "ready", "running",
                                             "waiting (timer)", "ready", "running"])
        }
    }

    @Test("the ground truth: 1,000 tasks of two 50 ms sleeps on one event loop take about 100 ms, not 100 s")
    func eventLoopGroundTruth() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("truth.json").path
        let output = try CLIRunner.run(["run", "--workload", "sleep", "--strategy", "eventloop", "--tasks", "1000",
                                        "--steps", "2", "--sleep-ms", "50", "--out", path, "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        let wall = try #require(json["wall_s"] as? Double)
        // Physics: at least the two sleeps; a generous ceiling (the benchmark has the precise figure).
        #expect(wall >= 0.1)
        #expect(wall < 2.0)
        #expect(json["dropped"] as? Int == 0)
        let trace = try TraceFile(path: path)
        let tasks = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("sleep ") == true }
        #expect(tasks.count == 1000)
        let expected = ["ready", "running", "waiting (timer)", "ready", "running", "waiting (timer)", "ready", "running"]
        #expect(tasks.keys.allSatisfy { trace.states(of: $0) == expected })
        let loopThreads = trace.named("thread_name").filter { ($0["args"] as? [String: Any])?["name"] as? String == "eventloop" }
        #expect(loopThreads.count == 1)
    }

    @Test("async and eventloop runs of cpu: exact sums, every task's life, a worker per slice",
          arguments: ["async", "eventloop"])
    func executorRuns(strategy: String) throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("cpu.json").path
        let output = try CLIRunner.run(["run", "--workload", "cpu", "--strategy", strategy, "--tasks", "5",
                                        "--base", "30000", "--out", path, "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let trace = try TraceFile(path: path)
        let tasks = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("cpu ") == true }
        #expect(tasks.count == 5)
        for (id, span) in tasks {
            let n = 30000 + Int((span["name"] as! String).dropFirst(4))!
            #expect((span["args"] as? [String: Any])?["result"] as? String == String(n * (n - 1) * (2 * n - 1) / 6))
            #expect(trace.states(of: id) == ["ready", "running"])
        }
        let root = try #require(trace.taskSpans.values.first { $0["name"] as? String == "main" })
        #expect((root["args"] as? [String: Any])?["state"] as? String == "done")
        // The last child's slice wakes the root: one wake arrow.
        #expect(trace.events.filter { $0["ph"] as? String == "s" && $0["cat"] as? String == "wake" }.count == 1)
    }

    @Test("Ctrl-C during a big event-loop run stops it cleanly and keeps the trace")
    func interruptEventLoop() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("loop.json").path
        let output = try CLIRunner.run(["run", "--workload", "sleep", "--strategy", "eventloop", "--tasks", "20000",
                                         "--steps", "40", "--sleep-ms", "50", "--out", path, "--verbose"],
                                       signal: SIGINT, whenStderrContains: "running sleep/eventloop")
        #expect(output.status == 130, "stderr: \(output.stderr)")
        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let states = trace.taskSpans.values.compactMap { ($0["args"] as? [String: Any])?["state"] as? String }
        #expect(states.count == 20001)
        #expect(states.filter { $0 == "cancelled" }.count >= 19_000)
    }

    @Test("--workers with a one-thread strategy is ignored with a note, not silently")
    func workersIgnored() throws {
        let output = try CLIRunner.run(["run", "--strategy", "eventloop", "--workers", "5", "--base", "100",
                                        "--no-trace"])
        #expect(output.status == 0)
        #expect(output.stderr == "conctrace: note: eventloop runs on 1 thread; --workers 5 is ignored\n")
    }

    @Test("--no-trace writes nothing")
    func noTrace() throws {
        let folder = try CLIRunner.makeFolder()
        let output = try CLIRunner.run(["run", "--base", "1000", "--no-trace", "--format", "json"], in: folder)
        #expect(output.status == 0)
        #expect(output.stdout.contains("\"trace\":null"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("traces").path))
    }

    @Test("bad arguments get one line and exit 64", arguments: [
        ["run", "--tasks", "0"], ["run", "--workers", "0"], ["run", "--workload", "nope"],
        ["run", "--strategy", "nope"], ["run", "--strategy", "async", "--workers", "0"],
        ["run", "--strategy", "eventloop", "--workers", "100000"], ["run", "--steps", "-1"], ["run", "--sleep-ms", "-5"], ["run", "--base", "-1"],
        ["run", "--no-trace", "--out", "x.json"], ["run", "--bogus"], ["bench", "record", "--events", "0"],
        ["bench", "switch", "--cases", "nope"], ["serve", "--error-rate", "2"], ["serve", "--latency-ms", "9-3"],
        ["run", "--strategy", "processes", "--workers", "5000"],
    ])
    func badArguments(arguments: [String]) throws {
        let output = try CLIRunner.run(arguments)
        #expect(output.status == 64)
        #expect(output.stderr.hasPrefix("conctrace: error: "))
        #expect(output.stderr.split(separator: "\n").count == 1, "one line: \(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test("an output that cannot be created exits 73; a full disk exits 74 and keeps what was written")
    func outputFailures() throws {
        let unwritable = try CLIRunner.run(["run", "--base", "100", "--out", "/proc/no-such/x.json"])
        #expect(unwritable.status == 73)
        #expect(unwritable.stderr.split(separator: "\n").count == 1)
        let full = try CLIRunner.run(["run", "--base", "100", "--out", "/dev/full"])
        #expect(full.status == 74)
        #expect(full.stderr.contains("No space left on device"))
    }

    @Test("a write limit reached mid-run (like a full disk) exits 74; the cut trace keeps its head and loads")
    func fileSizeLimit() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("cut.json").path
        let script = "ulimit -f 16; exec '\(CLIRunner.binary.path)' run --workload sleep --tasks 400 --sleep-ms 1 " +
            "--workers 8 --out '\(path)'"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 74)
        #expect(stderr.contains("File too large") && stderr.contains("still loads"))
        let trace = try TraceFile(path: path)
        #expect(!trace.isComplete)
        #expect(trace.named("conctrace.run").count == 1)
        #expect(trace.events.count > 50)
    }

    @Test("Ctrl-C (SIGINT) or SIGTERM stops the run, exits 130 or 143, and leaves a complete trace",
          arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func interrupt(signal: Int32, expected: Int32) throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("interrupted.json").path
        let output = try CLIRunner.run(["run", "--workload", "sleep", "--tasks", "200", "--workers", "4",
                                         "--sleep-ms", "100", "--steps", "20", "--out", path, "--verbose"],
                                       signal: signal, whenStderrContains: "running sleep/threads")
        #expect(output.status == expected)
        #expect(!output.signaled)
        #expect(output.stderr.contains("interrupted"))
        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let stats = try #require(trace.named("conctrace.stats").last?["args"] as? [String: Any])
        #expect(stats["final"] as? Bool == true)
        let states = trace.taskSpans.values.compactMap { ($0["args"] as? [String: Any])?["state"] as? String }
        #expect(states.filter { $0 == "cancelled" }.count >= 190)
    }

    @Test("kill -9 mid-run leaves a trace that still parses up to the cut")
    func killed() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("killed.json").path
        let running = try CLIRunner.Running(["run", "--workload", "sleep", "--tasks", "400", "--workers", "8",
                                              "--sleep-ms", "2", "--steps", "50", "--out", path, "--verbose"])
        try #require(running.waitForLine(containing: "running sleep/threads") != nil)
        // Ready to be cut: slices are on disk.
        for _ in 0..<3000 {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if text.components(separatedBy: "\"ph\":\"X\"").count > 11 { break }
            usleep(2_000)
        }
        kill(running.pid, SIGKILL)
        let output = running.finish()
        #expect(output.signaled && output.status == SIGKILL)
        let trace = try TraceFile(path: path)
        #expect(!trace.isComplete)
        #expect(trace.named("conctrace.run").count == 1)
        #expect(trace.events.filter { $0["ph"] as? String == "X" }.count > 10)
    }

    @Test("serve prints its URL, serves pages, exits 130 on Ctrl-C; a port in use exits 69")
    func serve() throws {
        let started = try CLIRunner.start(["serve", "--port", "0", "--latency-ms", "1"])
        let (process, out, _) = started
        // The first line names the URL; read it as soon as it is there.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("serving 15 pages on http://127.0.0.1:"))
        let url = try #require(text.split(separator: " ").first { $0.hasPrefix("http://") })
        let port = try #require(Int(url.split(separator: ":").last!))
        let busy = try CLIRunner.run(["serve", "--port", String(port)])
        #expect(busy.status == 69)
        #expect(busy.stderr.contains("in use") && busy.stderr.split(separator: "\n").count == 1)
        kill(process.processIdentifier, SIGINT)
        let output = CLIRunner.finish(started)
        #expect(output.status == 130)
        #expect(output.stderr.contains("served"))
    }

    @Test("bench record reports positive costs for one and two threads")
    func benchRecord() throws {
        let output = try CLIRunner.run(["bench", "record", "--events", "4096", "--rounds", "5", "--format", "json"])
        #expect(output.status == 0)
        let json = try #require(output.json)
        let one = try #require(json["ns_per_event_1_thread"] as? Double)
        let two = try #require(json["ns_per_event_2_threads"] as? Double)
        #expect(one > 0 && one < 100_000)
        #expect(two > 0 && two < 100_000)
    }
}
