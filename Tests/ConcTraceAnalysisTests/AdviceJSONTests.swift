import ConcTraceAnalysis
import Foundation
import Testing

/// The advice's JSON: the shape issue 13 item 3 asks for (`{"verdict": {"winners": [...], ...}, "strategies":
/// [{"strategy": ..., "runs": n, "wall_s": {"median": ..., "ci95": [lo, hi], "min": ..., "max": ...}, ...}]}`),
/// strict JSON, with the test's results and the warnings.
@Suite("Advice as JSON")
struct AdviceJSONTests {
    static func object(_ advice: StrategyAdvice) throws -> [String: Any] {
        let text = advice.jsonText()
        #expect(!text.contains("\n"))
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a tie: winners, decision, the test and each comparison, and every strategy's spread")
    func tie() throws {
        let advice = StrategyAdvice(workload: "cpu", samples: [
            StrategySamples(strategy: "threads", wallSeconds: SyntheticRuns.threadsWall,
                            peakMemoryBytes: SyntheticRuns.lean),
            StrategySamples(strategy: "async", wallSeconds: SyntheticRuns.asyncWall),
            StrategySamples(strategy: "processes", wallSeconds: [], failures: ["error: cannot spawn"]),
        ], cores: 2, stopReason: .fixedCountReached(6))
        let json = try Self.object(advice)
        #expect(json["workload"] as? String == "cpu")
        #expect(json["cores"] as? Int == 2)
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(verdict["winners"] as? [String] == ["threads", "async"])
        #expect(verdict["decision"] as? String == "tie")
        #expect(verdict["decided_by"] is NSNull)
        #expect(verdict["test"] as? String == "mann-whitney-u")
        #expect(verdict["alpha"] as? Double == 0.01)
        #expect(verdict["threshold"] as? Double == 0.05)
        #expect((verdict["text"] as? String)?.hasPrefix("threads and async tie: 71.6 ms [69.8-73.1] vs 72.0 ms") == true)
        let comparisons = try #require(verdict["comparisons"] as? [[String: Any]])
        #expect(comparisons.count == 1)
        #expect(comparisons[0]["metric"] as? String == "wall_s")
        #expect(comparisons[0]["reference"] as? String == "threads")
        #expect(comparisons[0]["other"] as? String == "async")
        #expect(comparisons[0]["method"] as? String == "exact")
        #expect(comparisons[0]["outcome"] as? String == "not_significant")
        // scipy 1.17.1, mannwhitneyu(threads, async, method='exact'): p = 0.5887445887445888, U = 14.
        #expect(abs((comparisons[0]["p"] as? Double ?? 0) - 0.5887445887445888) < 1e-12)
        #expect(comparisons[0]["u"] as? Double == 14)
        let excluded = try #require(verdict["excluded"] as? [[String: Any]])
        #expect(excluded.first?["strategy"] as? String == "processes")

        let strategies = try #require(json["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["strategy"] as? String } == ["threads", "async", "processes"])
        #expect(strategies[0]["runs"] as? Int == 6)
        let wall = try #require(strategies[0]["wall_s"] as? [String: Any])
        #expect(wall["median"] as? Double == 0.0716)
        #expect(wall["ci95"] as? [Double] == [0.0698, 0.0731])
        #expect(wall["ci_level"] as? Double == 0.96875)
        #expect(wall["min"] as? Double == 0.0698)
        #expect(wall["max"] as? Double == 0.0731)
        #expect(wall["n"] as? Int == 6)
        #expect(wall["outliers"] as? Int == 0)
        #expect(strategies[0]["peak_rss_bytes"] is [String: Any])
        #expect(strategies[1]["peak_rss_bytes"] is NSNull)
        #expect(strategies[2]["wall_s"] is NSNull)
        #expect(strategies[2]["failed_runs"] as? Int == 1)
        #expect(strategies[2]["failures"] as? [String] == ["error: cannot spawn"])

        let rule = try #require(json["rule"] as? [String: Any])
        #expect(rule["basis"] as? String == "workload_name")
        #expect(rule["branch"] as? String == "cpu_bound")
        #expect(rule["recommends"] as? String == "processes")
        #expect(rule["agreement"] as? String == "disagrees")
        #expect(rule["running_share"] is NSNull)
        #expect((json["swift_note"] as? String)?.hasPrefix("In Swift, unlike CPython") == true)
        let repetition = try #require(json["repetition"] as? [String: Any])
        #expect(repetition["stopped"] as? String == "fixed_count")
    }

    @Test("a clear winner by memory, the rule from a trace profile, and the warnings with codes")
    func clearWinnerWithWarnings() throws {
        let advice = StrategyAdvice(
            workload: "sleep",
            samples: [
                StrategySamples(strategy: "eventloop", wallSeconds: [0.012, 0.0121, 0.0119, 0.0122, 0.0118, 0.012],
                                peakMemoryBytes: SyntheticRuns.lean),
                StrategySamples(strategy: "threads", wallSeconds: [0.0121, 0.012, 0.0122, 0.0119, 0.0118, 0.0121],
                                peakMemoryBytes: SyntheticRuns.heavy),
            ],
            cores: 2,
            profile: WorkloadProfile(figures: WorkloadFigures(strategy: "sequential", runningMillisecondsPerTask: 0.01,
                                                              waitingMillisecondsPerTask: 10, tasks: 100),
                                     switchCost: SwitchCost(microseconds: 5,
                                                            source: .traceDispatchOverhead(strategy: "threads")),
                                     workerCapacity: 64),
            before: SystemSnapshot(load: LoadAverage(oneMinute: 3, fiveMinutes: 1, fifteenMinutes: 1), cpu: nil))
        let json = try Self.object(advice)
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(verdict["winners"] as? [String] == ["eventloop"])
        #expect(verdict["decision"] as? String == "clear_winner")
        #expect(verdict["decided_by"] as? String == "peak_rss_bytes")
        let rule = try #require(json["rule"] as? [String: Any])
        #expect(rule["branch"] as? String == "slow_io_many_tasks")
        #expect(rule["agreement"] as? String == "agrees")
        #expect(rule["switch_cost_us"] as? Double == 5)
        #expect(rule["switch_cost_source"] as? String == "trace dispatch overhead (threads)")
        #expect(rule["switches_per_wait"] as? Double == 2000)
        #expect(rule["tasks"] as? Int == 100 && rule["worker_capacity"] as? Int == 64)
        let warnings = try #require(json["warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["code"] as? String } == ["busy_machine", "short_runs", "short_runs"])
        #expect(warnings[0]["strategy"] is NSNull)
        #expect(warnings[1]["strategy"] as? String == "eventloop")
        #expect(json["swift_note"] is NSNull)
        #expect(json["repetition"] is NSNull)
    }
}
