import Foundation
import Testing

/// `conctrace bench switch`, end to end.
@Suite("conctrace bench switch", .serialized)
struct BenchCLITests {
    @Test("processes: a byte over two pipes between this binary and its worker, ns per switch in JSON")
    func processesSwitch() throws {
        let output = try CLIRunner.run(["bench", "switch", "--cases", "processes", "--runs", "1", "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let rows = try #require(output.json?["switches"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["strategy"] as? String == "processes" && rows.first?["recording"] as? String == "off")
        #expect((rows.first?["ns_per_switch"] as? Double ?? 0) > 0)
        // One run has no interval.
        #expect(rows.first?["ci95"] is NSNull && rows.first?["runs"] as? Int == 1)
    }

    @Test("by default recording on and off side by side: each median with its spread, and on tested against off")
    func spreadAndRecordingTest() throws {
        // threads: 20,000 hand-offs a run, the quickest of the instrumented cases in a debug build.
        let output = try CLIRunner.run(["bench", "switch", "--cases", "threads,global-executor", "--runs", "5",
                                        "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        let rows = try #require(json["switches"] as? [[String: Any]])
        // threads on and off; the default executor cannot be recorded: off only.
        #expect(rows.map { "\($0["strategy"]!)/\($0["recording"]!)" } ==
                ["threads/on", "threads/off", "global-executor/off"])
        for row in rows {
            #expect(Set(row.keys) == ["strategy", "recording", "ns_per_switch", "ci95", "ci_level", "min", "max",
                                      "mean", "sd", "outliers", "runs", "samples"])
            #expect(row["runs"] as? Int == 5)
            let samples = try #require(row["samples"] as? [Double])
            #expect(samples.count == 5 && samples.min() == row["min"] as? Double && samples.max() == row["max"] as? Double)
            let interval = try #require(row["ci95"] as? [Double])
            let median = try #require(row["ns_per_switch"] as? Double)
            #expect(interval.count == 2 && interval[0] <= median && median <= interval[1])
            #expect(abs((row["ci_level"] as? Double ?? 0) - 0.9375) < 1e-12)
        }
        let costs = try #require(json["recording_cost"] as? [[String: Any]])
        #expect(costs.count == 1 && costs.first?["strategy"] as? String == "threads")
        #expect(["worse", "not_significant", "below_threshold"].contains(costs.first?["outcome"] as? String ?? ""))
        #expect(costs.first?["p"] is Double && costs.first?["method"] is String)
        // The shift (on − off) in ns with its interval: 5 and 5 runs reach 96.8 % with the third difference from
        // each end.
        let shift = try #require(costs.first?["shift_ns"] as? Double)
        let shiftInterval = try #require(costs.first?["shift_ci"] as? [Double])
        #expect(shiftInterval.count == 2 && shiftInterval[0] <= shift && shift <= shiftInterval[1])
        #expect(abs((costs.first?["shift_ci_level"] as? Double ?? 0) - (1 - 8.0 / 252)) < 1e-9)

        let text = try CLIRunner.run(["bench", "switch", "--cases", "threads", "--runs", "2"])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("ns/switch median [95% CI]"))
        #expect(text.stdout.contains("recording on vs off (Mann-Whitney U"))
        // Two runs each: no test can reach p < 0.01, and the line says so.
        #expect(text.stdout.contains("  threads: ") && text.stdout.contains("too few runs"), "\(text.stdout)")
        // Two runs each: the shift's interval is the differences' min-max, at 1 - 2/6 coverage.
        #expect(text.stdout.contains(" ns per switch [66.7% CI "), "\(text.stdout)")
        #expect(text.stdout.contains("the interval is min-max, at 50% confidence"))
    }

    @Test("floor: the bare executor's switch is measured beside the event loop, not recorded")
    func floorSwitch() throws {
        let output = try CLIRunner.run(["bench", "switch", "--cases", "eventloop,floor", "--runs", "1",
                                        "--recording", "both", "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let rows = try #require(output.json?["switches"] as? [[String: Any]])
        #expect(rows.map { "\($0["strategy"] ?? "")/\($0["recording"] ?? "")" }
                == ["eventloop/on", "eventloop/off", "floor/off"])
        #expect(rows.allSatisfy { ($0["ns_per_switch"] as? Double ?? 0) > 0 })
    }

    @Test("writer: the events of a made-up sleep run, converted, with their count and bytes")
    func writer() throws {
        let output = try CLIRunner.run(["bench", "writer", "--tasks", "1000", "--rounds", "1", "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.json)
        // 7 events per task, and 7 for the root.
        #expect(json["events"] as? Int == 7_007)
        #expect((json["bytes"] as? Int ?? 0) > 7_007 * 80)
        #expect((json["events_per_s"] as? Double ?? 0) > 0)
    }
}
