import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader
import Foundation
import Testing

/// The sweep results file: written by `jsonText()`, read back by `load(path:)`, and refused clearly when wrong.
@Suite("Sweep results file")
struct SweepResultsTests {
    static func sample() -> SweepResults {
        var ok = SweepResults.Run(strategy: "eventloop", tasks: 1000, status: .ok, exitCode: 0)
        ok.wallSeconds = 0.0525
        ok.throughput = 19047.6
        ok.latencyP99Milliseconds = 51.2
        ok.dispatchOverheadMicroseconds = 1.75
        ok.switchesPerTask = 2
        ok.peakRSSBytes = 31_457_280
        ok.trace = "traces/sweep/sleep-eventloop-1000.json"
        var failed = SweepResults.Run(strategy: "threads", tasks: 10, status: .failed, exitCode: 3)
        failed.error = "2 of 10 tasks failed: HTTP 500"
        failed.wallSeconds = 1e-5
        var error = SweepResults.Run(strategy: "threads", tasks: 10000, status: .error, exitCode: 71)
        error.error = "cannot start 10000 threads: pthread_create: Resource temporarily unavailable (errno 11) \"quoted\"\n"
        return SweepResults(
            workload: "sleep",
            parameters: [("sleep_ms", .double(50)), ("steps", .int(1)), ("latency_ms", .string("50-300")),
                         ("flags", .array([.bool(true), .null]))],
            host: "box \"1\"", cores: 2, createdUnixSeconds: 1_764_000_000, version: "0.1.0",
            runs: [ok, failed, error])
    }

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("jsonText has the documented keys, in order, null for nil figures, and is strict JSON")
    func keys() throws {
        let text = Self.sample().jsonText()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["tool"] as? String == "conctrace" && json["kind"] as? String == "sweep")
        #expect(json["cores"] as? Int == 2 && json["created_unix_s"] as? Int == 1_764_000_000)
        let topKeys = ["\"tool\"", "\"kind\"", "\"version\"", "\"workload\"", "\"parameters\"", "\"host\"", "\"cores\"",
                       "\"created_unix_s\"", "\"repetition\"", "\"runs\"", "\"summaries\"", "\"verdicts\""]
        let positions = topKeys.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(Set(runs[0].keys) == ["strategy", "tasks", "round", "status", "exit_code", "error", "wall_s",
                                       "throughput_tasks_per_s", "latency_ms_p99", "dispatch_overhead_us_mean",
                                       "switches_per_task", "peak_rss_bytes", "trace"])
        #expect(runs[0]["error"] is NSNull && runs[2]["wall_s"] is NSNull && runs[2]["trace"] is NSNull)
        #expect(runs[2]["status"] as? String == "error" && runs[2]["exit_code"] as? Int == 71)
        // One run, summary and verdict per line: a diff of two sweep files shows which changed. Three runs, three
        // summaries and three verdicts (sizes 1000, 10 and 10000), each list between its opening and closing line.
        #expect(text.split(separator: "\n").count == 1 + 3 + 1 + 3 + 1 + 3 + 1)
        #expect(json["repetition"] is NSNull)
    }

    @Test("a file round-trips: every field, parameters in order, escaped strings")
    func roundTrip() throws {
        let original = Self.sample()
        let path = try Self.write(original.jsonText())
        let loaded = try SweepResults.load(path: path)
        #expect(loaded.workload == "sleep" && loaded.host == "box \"1\"" && loaded.cores == 2)
        #expect(loaded.createdUnixSeconds == 1_764_000_000 && loaded.version == "0.1.0")
        #expect(loaded.parameters.map(\.key) == ["sleep_ms", "steps", "latency_ms", "flags"])
        #expect(loaded.parameters.map(\.value) == original.parameters.map(\.value))
        #expect(loaded.runs.count == 3)
        for (read, written) in zip(loaded.runs, original.runs) {
            #expect(read.strategy == written.strategy && read.tasks == written.tasks)
            #expect(read.status == written.status && read.exitCode == written.exitCode && read.error == written.error)
            #expect(read.wallSeconds == written.wallSeconds && read.throughput == written.throughput)
            #expect(read.latencyP99Milliseconds == written.latencyP99Milliseconds)
            #expect(read.dispatchOverheadMicroseconds == written.dispatchOverheadMicroseconds)
            #expect(read.switchesPerTask == written.switchesPerTask && read.peakRSSBytes == written.peakRSSBytes)
            #expect(read.trace == written.trace)
        }
        #expect(loaded.jsonText() == original.jsonText())
        #expect(loaded.strategies == ["eventloop", "threads"])
    }

    @Test("a sweep with no runs round-trips")
    func empty() throws {
        let sweep = SweepResults(workload: "cpu", parameters: [], host: "h", cores: 1, createdUnixSeconds: 0,
                                 version: "0.1.0", runs: [])
        let loaded = try SweepResults.load(path: try Self.write(sweep.jsonText()))
        #expect(loaded.runs.isEmpty && loaded.parameters.isEmpty && loaded.workload == "cpu")
    }

    @Test("a missing file cannot be opened (exit 66 in the CLI)")
    func missing() {
        #expect {
            _ = try SweepResults.load(path: "/nonexistent/sweep.json")
        } throws: { error in
            guard let error = error as? SweepReadError, case .cannotOpen(_, "open", ENOENT) = error else { return false }
            return error.isInputUnavailable && error.description.contains("/nonexistent/sweep.json")
        }
    }

    @Test("a directory cannot be read (exit 66)")
    func directory() {
        #expect(throws: SweepReadError.self) { _ = try SweepResults.load(path: "/tmp") }
        #expect((try? SweepResults.load(path: "/tmp")) == nil)
    }

    static let broken: [(String, String)] = [
        ("", "empty"),
        ("   \n", "empty"),
        ("{\"tool\":\"conctrace\",", "ends inside"),
        ("{\"tool\": nope}", "malformed"),
        ("{} {}", "after the end"),
        ("[1,2]", "not an object"),
        ("{\"tool\":\"conctrace\",\"kind\":\"trace\",\"runs\":[]}", "\"kind\""),
        ("{\"tool\":\"conctrace\",\"kind\":\"sweep\",\"workload\":\"cpu\",\"host\":\"h\",\"cores\":1,\"created_unix_s\":0,\"version\":\"v\"}",
         "runs"),
        ("{\"tool\":\"conctrace\",\"kind\":\"sweep\",\"workload\":\"cpu\",\"host\":\"h\",\"cores\":1,\"created_unix_s\":0,\"version\":\"v\",\"runs\":[{\"strategy\":\"threads\",\"tasks\":10,\"status\":\"maybe\",\"exit_code\":0}]}",
         "runs[0].status"),
        ("{\"tool\":\"conctrace\",\"kind\":\"sweep\",\"workload\":\"cpu\",\"host\":\"h\",\"cores\":1,\"created_unix_s\":0,\"version\":\"v\",\"runs\":[{\"strategy\":\"threads\",\"tasks\":\"ten\",\"status\":\"ok\",\"exit_code\":0}]}",
         "runs[0].tasks"),
        ("{\"tool\":\"conctrace\",\"kind\":\"sweep\",\"workload\":\"cpu\",\"host\":\"h\",\"cores\":1,\"created_unix_s\":0,\"version\":\"v\",\"runs\":[{\"strategy\":\"threads\",\"tasks\":10,\"status\":\"ok\",\"exit_code\":0,\"wall_s\":\"fast\"}]}",
         "runs[0].wall_s"),
    ]

    @Test("malformed and foreign files are refused with the reason (exit 65)", arguments: broken)
    func refused(text: String, expected: String) throws {
        let path = try Self.write(text)
        #expect {
            _ = try SweepResults.load(path: path)
        } throws: { error in
            guard let error = error as? SweepReadError, !error.isInputUnavailable else { return false }
            return error.description.contains(expected) && error.description.contains(path)
                && !error.description.contains("\n")
        }
    }

    @Test("unknown keys are ignored and missing figures are nil, so newer files still load")
    func lenient() throws {
        let text = """
            {"tool":"conctrace","kind":"sweep","version":"9.9","workload":"download","host":"h","cores":4,
             "created_unix_s":1,"future":{"x":[1]},"runs":[{"strategy":"async","tasks":100,"status":"ok",
             "exit_code":0,"throughput_tasks_per_s":250,"extra":true}]}
            """
        let loaded = try SweepResults.load(path: try Self.write(text))
        #expect(loaded.parameters.isEmpty)
        let run = try #require(loaded.runs.first)
        #expect(run.throughput == 250 && run.wallSeconds == nil && run.error == nil && run.peakRSSBytes == nil)
    }
}

/// Repeated runs in the sweep file: `round`, `repetition`, the summaries and verdicts written after the runs, and
/// files from before repetitions read as one run per strategy and size.
@Suite("Sweep results with repetitions")
struct SweepRepetitionTests {
    static func run(_ strategy: String, _ tasks: Int, round: Int, wall: Double, rss: Int = 20_000_000)
        -> SweepResults.Run {
        var run = SweepResults.Run(strategy: strategy, tasks: tasks, status: .ok, exitCode: 0)
        run.round = round
        run.wallSeconds = wall
        run.throughput = Double(tasks) / wall
        run.latencyP99Milliseconds = wall * 900
        run.peakRSSBytes = rss
        return run
    }

    /// Two strategies at 10 tasks, six rounds each, interleaved: eventloop clearly faster; at 100 tasks sequential
    /// skipped, eventloop alone.
    static func sample() -> SweepResults {
        var runs: [SweepResults.Run] = []
        let sequential = [0.101, 0.102, 0.103, 0.104, 0.105, 0.106]
        let eventloop = [0.0101, 0.0102, 0.0103, 0.0104, 0.0105, 0.0106]
        for round in 1...6 {
            runs.append(run("sequential", 10, round: round, wall: sequential[round - 1]))
            runs.append(run("eventloop", 10, round: round, wall: eventloop[round - 1]))
        }
        var skipped = SweepResults.Run(strategy: "sequential", tasks: 100, status: .skipped, exitCode: 0)
        skipped.error = "about 1 s predicted"
        runs.append(run("eventloop", 100, round: 1, wall: 0.011))
        runs.append(skipped)
        return SweepResults(workload: "sleep", parameters: [("sleep_ms", .double(10))], host: "h", cores: 2,
                            createdUnixSeconds: 1, version: "0.1.0",
                            repetition: .adaptive(budgetSeconds: 12.5), runs: runs,
                            stops: [SweepResults.Stop(tasks: 10, reason: .precise(tolerance: 0.05)),
                                    SweepResults.Stop(tasks: 100, reason: .fixedCountReached(1))])
    }

    @Test("summaries: n, median, interval and status per strategy and size; a verdict per size")
    func summaries() throws {
        let sweep = Self.sample()
        #expect(sweep.sizes == [10, 100])
        let atTen = sweep.summaries(tasks: 10)
        #expect(atTen.map(\.strategy) == ["sequential", "eventloop"])
        let sequential = try #require(atTen.first)
        #expect(sequential.runs == 6 && sequential.status == .ok)
        #expect(abs(try #require(sequential.wall?.median) - 0.1035) < 1e-12)
        #expect(sequential.wall?.interval?.lower == 0.101 && sequential.wall?.interval?.upper == 0.106)
        // At 100 tasks the skipped sequential run was recorded last, and still comes first: the sweep's order.
        let skipped = try #require(sweep.summaries(tasks: 100).first)
        #expect(skipped.status == .skipped && skipped.runs == 0 && skipped.error == "about 1 s predicted")
        #expect(skipped.wall == nil)
        let advice = sweep.advice(tasks: 10)
        #expect(advice.verdict.winners == ["eventloop"])
        #expect(advice.verdict.decision == .clearWinner(by: .wall))
        #expect(sweep.advice(tasks: 100).verdict.decision == .onlyCandidate)
    }

    @Test("the file: round per run, repetition in the head, summaries and verdicts after the runs; a round trip")
    func roundTrip() throws {
        let original = Self.sample()
        let text = original.jsonText()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let repetition = try #require(json["repetition"] as? [String: Any])
        #expect(repetition["mode"] as? String == "adaptive" && repetition["budget_s"] as? Double == 12.5)
        #expect(repetition["min_runs"] as? Int == 5 && repetition["max_runs"] as? Int == 30)
        #expect(repetition["warm_up_runs"] as? Int == 1 && repetition["tolerance"] as? Double == 0.05)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.prefix(4).map { $0["round"] as? Int } == [1, 1, 2, 2])
        #expect(runs[13]["round"] is NSNull)
        let summaries = try #require(json["summaries"] as? [[String: Any]])
        #expect(summaries.count == 4)
        #expect(summaries[0]["tasks"] as? Int == 10 && summaries[0]["strategy"] as? String == "sequential")
        #expect(summaries[0]["runs"] as? Int == 6 && summaries[0]["status"] as? String == "ok")
        let wall = try #require(summaries[0]["wall_s"] as? [String: Any])
        #expect(wall["ci95"] as? [Double] == [0.101, 0.106] && wall["n"] as? Int == 6)
        #expect(summaries[0]["peak_rss_bytes"] is [String: Any])
        #expect(summaries[2]["status"] as? String == "skipped" && summaries[2]["wall_s"] is NSNull)
        let verdicts = try #require(json["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["tasks"] as? Int } == [10, 100])
        #expect(verdicts[0]["winners"] as? [String] == ["eventloop"])
        #expect(verdicts[0]["decision"] as? String == "clear_winner" && verdicts[0]["decided_by"] as? String == "wall_s")
        #expect((verdicts[0]["text"] as? String)?.hasPrefix("use eventloop: the fastest") == true)
        #expect(verdicts[0]["stopped"] as? String == "precise")
        #expect(verdicts[1]["stopped"] as? String == "fixed_count")
        let keyOrder = ["\"runs\"", "\"summaries\"", "\"verdicts\""].map { text.range(of: $0)!.lowerBound }
        #expect(keyOrder == keyOrder.sorted())

        let loaded = try SweepResults.load(path: try SweepResultsTests.write(text))
        #expect(loaded.repetition == original.repetition)
        #expect(loaded.runs.map(\.round) == original.runs.map(\.round))
        #expect(loaded.stops == original.stops)
        #expect(loaded.jsonText() == text)
    }

    @Test("a file from before repetitions (no round, no repetition, no summaries) reads as n = 1 per size")
    func oldFile() throws {
        let text = """
            {"tool":"conctrace","kind":"sweep","version":"0.1.0","workload":"sleep","parameters":{"sleep_ms":10},
             "host":"h","cores":2,"created_unix_s":1,"runs":[
            {"strategy":"threads","tasks":10,"status":"ok","exit_code":0,"error":null,"wall_s":0.011,"throughput_tasks_per_s":909.1,"latency_ms_p99":10.4,"dispatch_overhead_us_mean":null,"switches_per_task":1.1,"peak_rss_bytes":22000000,"trace":null},
            {"strategy":"eventloop","tasks":10,"status":"ok","exit_code":0,"error":null,"wall_s":0.010,"throughput_tasks_per_s":957.9,"latency_ms_p99":10.2,"dispatch_overhead_us_mean":1.41,"switches_per_task":2.1,"peak_rss_bytes":21700000,"trace":null}
            ]}
            """
        let loaded = try SweepResults.load(path: try SweepResultsTests.write(text))
        #expect(loaded.repetition == nil && loaded.stops.isEmpty)
        #expect(loaded.runs.allSatisfy { $0.round == nil })
        let summaries = loaded.summaries
        #expect(summaries.count == 2 && summaries.allSatisfy { $0.runs == 1 && $0.wall?.interval == nil })
        #expect(summaries[1].wall?.median == 0.010)
        // One run each: no test can tell them apart.
        let advice = loaded.advice(tasks: 10)
        #expect(advice.verdict.decision == .tie && advice.verdict.lacksRuns)
        // Written again, the file gains the new keys.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(loaded.jsonText().utf8)) as? [String: Any])
        #expect((json["summaries"] as? [Any])?.count == 2 && (json["verdicts"] as? [Any])?.count == 1)
    }

    @Test("a repetition object that cannot be a plan is refused, naming the key",
          arguments: [#"{"mode":"sometimes","warm_up_runs":1}"#, #"{"mode":"fixed","runs":0,"warm_up_runs":1}"#,
                      #"{"mode":"adaptive","min_runs":5,"max_runs":3,"tolerance":0.05,"budget_s":1,"warm_up_runs":1}"#,
                      #"{"mode":"adaptive","min_runs":5,"max_runs":30,"tolerance":0,"budget_s":1,"warm_up_runs":1}"#,
                      #"[1]"#])
    func badRepetition(_ repetition: String) throws {
        let text = #"{"tool":"conctrace","kind":"sweep","version":"v","workload":"cpu","host":"h","cores":1,"created_unix_s":0,"repetition":"#
            + repetition + #","runs":[]}"#
        let path = try SweepResultsTests.write(text)
        #expect {
            _ = try SweepResults.load(path: path)
        } throws: { error in
            (error as? SweepReadError)?.description.contains("repetition") == true
        }
    }
}
