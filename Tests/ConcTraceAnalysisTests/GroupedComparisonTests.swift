import ConcTraceAnalysis
import ConcTraceReader
import Foundation
import Testing

/// `compare` given several traces of one configuration: grouped by workload/strategy/tasks, each metric summarised
/// with its spread, the best marked only where the test finds the others worse.
@Suite("Grouped comparison of repeated traces")
struct GroupedComparisonTests {
    /// A run of `strategy` whose two tasks both end `wall` ns after the first is created (so `wall_s` is `wall`).
    static func trace(_ strategy: String, wall: Int, path: String, tasks: Int = 2) throws -> TraceAnalysis {
        var trace = TraceText()
        trace.run(#""tool":"conctrace","workload":"sleep","strategy":"\#(strategy)","tasks":\#(tasks),"workers":1"#)
        trace.slice("sleep 0", task: 2, tid: 2, from: 0, to: wall / 2)
        trace.span("sleep 0", task: 2, from: 0, to: wall / 2, args: #""task":2,"parent":1,"state":"done""#)
        trace.slice("sleep 1", task: 3, tid: 2, from: wall / 2, to: wall)
        trace.span("sleep 1", task: 3, from: 0, to: wall, args: #""task":3,"parent":1,"state":"done""#)
        return try TraceAnalyzer.analyze(bytes: trace.bytes, path: path)
    }

    static func runs(_ strategy: String, _ walls: [Int], tasks: Int = 2) throws -> [TraceAnalysis] {
        try walls.enumerated().map { try trace(strategy, wall: $1, path: "\(strategy)-\($0).json", tasks: tasks) }
    }

    @Test("traces group by configuration in the order first seen; a cell is median [lo-hi] (n)")
    func grouping() throws {
        let threads = try Self.runs("threads", [10_000_000, 10_100_000, 10_200_000, 10_300_000, 10_400_000, 10_500_000])
        let eventloop = try Self.runs("eventloop", [5_000_000, 5_100_000, 5_200_000, 5_300_000, 5_400_000, 5_500_000])
        // Interleaved as a repeated measurement writes them.
        let analyses = zip(threads, eventloop).flatMap { [$0, $1] }
        #expect(GroupedComparison.hasRepeats(analyses))
        #expect(!GroupedComparison.hasRepeats([threads[0], eventloop[0]]))
        let comparison = GroupedComparison(analyses)
        #expect(comparison.groups.map(\.name) == ["threads", "eventloop"])
        #expect(comparison.groups.map(\.analyses.count) == [6, 6])
        #expect(comparison.groups[0].tasks == 2 && comparison.groups[0].workload == "sleep")
        let wall = try #require(comparison.rows.first { $0.metric == .wall })
        #expect(wall.summaries.map { $0?.count } == [6, 6])
        // Entirely apart: exact p = 2/924, eventloop twice as fast: only eventloop is best.
        #expect(wall.reference == 1 && wall.best == [1])
        #expect(wall.comparisons.count == 1 && wall.comparisons[0].comparison.outcome == .worse)
        #expect(abs((wall.ratios[1] ?? 0) - 5.25 / 10.25) < 1e-9)
        // Throughput: larger is better, so eventloop again.
        let throughput = try #require(comparison.rows.first { $0.metric == .throughputTasks })
        #expect(throughput.best == [1] && throughput.reference == 1)
        // A figure without a direction: no test, no mark.
        let inFlight = try #require(comparison.rows.first { $0.metric == .concurrencyMax })
        #expect(inFlight.best.isEmpty && inFlight.comparisons.isEmpty)
        // Equal everywhere (every task done): tested, but nothing is worse, so nothing is marked.
        let done = try #require(comparison.rows.first { $0.metric == .tasksDone })
        #expect(done.best.isEmpty && done.comparisons.first?.comparison.outcome == .notSignificant)

        let text = ReportFormat.text.render(comparison.report())
        #expect(text.contains("comparison of 2 configurations (12 traces): threads, eventloop"))
        #expect(text.contains("0.010250 [0.010000-0.010500] (6)"))
        #expect(text.contains("0.005250 [0.005000-0.005500] (6)*"))
        #expect(text.contains("median [95% confidence interval of the median"))
    }

    @Test("groups the test cannot tell apart are not marked, however their medians differ")
    func tieUnmarked() throws {
        let a = try Self.runs("threads", [10_000_000, 10_300_000, 9_900_000, 10_200_000, 10_100_000])
        let b = try Self.runs("async", [10_050_000, 10_250_000, 9_950_000, 10_150_000, 10_350_000])
        let wall = try #require(GroupedComparison(a + b).rows.first { $0.metric == .wall })
        #expect(wall.best.isEmpty)
        #expect(wall.comparisons.first?.comparison.outcome == .notSignificant)
    }

    @Test("the JSON has the groups, each metric's summaries, ratios, best and tests, and is strict JSON")
    func json() throws {
        let analyses = try Self.runs("threads", [10_000_000, 10_100_000, 10_200_000, 10_300_000, 10_400_000])
            + Self.runs("sequential", [20_000_000, 20_100_000, 20_200_000, 20_300_000, 20_400_000])
        let text = GroupedComparison(analyses).jsonText()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.map { $0["name"] as? String } == ["threads", "sequential"])
        #expect((groups[0]["traces"] as? [String])?.count == 5 && groups[0]["tasks"] as? Int == 2)
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        let wall = try #require(metrics.first { $0["metric"] as? String == "wall_s" })
        let values = try #require(wall["values"] as? [[String: Any]])
        #expect(values[0]["median"] as? Double == 0.0102 && values[0]["n"] as? Int == 5)
        #expect(values[0]["ci95"] as? [Double] == [0.01, 0.0104])
        #expect(wall["best"] as? [Int] == [0] && wall["reference"] as? Int == 0)
        let tests = try #require(wall["comparisons"] as? [[String: Any]])
        #expect(tests.first?["outcome"] as? String == "worse" && tests.first?["method"] as? String == "exact")
        #expect(json["test"] as? String == "mann-whitney-u" && json["alpha"] as? Double == 0.01)
    }

    @Test("a larger-is-better figure: the other side is worse when its median is lower by more than 5 %")
    func largerIsBetter() {
        let higher = [100.0, 101, 102, 103, 104], lower = [80.0, 81, 82, 83, 84]
        let comparison = SampleComparison(reference: higher, other: lower, smallerIsBetter: false)
        #expect(comparison.outcome == .worse)
        // (102 − 82) / 102 of the medians.
        #expect(abs((comparison.relativeDifference ?? 0) - 20.0 / 102) < 1e-12)
        // The same values with smaller better: the other is better, so not worse (below the threshold).
        let reversed = SampleComparison(reference: higher, other: lower, smallerIsBetter: true)
        #expect(reversed.outcome == .belowThreshold)
    }
}

/// Failed tasks grouped by error message (issue 13 item 7), from a trace's task life spans.
@Suite("Failed tasks by error")
struct FailedTasksTests {
    @Test("failures group by message, most frequent first, with the first task of each as the example")
    func grouping() throws {
        var trace = TraceText()
        trace.run(#""tool":"conctrace","workload":"download","strategy":"threads","tasks":5"#)
        let ends: [(Int, String, String?)] = [(2, "failed", "HTTP 500"), (3, "done", nil),
                                               (4, "failed", "Connection reset by peer"), (5, "failed", "HTTP 500"),
                                               (6, "failed", nil)]
        for (task, state, error) in ends {
            let errorArg = error.map { #","error":"\#($0)""# } ?? ""
            trace.span("download \(task - 2)", task: task, from: 0, to: 1000,
                       args: #""task":\#(task),"parent":1,"state":"\#(state)","url":"http://h/page/\#(task - 2)""# + errorArg)
        }
        var failures = FailedTasks()
        let reader = try ChromeTraceReader(bytes: trace.bytes)
        while let event = try reader.next() { failures.consume(event) }
        #expect(failures.total == 4)
        #expect(failures.byCount.map(\.error) == ["HTTP 500", "Connection reset by peer", "(no error message)"])
        #expect(failures.byCount.map(\.count) == [2, 1, 1])
        let first = try #require(failures.byCount.first)
        #expect(first.exampleName == "download 0" && first.exampleTask == 2 && first.exampleURL == "http://h/page/0")
        #expect(failures.lines.first == "2 × HTTP 500 (e.g. download 0, http://h/page/0)")
        let json = JSONSerializationCheck.object(ReportFormat.json.render(Report(title: "t", sections: [failures.section])))
        let rows = try #require(json?["failed_tasks"] as? [[String: Any]])
        #expect(rows.first?["count"] as? Int == 2 && rows.first?["example"] as? String == "download 0")
    }

    @Test("messages past the limit are counted, not kept")
    func bounded() throws {
        var trace = TraceText()
        for task in 0..<(FailedTasks.maxGroups + 5) {
            trace.span("t", task: task + 2, from: 0, to: 1,
                       args: #""task":\#(task + 2),"parent":1,"state":"failed","error":"e\#(task)""#)
        }
        var failures = FailedTasks()
        let reader = try ChromeTraceReader(bytes: trace.bytes)
        while let event = try reader.next() { failures.consume(event) }
        #expect(failures.groups.count == FailedTasks.maxGroups && failures.otherCount == 5)
        #expect(failures.total == FailedTasks.maxGroups + 5)
        #expect(failures.lines.last?.hasPrefix("5 × other messages") == true)
    }
}

/// Parses a JSON object's text (nil when it is not one).
enum JSONSerializationCheck {
    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
