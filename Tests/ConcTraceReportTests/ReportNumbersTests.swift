import ConcTraceAnalysis
import Foundation
import Testing
@testable import ConcTraceReport

/// `report` never traps on big or non-finite numbers: it shows the value or `n/a`. Guards issue 14 item 7: run
/// arguments of 9.22e18 or more (`HTMLText.significant`) and sweep figures of 1e308 (`ChartScale`) crashed it with
/// SIGILL (exit 132); 84 of 200 mutated sweep files did.
@Suite("HTML report: any number, no trap")
struct ReportNumbersTests {
    static let bigArguments = """
        [{"ph":"M","name":"process_name","pid":7,"args":{"name":"conctrace cpu/threads"}},
        {"ph":"i","name":"conctrace.run","s":"p","pid":7,"tid":1,"ts":0,"args":{"tool":"conctrace","workload":"cpu",
        "strategy":"threads","tasks":9.3e18,"workers":1e19,"steps":1e300,"sleep_ms":-1e308,"base":NaN,
        "timeout_ms":-Infinity,"cores":9223372036854775808,"start_unix_ns":1e300}},
        {"ph":"X","cat":"running","name":"a","pid":7,"tid":2,"ts":10,"dur":5,"args":{"task":2}},
        {"ph":"b","cat":"task","name":"a","pid":7,"tid":1,"ts":5,"id2":{"local":2},"args":{"task":2,"parent":1,"state":"done"}},
        {"ph":"e","cat":"task","name":"a","pid":7,"tid":2,"ts":15,"id2":{"local":2}}]
        """

    /// Every figure at an extreme: 1e308, just past 2⁶³, negative, the smallest subnormal, the largest integer.
    static func sweep(_ figure: String) -> String {
        """
        {"tool":"conctrace","kind":"sweep","version":"0","workload":"sleep","parameters":{"sleep_ms":\(figure)},
        "host":"h","cores":2,"created_unix_s":1764000000,"runs":[
        {"strategy":"threads","tasks":10,"status":"ok","exit_code":0,"wall_s":\(figure),
         "throughput_tasks_per_s":\(figure),"latency_ms_p99":\(figure),"dispatch_overhead_us_mean":\(figure),
         "switches_per_task":\(figure),"peak_rss_bytes":9000000000000000000},
        {"strategy":"threads","tasks":9223372036854775807,"status":"ok","exit_code":0,"wall_s":1.5,
         "throughput_tasks_per_s":2,"latency_ms_p99":3,"peak_rss_bytes":-1},
        {"strategy":"async","tasks":100,"status":"failed","exit_code":3,"wall_s":\(figure),"peak_rss_bytes":100}]}
        """
    }

    @Test("run arguments of 9.3e18, 1e19, 1e300, -1e308, NaN, -inf and 2^63: the page is made")
    func bigArguments() throws {
        let path = try HTMLReportTests.write(Self.bigArguments)
        let html = try HTMLReport.render(tracePaths: [path], sweep: nil, title: "big")
        #expect(html.contains("9.3e+18") && html.contains("</html>"))
    }

    @Test("sweep figures at the extremes: the page is made", arguments: [
        "1e308", "1.7976931348623157e308", "-1e308", "9.3e18", "-9.3e18", "1e-320", "0", "-5", "1e19", "4.9e-324",
    ])
    func extremeSweep(_ figure: String) throws {
        let path = try HTMLReportTests.write(Self.sweep(figure), "sweep.json")
        let sweep = try SweepResults.load(path: path)
        let html = try HTMLReport.render(tracePaths: [], sweep: sweep, title: "sweep")
        #expect(html.contains("</html>"))
    }

    /// Found by reviewing the page for the fuzz harness: the header's date range subtracted two times in Int64.
    @Test("a sweep made at Int64.min seconds beside a trace of today: the date range does not overflow")
    func farApartDates() throws {
        let trace = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 2, workers: 1))
        let sweepText = Self.sweep("1.5").replacingOccurrences(of: "\"created_unix_s\":1764000000",
                                                               with: "\"created_unix_s\":-9223372036854775808")
        let sweep = try SweepResults.load(path: try HTMLReportTests.write(sweepText, "sweep.json"))
        let html = try HTMLReport.render(tracePaths: [trace], sweep: sweep, title: "dates")
        #expect(html.contains("</html>"))
    }

    @Test("memory is in MiB on the page, as in the CLI (issue 13 item 9)")
    func mebibytes() throws {
        let path = try HTMLReportTests.write(Self.sweep("1.5"), "sweep.json")
        let html = try HTMLReport.render(tracePaths: [], sweep: try SweepResults.load(path: path), title: "sweep")
        #expect(html.contains("peak RSS (MiB)") && !html.contains("(MB)"))
    }
}
