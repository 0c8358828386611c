import Foundation
import Testing

/// `compare` given repeated traces of a configuration, and failed tasks grouped by error in `run` and `analyze`
/// (issue 13 items 1 and 7), end to end.
@Suite("conctrace compare of repeated runs, and failures by error", .serialized)
struct RepeatedTracesCLITests {
    @Test("compare groups repeated traces by workload/strategy/tasks: median [lo-hi] (n) per configuration")
    func groupedCompare() throws {
        let folder = try CLIRunner.makeFolder()
        var traces: [String] = []
        for round in 1...3 {
            for strategy in ["sequential", "eventloop"] {
                let path = folder.appendingPathComponent("\(strategy)-\(round).json").path
                let run = try CLIRunner.run(["run", "--workload", "sleep", "--tasks", "6", "--sleep-ms", "3",
                                             "--strategy", strategy, "--out", path])
                #expect(run.status == 0, "\(run.stderr)")
                traces.append(path)
            }
        }
        let text = try CLIRunner.run(["compare"] + traces)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("comparison of 2 configurations (6 traces): sequential, eventloop"))
        #expect(text.stdout.contains("(3)"))
        #expect(text.stdout.contains("each cell: median [95% confidence interval of the median"))
        let json = try CLIRunner.run(["compare", "--format", "json"] + traces)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(json.json)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["name"] as? String } == ["sequential", "eventloop"])
        #expect(groups.allSatisfy { ($0["traces"] as? [String])?.count == 3 && $0["tasks"] as? Int == 6 })
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        let wall = try #require(metrics.first { $0["metric"] as? String == "wall_s" })
        let values = try #require(wall["values"] as? [[String: Any]])
        #expect(values.allSatisfy { $0["n"] as? Int == 3 })
        // Sequential: 6 × 3 ms ≥ 18 ms; the event loop about 3 ms. Still, 3 traces each cannot reach p < 0.01:
        // nothing is marked best.
        #expect((values[0]["median"] as? Double ?? 0) > (values[1]["median"] as? Double ?? 1))
        #expect(wall["best"] as? [Int] == [])
        #expect((wall["comparisons"] as? [[String: Any]])?.first?["outcome"] as? String == "too_few_runs")
        // One trace per configuration: the comparison of traces as before.
        let plain = try CLIRunner.run(["compare", traces[0], traces[1]])
        #expect(plain.stdout.hasPrefix("comparison of 2 traces"), "\(plain.stdout)")
    }

    @Test("run and analyze list failed tasks grouped by error message, with a count and an example task")
    func failuresByError() throws {
        let folder = try CLIRunner.makeFolder()
        let trace = folder.appendingPathComponent("failing.json").path
        let run = try CLIRunner.run(["run", "--workload", "download", "--strategy", "threads", "--tasks", "6",
                                     "--latency-ms", "1", "--error-rate", "1", "--out", trace])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stdout.contains("6 failed"))
        #expect(run.stdout.contains("\n  failed tasks by error:\n    6 × HTTP 500 (e.g. download "), "\(run.stdout)")
        let json = try CLIRunner.run(["run", "--workload", "download", "--strategy", "eventloop", "--tasks", "4",
                                      "--latency-ms", "1", "--error-rate", "1", "--out", trace, "--format", "json"])
        #expect(json.status == 3)
        let errors = try #require(json.json?["errors"] as? [[String: Any]])
        #expect(errors.count == 1 && errors.first?["error"] as? String == "HTTP 500" && errors.first?["count"] as? Int == 4)
        #expect((errors.first?["example"] as? String)?.hasPrefix("download ") == true)
        #expect((errors.first?["example_url"] as? String)?.contains("/page/") == true)

        let analyzed = try CLIRunner.run(["analyze", trace])
        #expect(analyzed.status == 0, "\(analyzed.stderr)")
        #expect(analyzed.stdout.contains("failed tasks, by error"))
        #expect(analyzed.stdout.contains("HTTP 500"))
        let analyzedJSON = try CLIRunner.run(["analyze", trace, "--format", "json"])
        let groups = try #require(analyzedJSON.json?["failed_tasks"] as? [[String: Any]])
        #expect(groups.first?["count"] as? Int == 4 && groups.first?["error"] as? String == "HTTP 500")
        // A run where nothing failed has no such section.
        let ok = folder.appendingPathComponent("ok.json").path
        _ = try CLIRunner.run(["run", "--workload", "sleep", "--tasks", "2", "--sleep-ms", "1", "--out", ok])
        let clean = try CLIRunner.run(["analyze", ok, "--format", "json"])
        #expect(clean.json?["failed_tasks"] == nil)
    }
}
