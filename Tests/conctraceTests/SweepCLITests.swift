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

    @Test("a sweep runs every strategy at every size, interleaved and repeated, and records each run's figures")
    func sweep() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("sweep.json").path
        let result = try CLIRunner.run([
            "sweep", "--workload", "sleep", "--tasks", "4,8", "--strategies", "sequential,eventloop,processes",
            "--sleep-ms", "2", "--repeat", "2", "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let sweep = try Self.results(out)
        #expect(sweep["kind"] as? String == "sweep")
        #expect(sweep["workload"] as? String == "sleep")
        let repetition = try #require(sweep["repetition"] as? [String: Any])
        #expect(repetition["mode"] as? String == "fixed" && repetition["runs"] as? Int == 2)
        let runs = try #require(sweep["runs"] as? [[String: Any]])
        // Rounds interleave the strategies (A B C A B C); warm-up runs that went well are not kept.
        #expect(runs.map { "\($0["strategy"]!)×\($0["tasks"]!)#\($0["round"]!)" } == [
            "sequential×4#1", "eventloop×4#1", "processes×4#1", "sequential×4#2", "eventloop×4#2", "processes×4#2",
            "sequential×8#1", "eventloop×8#1", "processes×8#1", "sequential×8#2", "eventloop×8#2", "processes×8#2",
        ])
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
        #expect(try #require(runs[6]["wall_s"] as? Double) >= 0.016)
        let summaries = try #require(sweep["summaries"] as? [[String: Any]])
        #expect(summaries.count == 6)
        for summary in summaries {
            #expect(summary["runs"] as? Int == 2 && summary["status"] as? String == "ok")
            let wall = try #require(summary["wall_s"] as? [String: Any])
            #expect((wall["ci95"] as? [Double])?.count == 2 && wall["n"] as? Int == 2)
        }
        let verdicts = try #require(sweep["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["tasks"] as? Int } == [4, 8])
        #expect(verdicts.allSatisfy { $0["stopped"] as? String == "fixed_count" })
        // Two runs each cannot name a winner at p < 0.01: an honest tie.
        #expect(verdicts.allSatisfy { $0["decision"] as? String == "tie" })
        #expect(result.stdout.contains("wall s [95% CI]"))
        #expect(result.stdout.contains("\n4 tasks: ") && result.stdout.contains("\n8 tasks: "))
        #expect(result.stdout.contains("cannot be told apart with 2 runs each"), "\(result.stdout)")
        #expect(result.stdout.contains("results: \(out)"))
    }

    @Test("a size predicted to pass the limit is not run, and reported with the reason; exit 0")
    func skippedSize() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("sweep.json").path
        // Sequential: 5 tasks of 20 ms take 0.1 s; 500 would take about 10 s, past a 2 s limit.
        let result = try CLIRunner.run([
            "sweep", "--workload", "sleep", "--tasks", "5,500", "--strategies", "sequential", "--sleep-ms", "20",
            "--limit-s", "2", "--repeat", "1", "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try #require(try Self.results(out)["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs[0]["status"] as? String == "ok")
        #expect(runs[1]["status"] as? String == "skipped")
        let reason = try #require(runs[1]["error"] as? String)
        #expect(reason.hasPrefix("about") && reason.contains("(median "))
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
            "--repeat", "3", "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path,
        ])
        #expect(result.status == 3, "\(result.stderr)")
        let runs = try #require(try Self.results(out)["runs"] as? [[String: Any]])
        // The warm-up run could not run: kept (round 0), and the strategy leaves the plan.
        #expect(runs.count == 2)
        #expect(runs[0]["status"] as? String == "error" && runs[0]["round"] as? Int == 0)
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
            "--repeat", "1", "--out", out, "--trace-dir", folder.appendingPathComponent("runs").path, "--verbose",
        ], signal: SIGINT, whenStderrContains: "sleep × 400 · round 1")
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
        try #require(running.waitForLine(containing: "sequential") != nil)
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

    @Test("advise --repeat 3: interleaved runs, every figure with its spread, and an honest tie for so few runs")
    func advise() throws {
        let folder = try CLIRunner.makeFolder()
        let result = try CLIRunner.run([
            "advise", "--workload", "sleep", "--tasks", "40", "--sleep-ms", "20",
            "--strategies", "sequential,eventloop", "--repeat", "3", "--trace-dir", folder.path, "--verbose",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        // The progress: a warm-up run each, then three interleaved rounds.
        let steps = result.stderr.split(separator: "\n").filter { $0.hasSuffix("…") }
        #expect(steps.count == 8)
        #expect(steps.prefix(4).map { String($0.dropFirst("conctrace: ".count).prefix(20)) } ==
                ["warm-up · sequential", "warm-up · eventloop ", "round 1 · sequential", "round 1 · eventloop "])
        #expect(result.stdout.contains("wall median [95% CI]"))
        // Sequential: 40 × 20 ms = 0.8 s; the event loop waits for all 40 at once. Yet with 3 runs each no rank
        // test reaches p < 0.01: a tie, said with the reason.
        #expect(result.stdout.contains("\neventloop and sequential cannot be told apart with 3 runs each:"))
        #expect(result.stdout.contains("(5 runs each can)"))
        #expect(result.stdout.contains("Runs stopped: 3 counted runs per strategy, as asked."))
        #expect(result.stdout.contains("The trace makes this I/O-bound"))
        #expect(result.stdout.contains("3 runs each only, so the interval is min-max at 75% confidence"))
        for strategy in ["sequential", "eventloop"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sleep-\(strategy).json").path))
        }
    }

    @Test("advise --format json: the verdict, every strategy's spread, the rule and the warnings, parsed")
    func adviseJSON() throws {
        let result = try CLIRunner.run([
            "advise", "--workload", "sleep", "--tasks", "8", "--sleep-ms", "5", "--strategies", "sequential,threads",
            "--repeat", "5", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 1)
        let json = try #require(result.json)
        #expect(Set(json.keys) == ["workload", "cores", "verdict", "strategies", "rule", "swift_note", "warnings",
                                   "repetition"])
        #expect(json["workload"] as? String == "sleep")
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(Set(verdict.keys) == ["winners", "decision", "decided_by", "text", "test", "alpha", "threshold",
                                      "comparisons", "excluded"])
        // Sequential takes 8 × 5 ms = 40 ms, threads about 5 ms: five runs each, entirely apart, p = 0.0079.
        #expect(verdict["winners"] as? [String] == ["threads"], "\(result.stdout)")
        #expect(verdict["decision"] as? String == "clear_winner" && verdict["decided_by"] as? String == "wall_s")
        let comparisons = try #require(verdict["comparisons"] as? [[String: Any]])
        #expect(comparisons.first?["outcome"] as? String == "worse")
        #expect(abs((comparisons.first?["p"] as? Double ?? 1) - 2.0 / 252) < 1e-9)
        let strategies = try #require(json["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["strategy"] as? String } == ["sequential", "threads"])
        for strategy in strategies {
            #expect(strategy["runs"] as? Int == 5 && strategy["failed_runs"] as? Int == 0)
            let wall = try #require(strategy["wall_s"] as? [String: Any])
            #expect(Set(wall.keys) == ["median", "ci95", "ci_level", "min", "max", "mean", "sd", "n", "outliers"])
            #expect((wall["ci95"] as? [Double])?.count == 2 && wall["n"] as? Int == 5)
            #expect(abs((wall["ci_level"] as? Double ?? 0) - 0.9375) < 1e-12)
            #expect(strategy["peak_rss_bytes"] is [String: Any] && strategy["latency_ms_p99"] is [String: Any])
        }
        let rule = try #require(json["rule"] as? [String: Any])
        #expect(rule["basis"] as? String == "trace" && rule["kind"] as? String == "io_bound")
        #expect(rule["switch_cost_source"] is String || rule["switch_cost_source"] is NSNull)
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["code"] as? String == "low_confidence" })
        #expect(warnings.allSatisfy { $0["text"] is String })
        let repetition = try #require(json["repetition"] as? [String: Any])
        #expect(repetition["stopped"] as? String == "fixed_count")
    }

    @Test("advise: --repeat and --budget-s contradict each other; bad counts are usage errors (64)",
          arguments: [["--repeat", "3", "--budget-s", "5"], ["--repeat", "0"], ["--budget-s", "-1"],
                      ["--format", "yaml"]])
    func adviseBadArguments(_ arguments: [String]) throws {
        let result = try CLIRunner.run(["advise", "--workload", "sleep"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("demo: the tutorial's experiments under every strategy, traces, verdict and report")
    func demo() throws {
        let folder = try CLIRunner.makeFolder()
        let out = folder.appendingPathComponent("traces").path
        let result = try CLIRunner.run([
            "demo", "--out-dir", out, "--pages", "4", "--latency-ms", "20", "--cpu-tasks", "4", "--cpu-base", "1000",
            "--sweep", "4,8", "--repeat", "1", "--sweep-repeat", "1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for workload in ["download", "cpu"] {
            for strategy in ["sequential", "threads", "async", "eventloop", "processes"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(workload)-\(strategy).json"),
                        "\(workload)-\(strategy)")
            }
        }
        #expect(result.stdout.contains("Verdict"))
        // One run each: no test can name a winner, and the verdict says so.
        #expect(result.stdout.contains("I/O-bound (download): "))
        #expect(result.stdout.contains("cannot be told apart with 1 run each"), "\(result.stdout)")
        #expect(result.stdout.contains("CPU-bound (cpu): "))
        #expect(result.stdout.contains("a single run each, so no interval"))
        let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
        #expect(html.contains("<svg"))
        let sweep = try #require(try Self.results("\(out)/sweep-sleep.json")["runs"] as? [[String: Any]])
        #expect(sweep.count == 10)
        #expect(sweep.allSatisfy { $0["round"] as? Int == 1 })
        // Not a terminal: no progress line on stderr.
        #expect(!result.stderr.contains("["))
    }
}
