import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `conctrace sweep`, `advise` and `demo`, end to end: child runs of the built binary, traced and analyzed.
@Suite("conctrace sweep, advise and demo", .serialized)
struct SweepCLITests {
    static func results(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("a sweep runs every strategy at every size and records the figures of each run")
    func sweep() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("sweep.json").path
        let result = try CLIRunner.run([
            "sweep", "--workload", "sleep", "--tasks", "4,8", "--strategies", "sequential,eventloop,processes",
            "--sleep-ms", "2", "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let sweep = try Self.results(out)
        #expect(sweep["kind"] as? String == "sweep")
        #expect(sweep["workload"] as? String == "sleep")
        let runs = try #require(sweep["runs"] as? [[String: Any]])
        #expect(runs.map { "\($0["strategy"]!)×\($0["tasks"]!)" } ==
                ["sequential×4", "eventloop×4", "processes×4", "sequential×8", "eventloop×8", "processes×8"])
        for run in runs {
            #expect(run["status"] as? String == "ok")
            let wall = try #require(run["wall_s"] as? Double)
            #expect(wall > 0)
            // Each task waits 2 ms: its latency is at least that.
            #expect(try #require(run["latency_ms_p99"] as? Double) >= 2)
            #expect(try #require(run["peak_rss_bytes"] as? Int) > 1 << 20)
            let trace = try #require(run["trace"] as? String)
            #expect(FileManager.default.fileExists(atPath: trace))
        }
        // Sequential runs one task after another: 8 tasks of 2 ms take at least 16 ms.
        #expect(try #require(runs[3]["wall_s"] as? Double) >= 0.016)
        #expect(result.stdout.contains("sequential"))
        #expect(result.stdout.contains("results: \(out)"))
    }

    @Test("a size predicted to pass the limit is not run, and reported with the reason; exit 0")
    func skippedSize() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("sweep.json").path
        // Sequential: 5 tasks of 20 ms take 0.1 s; 500 would take about 10 s, past a 2 s limit.
        let result = try CLIRunner.run([
            "sweep", "--workload", "sleep", "--tasks", "5,500", "--strategies", "sequential", "--sleep-ms", "20",
            "--limit-s", "2", "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try #require(try Self.results(out)["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs[0]["status"] as? String == "ok")
        #expect(runs[1]["status"] as? String == "skipped")
        let reason = try #require(runs[1]["error"] as? String)
        #expect(reason.hasPrefix("about"))
        #expect(reason.hasSuffix("over the 2 s limit per run (--limit-s)"))
        #expect(runs[1]["wall_s"] is NSNull)
    }

    @Test("a run that cannot run is reported with the run's own error, and larger sizes are not tried")
    func runError() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("sweep.json").path
        let missing = folder.appendingPathComponent("no-such-urls.txt").path
        let result = try CLIRunner.run([
            "sweep", "--workload", "download", "--urls", missing, "--tasks", "2,4", "--strategies", "sequential",
            "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path,
        ])
        #expect(result.status == 3, "\(result.stderr)")
        let runs = try #require(try Self.results(out)["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs[0]["status"] as? String == "error")
        #expect(runs[0]["exit_code"] as? Int == 66)
        #expect((runs[0]["error"] as? String)?.hasPrefix("cannot read --urls \(missing)") == true)
        #expect(runs[1]["status"] as? String == "skipped")
        #expect(runs[1]["error"] as? String == "it could not run 2 tasks")
    }

    @Test("sizes a sweep cannot take, and unknown strategies, are usage errors (64) in one line",
          arguments: [["--tasks", "10,0"], ["--tasks", "10,20000000"], ["--tasks", "ten"],
                      ["--strategies", "threads,fibers"]])
    func badArguments(_ arguments: [String]) throws {
        let result = try CLIRunner.run(["sweep", "--workload", "sleep"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("Ctrl-C stops a sweep: exit 130, and the results file holds the runs measured so far")
    func interrupted() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("sweep.json").path
        let result = try CLIRunner.run([
            "sweep", "--workload", "sleep", "--tasks", "2,400", "--strategies", "sequential", "--sleep-ms", "10",
            "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path, "--verbose",
        ], signal: SIGINT, whenStderrContains: "[2/2]")
        #expect(result.status == 130, "\(result.stderr)")
        let runs = try #require(try Self.results(out)["runs"] as? [[String: Any]])
        #expect(runs.first?["status"] as? String == "ok")
        #expect(result.stderr.contains("interrupted"))
    }

    @Test("kill -9 of advise: its child run dies with it and its temporary folder goes (issue 14)")
    func adviseKilled() throws {
        let folder = try CLIRunner.makeFolder()
        let temporary = folder.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let running = try CLIRunner.Running(
            ["advise", "--workload", "sleep", "--tasks", "50", "--sleep-ms", "500", "--strategies", "sequential,threads",
             "--verbose"],
            environment: ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 })
        try #require(running.waitForLine(containing: "[1/") != nil)
        // Ready: the first child run has written its trace's head into advise's temporary folder.
        var child: Int32?
        for _ in 0..<2000 where child == nil {
            child = Self.process(withArgumentContaining: temporary)
            if child == nil { usleep(5_000) }
        }
        let running1 = try #require(child)
        kill(running.pid, SIGKILL)
        // At once, not in the 25 s it had left to run.
        let gone = ProcessesCLITests.isGone(running1, within: 3)
        #expect(gone, "the child run \(running1) outlived advise")
        if !gone { kill(running1, SIGKILL) }
        _ = running.finish()
        var empty = false
        for _ in 0..<500 where !empty {
            empty = (try? FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty) ?? false
            if !empty { usleep(10_000) }
        }
        #expect(empty, "left in TMPDIR: \((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [])")
    }

    /// A conctrace run process whose command line mentions `text` (its trace path), if one lives.
    static func process(withArgumentContaining text: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline")) else { continue }
            let arguments = String(decoding: command, as: UTF8.self).split(separator: "\0")
            if arguments.contains("run"), arguments.contains(where: { $0.contains(text) }) { return pid }
        }
        return nil
    }

    @Test("advise runs the candidates and answers 'use X' with reasons")
    func advise() throws {
        let result = try CLIRunner.run([
            "advise", "--workload", "sleep", "--tasks", "40", "--sleep-ms", "20",
            "--strategies", "sequential,eventloop",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // Sequential: 40 × 20 ms = 0.8 s; the event loop waits for all 40 at once.
        #expect(result.stdout.contains("\nuse eventloop\n"))
        #expect(result.stdout.contains("sequential"))
        #expect(result.stdout.contains("The tutorial's rule for I/O-bound work"))
    }

    @Test("demo: the tutorial's experiments under every strategy, traces, verdict and report")
    func demo() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("traces").path
        let result = try CLIRunner.run([
            "demo", "--out-dir", out, "--pages", "4", "--latency-ms", "20", "--cpu-tasks", "4", "--cpu-base", "1000",
            "--sweep", "4,8",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for workload in ["download", "cpu"] {
            for strategy in ["sequential", "threads", "async", "eventloop", "processes"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(workload)-\(strategy).json"),
                        "\(workload)-\(strategy)")
            }
        }
        #expect(result.stdout.contains("Verdict"))
        #expect(result.stdout.contains("I/O-bound (download): use "))
        #expect(result.stdout.contains("CPU-bound (cpu): use "))
        let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
        #expect(html.contains("<svg"))
        let sweep = try #require(try Self.results("\(out)/sweep-sleep.json")["runs"] as? [[String: Any]])
        #expect(sweep.count == 10)
        // Not a terminal: no progress line on stderr.
        #expect(!result.stderr.contains("["))
    }
}
