import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader
import Foundation
import Testing

/// The report model and its exporters: the JSON keys are a contract (docs/metrics.md); text and markdown are for
/// people.
@Suite("Reports: text, markdown and JSON")
struct ReportTests {
    static func json(_ report: Report) throws -> [String: Any] {
        let text = ReportFormat.json.render(report)
        #expect(!text.contains("\n"), "JSON output is one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The keys the contract names, per object (issue 6 and docs/metrics.md).
    static let contract: [String: Set<String>] = [
        "source": ["path", "format", "truncated", "bytes", "events", "unknown_phase_events", "invalid_events",
                   "unmatched_events"],
        "tasks": ["done", "failed", "cancelled"],
        "throughput": ["tasks_per_s", "bytes_per_s"],
        "latency_ms": ["p50", "p90", "p99", "max", "mean"],
        "scheduling_delay_us": ["p50", "p99", "mean"],
        "task_time_ms": ["running", "ready", "waiting"],
        "switches": ["count", "per_task", "os_voluntary", "os_involuntary"],
        "dispatch_overhead_us": ["mean", "p99", "share"],
        "concurrency": ["max", "mean", "littles_law_ratio"],
        "recorder": ["events", "dropped", "ns_per_event", "share", "processes"],
        "async_tracks": ["count", "lifetime_ms"],
    ]

    static let topLevel: [String] = ["source", "run", "wall_s", "span_s", "tasks", "throughput", "latency_ms",
                                     "scheduling_delay_us", "task_time_ms", "switches", "dispatch_overhead_us",
                                     "concurrency", "recorder", "async_tracks", "flows", "workers", "unavailable"]

    @Test("analyze --format json: the contract's keys, in order, with the known run's values")
    func analyzeJSON() throws {
        let report = KnownAnswerTests.analysis.report()
        let text = ReportFormat.json.render(report)
        // Key order is part of what people read: each top-level key comes after the one before.
        var position = text.startIndex
        for key in Self.topLevel {
            let found = try #require(text.range(of: "\"\(key)\":", range: position..<text.endIndex), "\(key)")
            position = found.upperBound
        }
        let json = try Self.json(report)
        #expect(Set(json.keys) == Set(Self.topLevel))
        for (object, keys) in Self.contract {
            #expect(Set((json[object] as? [String: Any])?.keys.map { $0 } ?? []) == keys, "\(object)")
        }
        let latency = try #require(json["latency_ms"] as? [String: Any])
        #expect(latency["p50"] as? Double == 440e-6)
        #expect(json["wall_s"] as? Double == 580e-9)
        #expect((json["tasks"] as? [String: Any])?["done"] as? Int == 2)
        let source = try #require(json["source"] as? [String: Any])
        #expect(source["format"] as? String == "conctrace" && source["truncated"] as? Bool == false)
        let run = try #require(json["run"] as? [String: Any])
        #expect(run["strategy"] as? String == "threads" && run["workers"] as? Int == 2)
        #expect(run["command"] as? String == "conctrace run | tee")
        let workers = try #require(json["workers"] as? [[String: Any]])
        #expect(workers.count == 3)
        #expect(Set(workers[0].keys) == ["id", "pid", "name", "busy_s", "slices", "utilization", "switches", "slice_us"])
        #expect(workers[1]["name"] as? String == "thread 1" && workers[1]["slices"] as? Int == 3)
        #expect((workers[1]["slice_us"] as? [String: Any])?["max"] as? Double == 0.2)
        #expect((json["unavailable"] as? [String: Any])?.isEmpty == true)
        let perTask = try #require((json["task_time_ms"] as? [String: Any])?["running"] as? [String: Any])
        #expect(Set(perTask.keys) == ["mean", "p50", "p99"])
    }

    @Test("a metric that cannot be computed is null in JSON, with its reason under unavailable")
    func nulls() throws {
        let json = try Self.json(ForeignTraceTests.analysis.report())
        #expect(json["run"] is NSNull)
        #expect(json["wall_s"] is NSNull)
        let latency = try #require(json["latency_ms"] as? [String: Any])
        #expect(latency["p50"] is NSNull && latency["mean"] is NSNull)
        #expect((json["switches"] as? [String: Any])?["count"] is NSNull)
        let unavailable = try #require(json["unavailable"] as? [String: String])
        #expect(unavailable["latency_ms.p50"]?.contains("no task life spans") == true)
        #expect(unavailable.count == Metric.allCases.count - 7)
        let workers = try #require(json["workers"] as? [[String: Any]])
        #expect(workers[0]["switches"] is NSNull)
        #expect((json["source"] as? [String: Any])?["format"] as? String == "foreign")
    }

    @Test("text: a readable summary with units")
    func text() {
        let text = ReportFormat.text.render(KnownAnswerTests.analysis.report())
        #expect(text.hasPrefix("conctrace trace known.json: sleep/threads, 3 tasks, 2 worker(s)\n"))
        #expect(text.contains("\nlatency\n  p50   0.000 ms\n"))
        #expect(text.contains("  wall         0.000001 s\n"))
        #expect(text.contains("  Little's law ratio  1.000\n"))
        #expect(text.contains("  share of worker time  1.64 %\n"))
        #expect(text.contains("   2    7  thread 1  0.000000 s       3      77.05 %         2     0.2 µs"))
        #expect(text.contains("  sleep_ms      0.0002\n"))
        #expect(!text.contains("not computed"))
        #expect(text.hasSuffix("notes\n  - the recorder dropped 2 event(s) (a worker's buffer was full): counts and times may miss them"))
        let foreign = ReportFormat.text.render(ForeignTraceTests.analysis.report())
        #expect(foreign.hasPrefix("foreign trace chrome.json"))
        #expect(foreign.contains("\nnot computed\n  wall "))
        #expect(foreign.contains("  p50   n/a\n"))
    }

    @Test("markdown: a table per section, pipes in values escaped")
    func markdown() {
        let markdown = ReportFormat.markdown.render(KnownAnswerTests.analysis.report())
        #expect(markdown.hasPrefix("## conctrace trace known.json"))
        #expect(markdown.contains("\n### latency\n\n| metric | value |\n|---|--:|\n| p50 | 0.000 ms |\n"))
        #expect(markdown.contains(#"| command | conctrace run \| tee |"#))
        #expect(markdown.contains("| id | pid | name | busy | slices | utilization | switches | slice p50 |"))
    }

    @Test("formatting: units, decimals, percentages, no exponents")
    func formatting() {
        #expect(MetricUnit.milliseconds.format(50.12345) == "50.123 ms")
        #expect(MetricUnit.seconds.format(1.5) == "1.500 s")
        #expect(MetricUnit.seconds.format(0.000265) == "0.000265 s")
        #expect(MetricUnit.fraction.format(0.0123) == "1.23 %")
        #expect(MetricUnit.count.format(1e6) == "1000000")
        #expect(MetricUnit.microseconds.format(-2.25) == "-2.3 µs" || MetricUnit.microseconds.format(-2.25) == "-2.2 µs")
        #expect(MetricUnit.ratio.format(1) == "1.000")
        #expect(MetricUnit.number.format(.nan) == "n/a")
        #expect(MetricUnit.tasksPerSecond.format(1e20).hasSuffix("tasks/s"))
    }

    @Test("every metric has a unique JSON path, a unit, a direction and a label")
    func metricTable() {
        #expect(Set(Metric.allCases.map(\.rawValue)).count == Metric.allCases.count)
        for metric in Metric.allCases {
            #expect(!metric.label.isEmpty && !metric.fullLabel.isEmpty)
            #expect(metric.path.count == (metric.group == "time" ? 1 : metric.path.count))
        }
        #expect(Metric.latencyP50.fullLabel == "latency p50")
        #expect(Metric.asyncLifetimeMax.fullLabel == "async tracks lifetime max")
        #expect(Metric.wall.direction == .smallerIsBetter && Metric.throughputTasks.direction == .largerIsBetter)
        #expect(Metric.littlesLawRatio.direction == .neither)
    }
}

@Suite("Comparisons")
struct ComparisonTests {
    /// The known run, and a variant that ran as `eventloop` in which task 3 is done and ends 100 ns later.
    static let base = KnownAnswerTests.analysis
    static let variant: TraceAnalysis = {
        var trace = TraceText.knownRun
        trace.lines = trace.lines.map {
            $0.replacingOccurrences(of: #""strategy":"threads""#, with: #""strategy":"eventloop""#)
                .replacingOccurrences(of: #""state":"failed""#, with: #""state":"done""#)
        }
        return try! TraceAnalyzer.analyze(bytes: trace.bytes, path: "dir/variant.json")
    }()

    static func row(_ report: Report, _ metric: Metric) -> ReportRow? {
        report.sections.last?.rows.first { $0.path == [metric.rawValue] }
    }

    @Test("one row per metric, one column per trace, ratios to the first, the best marked by direction")
    func rows() throws {
        let report = Comparison([Self.base, Self.variant]).report()
        #expect(report.title == "comparison of 2 traces: threads, eventloop")
        let done = try #require(Self.row(report, .tasksDone))
        #expect(done.cells == [.integer(2), .integer(3)])
        #expect(done.comparison?.ratios == [1, 1.5])
        #expect(done.comparison?.best == [1])
        let failed = try #require(Self.row(report, .tasksFailed))
        #expect(failed.comparison?.best == [1])
        #expect(failed.comparison?.ratios == [1, 0])
        // Equal values: nothing is better.
        let wall = try #require(Self.row(report, .wall))
        #expect(wall.comparison?.best == [] && wall.comparison?.ratios == [1, 1])
        // No direction: never marked.
        #expect(Self.row(report, .littlesLawRatio)?.comparison?.best == [])
    }

    @Test("columns: strategy, then workload/strategy, then file name, then path")
    func names() {
        #expect(Comparison([Self.base, Self.variant]).columnNames == ["threads", "eventloop"])
        #expect(Comparison([Self.base, Self.base]).columnNames == ["known.json #1", "known.json #2"])
        #expect(Comparison([Self.variant, ForeignTraceTests.analysis]).columnNames == ["eventloop", "chrome.json"])
        var other = Self.base
        other.source.path = "elsewhere/known.json"
        #expect(Comparison([Self.base, other]).columnNames == ["known.json", "elsewhere/known.json"])
    }

    @Test("compare in all three formats")
    func formats() throws {
        let report = Comparison([Self.base, Self.variant, ForeignTraceTests.analysis]).report()
        let text = ReportFormat.text.render(report)
        let doneLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("  tasks done ") })
        #expect(doneLine.split(separator: " ", omittingEmptySubsequences: true) == ["tasks", "done", "2", "3*", "(1.50x)", "n/a"])
        #expect(text.contains("* best of the row"))
        let markdown = ReportFormat.markdown.render(report)
        #expect(markdown.contains("| tasks done | 2 | **3** (1.50×) | n/a |"))
        let json = try ReportTests.json(report)
        let traces = try #require(json["traces"] as? [[String: Any]])
        #expect(traces.map { $0["name"] as? String } == ["threads", "eventloop", "chrome.json"])
        #expect(traces[2]["strategy"] is NSNull && traces[2]["format"] as? String == "foreign")
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        let done = try #require(metrics.first { $0["metric"] as? String == "tasks.done" })
        #expect(done["values"] as? [Int] == nil || (done["values"] as? [Any])?.count == 3)
        #expect((done["values"] as? [Any])?[2] is NSNull)
        #expect(done["best"] as? [Int] == [1] && done["better"] as? String == "larger" && done["unit"] as? String == "count")
        #expect((done["ratios"] as? [Any]).map { $0.count } == 3)
        #expect(Set(metrics.compactMap { $0["metric"] as? String }) == Set(Metric.allCases.map(\.rawValue)))
        // Each trace's notes, named.
        #expect(report.notes.contains { $0.hasPrefix("threads: the recorder dropped 2") })
    }
}
