import ConcTraceAnalysis
import Foundation
import Testing
@testable import ConcTraceReport

/// The verdict at the top of the report (issue 13 item 6): measured verdicts as `demo` and `advise` give them, and
/// verdicts the report makes from traces alone.
@Suite("HTML report: the verdict")
struct VerdictReportTests {
    /// `rounds` counted runs of each strategy, interleaved; each strategy's wall time is its base plus a few ms
    /// (different in every round, so the exact U test applies), the other figures in proportion.
    static func results(_ bases: [(strategy: String, wall: Double)], rounds: Int, workload: String = "cpu",
                        tasks: Int = 20) -> SweepResults {
        var runs: [SweepResults.Run] = []
        for round in 1...rounds {
            for (index, base) in bases.enumerated() {
                var run = SweepResults.Run(strategy: base.strategy, tasks: tasks, status: .ok, exitCode: 0)
                run.round = round
                run.wallSeconds = base.wall + Double(round * 7 + index) * 1e-4
                run.throughput = Double(tasks) / run.wallSeconds!
                run.latencyP99Milliseconds = run.wallSeconds! * 900
                run.dispatchOverheadMicroseconds = 3 + Double(round) * 0.1
                run.switchesPerTask = 1
                run.peakRSSBytes = 20_000_000 + round * 100_000
                runs.append(run)
            }
        }
        return SweepResults(workload: workload, parameters: [], host: "box", cores: 2, createdUnixSeconds: 1_764_000_000,
                            version: "0.1.0", repetition: .fixed(rounds), runs: runs,
                            stops: [SweepResults.Stop(tasks: tasks, reason: .fixedCountReached(rounds))])
    }

    /// A demo-shaped verdict: the advice made from the runs, as `Demo.run` passes it.
    static func verdict(_ results: SweepResults, title: String = "CPU: 20 sums") -> ReportVerdict {
        ReportVerdict(title: title, advice: StrategyAdvice(workload: results.workload, runs: results.runs,
                                                           cores: results.cores),
                      results: results)
    }

    /// The text of the page's verdict section.
    static func section(_ html: String) throws -> String {
        let start = try #require(html.range(of: "<section class=\"verdicts\">"))
        let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
        return String(html[start.lowerBound..<end.upperBound])
    }

    @Test("a measured clear winner: the answer first, its test with p-value and method, the rule, the stop reason")
    func clearWinner() throws {
        let results = Self.results([("sequential", 0.200), ("threads", 0.110), ("async", 0.112)], rounds: 6)
        let verdict = Self.verdict(results)
        let html = try HTMLReport.render(tracePaths: [], sweep: nil, verdicts: [verdict], title: "demo")
        let section = try Self.section(html)
        // The verdict comes before anything else of the page's body.
        #expect(html.range(of: "The verdict")!.lowerBound < (html.range(of: "<footer>")?.lowerBound ?? html.endIndex))
        #expect(section.contains("<h3>CPU: 20 sums</h3>"))
        #expect(section.contains(HTMLText.escape(verdict.advice.headline)))
        #expect(verdict.advice.verdict.winners.first == "threads")
        // threads and async are 2 ms apart (under 5 %): a tie on wall time; memory and p99 then decide or not.
        let tests = verdict.advice.verdict.stages.flatMap(\.tests)
        #expect(!tests.isEmpty)
        #expect(section.contains("The tests behind the verdict"))
        #expect(section.contains("<td>exact</td>"))
        let sequential = try #require(tests.first { $0.other == "sequential" })
        #expect(sequential.outcome == .worse)
        #expect(section.contains(ReportText.pValue(try #require(sequential.test).pValue)))
        #expect(section.contains("sequential is slower"))
        #expect(section.contains("The tutorial's rule.") && section.contains("cpu bound")
                && section.contains("processes"))
        #expect(section.contains("6 counted runs per strategy (--repeat)"))
        #expect(section.contains("Runs stopped: 6 counted runs per strategy, as asked."))
        // Bars with whiskers for wall time, p99 and memory; n under each.
        #expect(HTMLReportTests.count("<svg class=\"chart bars\"", in: section) == 3)
        #expect(HTMLReportTests.count("<g class=\"whisker\">", in: section) == 9)
        #expect(section.contains(" n=6</tspan>"))
        // All six figures in the strategies' table, in MiB for memory.
        #expect(section.contains("peak RSS (MiB)") && section.contains("switches/task"))
    }

    @Test("a tie, an excluded strategy and the warnings are shown as caveats")
    func tieAndCaveats() throws {
        var results = Self.results([("threads", 0.050), ("async", 0.0501)], rounds: 3)
        var broken = SweepResults.Run(strategy: "processes", tasks: 20, status: .error, exitCode: 71)
        broken.error = "cannot start <4> workers"
        results.runs.append(broken)
        let verdict = Self.verdict(results)
        #expect(verdict.advice.verdict.decision == .tie)
        let section = try Self.section(try HTMLReport.render(tracePaths: [], sweep: nil, verdicts: [verdict],
                                                             title: "t"))
        #expect(section.contains("<span class=\"badge tie\">tie</span>"))
        #expect(section.contains("too few runs to reach p &lt; 0.01"))
        #expect(section.contains("Caveats"))
        #expect(section.contains("title=\"1 of 1 runs did not finish: error: cannot start &lt;4&gt; workers\">not named<"))
        for problem in verdict.advice.problems {
            #expect(section.contains(HTMLText.escape(problem)), "\(problem)")
        }
    }

    @Test("traces alone: a verdict per workload from its traces, one run each, said to be no measurement plan")
    func fromSingleTraces() throws {
        let a = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 20, workers: 4), "threads.json")
        let b = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 20, workers: 1, strategy: "eventloop"),
                                          "eventloop.json")
        let html = try HTMLReport.render(tracePaths: [a, b], sweep: nil, title: "two")
        let section = try Self.section(html)
        #expect(section.contains("cpu, 20 tasks: 2 strategies from the traces given (1 trace each)"))
        #expect(section.contains("cannot be told apart with 1 run each"))
        #expect(section.contains("each trace counted as one run"))
        #expect(section.contains("too few runs to reach p &lt; 0.01"))
        // The rule comes from the traces: a threads trace says its pool.
        #expect(section.contains("classified by</dt><dd>the traces"))
    }

    @Test("repeated traces: each strategy's spread and a clear winner by the U test")
    func fromRepeatedTraces() throws {
        var paths: [String] = []
        for index in 0..<5 {
            paths.append(try HTMLReportTests.write(HTMLReportTests.trace(tasks: 8, workers: 4, sliceUs: 100 + index),
                                                   "threads-\(index).json"))
            paths.append(try HTMLReportTests.write(
                HTMLReportTests.trace(tasks: 8, workers: 1, sliceUs: 300 + index, strategy: "sequential"),
                "sequential-\(index).json"))
        }
        let runs = try paths.map { try HTMLReport.trace($0) }
        let verdicts = ReportVerdict.fromTraces(runs.map(\.analysis))
        let verdict = try #require(verdicts.first)
        #expect(verdicts.count == 1 && verdict.origin == .traces)
        #expect(verdict.advice.verdict.winners == ["threads"])
        #expect(verdict.advice.verdict.decision == .clearWinner(by: .wall))
        #expect(verdict.advice.summary(of: "threads")?.wall?.count == 5)
        let html = try HTMLReport.render(tracePaths: paths, sweep: nil, title: "repeats")
        let section = try Self.section(html)
        #expect(section.contains("(5 traces each)") && section.contains(" n=5</tspan>"))
        #expect(section.contains("sequential is slower"))
        // The side-by-side bars are per configuration with their spread, and the key metrics grouped.
        #expect(html.contains("the traces of each configuration"))
        #expect(html.contains("median [95% interval] (traces) per configuration"))
    }

    @Test("traces without run metadata, or of one strategy, get no verdict")
    func noVerdict() throws {
        let foreign = try HTMLReportTests.write("""
            [{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":5},{"ph":"X","name":"b","pid":1,"tid":2,"ts":1,"dur":5}]
            """)
        let one = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 4, workers: 2))
        let html = try HTMLReport.render(tracePaths: [foreign, one], sweep: nil, title: "x")
        #expect(!html.contains("<section class=\"verdicts\">"))
    }

    @Test("a sweep's verdict at each size, with why its runs stopped")
    func sweepVerdicts() throws {
        var sweep = Self.results([("threads", 0.05), ("eventloop", 0.2)], rounds: 5, workload: "sleep", tasks: 10)
        let big = Self.results([("threads", 0.5), ("eventloop", 0.3)], rounds: 5, workload: "sleep", tasks: 1000)
        sweep.runs += big.runs
        sweep.stops += big.stops
        let html = try HTMLReport.render(tracePaths: [], sweep: sweep, title: "sweep")
        let section = try Self.section(html)
        #expect(section.contains("Sweep: sleep, the verdict at each size"))
        #expect(section.contains(HTMLText.escape(sweep.advice(tasks: 10).headline)))
        #expect(section.contains(HTMLText.escape(sweep.advice(tasks: 1000).headline)))
        #expect(section.contains("5 counted runs per strategy, as asked"))
    }

    @Test("strategy names, titles and errors from a file are escaped in the verdict")
    func escaped() throws {
        let hostile = "<img src=x onerror=alert(1)>"
        var results = Self.results([(hostile, 0.05), ("threads", 0.2)], rounds: 5)
        results.runs[0].error = "<script>x</script>"
        let verdict = Self.verdict(results, title: "<b>title</b>")
        let html = try HTMLReport.render(tracePaths: [], sweep: nil, verdicts: [verdict], title: "t")
        #expect(!html.contains("<img") && !html.contains("<b>title</b>") && !html.contains("<script"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;") && html.contains("&lt;b&gt;title&lt;/b&gt;"))
    }

    @Test("odd numbers in the runs (1e308, NaN, infinity): the page is made, odd values read n/a")
    func oddNumbers() throws {
        var results = Self.results([("threads", 0.05), ("async", 0.06)], rounds: 5)
        for index in results.runs.indices where results.runs[index].strategy == "async" {
            results.runs[index].wallSeconds = 1e308
            results.runs[index].throughput = .nan
            results.runs[index].latencyP99Milliseconds = .infinity
            results.runs[index].dispatchOverheadMicroseconds = -1e308
            results.runs[index].peakRSSBytes = Int.max
        }
        let html = try HTMLReport.render(tracePaths: [], sweep: results, verdicts: [Self.verdict(results)],
                                         title: "odd")
        #expect(html.contains("</html>"))
        #expect(!html.contains("nan") && !html.contains("inf<"))
    }
}
