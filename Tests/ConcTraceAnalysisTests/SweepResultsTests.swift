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
                       "\"created_unix_s\"", "\"runs\""]
        let positions = topKeys.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(Set(runs[0].keys) == ["strategy", "tasks", "status", "exit_code", "error", "wall_s",
                                       "throughput_tasks_per_s", "latency_ms_p99", "dispatch_overhead_us_mean",
                                       "switches_per_task", "peak_rss_bytes", "trace"])
        #expect(runs[0]["error"] is NSNull && runs[2]["wall_s"] is NSNull && runs[2]["trace"] is NSNull)
        #expect(runs[2]["status"] as? String == "error" && runs[2]["exit_code"] as? Int == 71)
        // One run per line: a diff of two sweep files shows which runs changed.
        #expect(text.split(separator: "\n").count == 5)
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
