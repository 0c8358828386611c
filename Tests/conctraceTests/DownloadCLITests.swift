import Foundation
import Testing

@Suite("conctrace run --workload download, end to end", .serialized, .timeLimit(.minutes(1)))
struct DownloadCLITests {
    @Test("eventloop fetches the tutorial's 15 pages from the embedded server: 625,484 bytes, each task waiting on I/O")
    func eventLoopDownload() throws {
        let folder = try CLIRunner.makeFolder()
        let path = folder.appendingPathComponent("download.json").path
        let output = try CLIRunner.run(["run", "--workload", "download", "--strategy", "eventloop", "--format", "json",
                                        "--latency-ms", "50", "--out", path])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        #expect(json["workload"] as? String == "download")
        #expect(json["tasks"] as? Int == 15)
        #expect(json["bytes"] as? Int == 625_484)
        #expect(json["done"] as? Int == 15 && json["failed"] as? Int == 0)

        let trace = try TraceFile(path: path)
        #expect(trace.isComplete)
        let run = try #require(trace.named("conctrace.run").first?["args"] as? [String: Any])
        #expect((run["source"] as? String)?.hasPrefix("embedded server http://127.0.0.1:") == true)
        #expect(run["timeout_ms"] as? Int == 10_000)
        let tasks = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("download ") == true }
        #expect(tasks.count == 15)
        for (id, span) in tasks {
            let args = try #require(span["args"] as? [String: Any])
            let page = Int((span["name"] as! String).dropFirst("download ".count))!
            #expect(args["state"] as? String == "done")
            #expect(args["status"] as? Int == 200)
            #expect((args["url"] as? String)?.hasSuffix("/page/\(page)") == true)
            #expect(args["bytes"] as? Int == [63153, 31461, 23965, 36312, 25203, 15160, 28749, 29587, 79318, 30298,
                                              73914, 62218, 22318, 36800, 67028][page])
            #expect((args["total_ms"] as? Double ?? 0) >= 45)
            #expect(trace.states(of: id) == ["ready", "running", "waiting (io)", "ready", "running"])
        }
        // One loop thread ran every slice, switching to the next task while each waited.
        let slices = trace.events.filter { $0["ph"] as? String == "X" && ($0["name"] as? String)?.hasPrefix("download ") == true }
        #expect(Set(slices.compactMap { $0["tid"] as? Int }).count == 1)
        let order = slices.sorted { ($0["ts"] as! NSNumber).doubleValue < ($1["ts"] as! NSNumber).doubleValue }
            .compactMap { ($0["args"] as? [String: Any])?["task"] as? Int }
        #expect(Set(order.prefix(15)).count == 15)
    }

    @Test("a stall past --timeout-ms fails its task; the run exits 3 (partial failure) and says how many failed")
    func partialFailure() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let output = try CLIRunner.run(["run", "--workload", "download", "--strategy", "async", "--tasks", "4",
                                        "--stall-rate", "1", "--timeout-ms", "300", "--no-trace"])
        #expect(output.status == 3, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("0 of 4 tasks done") && output.stdout.contains("4 failed"))
        #expect(output.stdout.contains("0 bytes"))
        #expect(clock.now - started < .seconds(10))

        let errors = try CLIRunner.run(["run", "--workload", "download", "--strategy", "threads", "--tasks", "3",
                                        "--error-rate", "1", "--latency-ms", "0", "--format", "json", "--no-trace"])
        #expect(errors.status == 3)
        let json = try #require(errors.json)
        #expect(json["failed"] as? Int == 3 && json["bytes"] as? Int == 0)
    }

    @Test("--urls: a malformed line exits 65 naming it; a missing file exits 66; --server and --urls contradict")
    func badInput() throws {
        let folder = try CLIRunner.makeFolder()
        let list = folder.appendingPathComponent("urls.txt")
        try "# pages\nhttp://127.0.0.1:1/page/0\n\nhttp://exa mple/page/1\n".write(to: list, atomically: true,
                                                                                 encoding: .utf8)
        let malformed = try CLIRunner.run(["run", "--workload", "download", "--urls", list.path, "--no-trace"])
        #expect(malformed.status == 65)
        #expect(malformed.stderr.contains("line 4") && malformed.stderr.contains("exa mple"))
        #expect(malformed.stderr.split(separator: "\n").count == 1)

        let missing = try CLIRunner.run(["run", "--workload", "download", "--urls", folder.appendingPathComponent("none").path,
                                         "--no-trace"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read"))

        let both = try CLIRunner.run(["run", "--workload", "download", "--urls", list.path, "--server",
                                      "http://127.0.0.1:1"])
        #expect(both.status == 64)
        let wrongWorkload = try CLIRunner.run(["run", "--workload", "cpu", "--latency-ms", "5"])
        #expect(wrongWorkload.status == 64 && wrongWorkload.stderr.contains("--latency-ms"))
    }

    @Test("--urls fetches each line; a refused connection fails only its own task")
    func urlFile() throws {
        let folder = try CLIRunner.makeFolder()
        let list = folder.appendingPathComponent("urls.txt")
        let page = folder.appendingPathComponent("page.html")
        try String(repeating: "x", count: 1234).write(to: page, atomically: true, encoding: .utf8)
        try "file://\(page.path)\n# refused:\nhttp://127.0.0.1:1/page/0\n".write(to: list, atomically: true,
                                                                                   encoding: .utf8)
        let path = folder.appendingPathComponent("t.json").path
        let output = try CLIRunner.run(["run", "--workload", "download", "--strategy", "eventloop", "--urls", list.path,
                                        "--format", "json", "--out", path])
        #expect(output.status == 3, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        #expect(json["tasks"] as? Int == 2 && json["done"] as? Int == 1 && json["bytes"] as? Int == 1234)
        let trace = try TraceFile(path: path)
        let failed = trace.taskSpans.values.compactMap { $0["args"] as? [String: Any] }
            .filter { $0["state"] as? String == "failed" }
        #expect(failed.count == 1)
        #expect((failed.first?["error"] as? String)?.contains("onnect") == true)
    }

    @Test("Ctrl-C shuts the embedded server down: transfers waiting on it end cancelled at once, exit 130")
    func interrupt() throws {
        let started = try CLIRunner.start(["run", "--workload", "download", "--strategy", "eventloop", "--tasks", "5",
                                           "--stall-rate", "1", "--no-trace"])
        Thread.sleep(forTimeInterval: 0.5)
        let clock = ContinuousClock()
        let signalled = clock.now
        started.0.interrupt()
        let output = CLIRunner.finish(started)
        #expect(output.status == 130, "stderr: \(output.stderr)")
        #expect(output.stdout.contains("5 cancelled"))
        // Well inside the 10 s transfer timeout and the 2 s grace period.
        #expect(clock.now - signalled < .seconds(1.5))
    }

    @Test("run --help lists the download options")
    func help() throws {
        let help = try CLIRunner.run(["run", "--help"])
        for option in ["--urls", "--server", "--latency-ms", "--error-rate", "--reset-rate", "--stall-rate",
                       "--timeout-ms", "download"] {
            #expect(help.stdout.contains(option), "run --help mentions \(option)")
        }
    }
}
