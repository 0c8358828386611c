import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader
import Foundation
import Testing
@testable import ConcTraceReport

/// The HTML report from hand-made traces: self-contained, escaped, one chart per figure, bounded timelines.
@Suite("HTML report")
struct HTMLReportTests {
    /// A small conctrace-like trace: `workers` threads each running `tasks / workers` tasks of `sliceUs` µs one after
    /// another, every task with a ready and a running state span and its life span. `name` is the tasks' name.
    static func trace(tasks: Int, workers: Int, sliceUs: Int = 100, name: String = "cpu",
                      strategy: String = "threads") -> String {
        var lines = ["{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":7,\"args\":{\"name\":\"conctrace cpu/\(strategy)\"}}",
                     "{\"ph\":\"i\",\"name\":\"conctrace.run\",\"s\":\"p\",\"pid\":7,\"tid\":1,\"ts\":0,\"args\":{\"tool\":\"conctrace\","
                     + "\"workload\":\"cpu\",\"strategy\":\"\(strategy)\",\"tasks\":\(tasks),\"workers\":\(workers),\"host\":\"box\","
                     + "\"cores\":2,\"start_unix_ns\":1764000000000000000}}"]
        let quotedName = String(data: try! JSONSerialization.data(withJSONObject: [name]), encoding: .utf8)!.dropFirst().dropLast()
        for worker in 1...workers {
            lines.append("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":7,\"tid\":\(worker + 1),\"args\":{\"name\":\"thread \(worker)\"}}")
        }
        for task in 1...tasks {
            let worker = (task - 1) % workers + 2
            let start = 10 + ((task - 1) / workers) * sliceUs
            let end = start + sliceUs
            lines.append("{\"ph\":\"X\",\"cat\":\"running\",\"name\":\(quotedName),\"pid\":7,\"tid\":\(worker),\"ts\":\(start),"
                         + "\"dur\":\(sliceUs),\"args\":{\"task\":\(task)}}")
            lines.append("{\"ph\":\"b\",\"cat\":\"task\",\"name\":\"ready\",\"pid\":7,\"tid\":1,\"ts\":5,\"id2\":{\"local\":\(task)}}")
            lines.append("{\"ph\":\"e\",\"cat\":\"task\",\"name\":\"ready\",\"pid\":7,\"tid\":1,\"ts\":\(start),\"id2\":{\"local\":\(task)}}")
            lines.append("{\"ph\":\"b\",\"cat\":\"task\",\"name\":\"running\",\"pid\":7,\"tid\":\(worker),\"ts\":\(start),\"id2\":{\"local\":\(task)}}")
            lines.append("{\"ph\":\"e\",\"cat\":\"task\",\"name\":\"running\",\"pid\":7,\"tid\":\(worker),\"ts\":\(end),\"id2\":{\"local\":\(task)}}")
            lines.append("{\"ph\":\"b\",\"cat\":\"task\",\"name\":\(quotedName),\"pid\":7,\"tid\":1,\"ts\":5,\"id2\":{\"local\":\(task)},"
                         + "\"args\":{\"task\":\(task),\"parent\":1,\"state\":\"done\"}}")
            lines.append("{\"ph\":\"e\",\"cat\":\"task\",\"name\":\(quotedName),\"pid\":7,\"tid\":\(worker),\"ts\":\(end),\"id2\":{\"local\":\(task)}}")
        }
        return "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    static func write(_ text: String, _ name: String = "t.json") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("a page from two traces: self-contained, CDF, bars, timelines, tables")
    func twoTraces() throws {
        let a = try Self.write(Self.trace(tasks: 20, workers: 4), "threads.json")
        let b = try Self.write(Self.trace(tasks: 20, workers: 1, strategy: "eventloop"), "eventloop.json")
        let html = try HTMLReport.render(tracePaths: [a, b], sweep: nil, title: "two")
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<title>two</title>"))
        for forbidden in ["http://", "https://", "<script", "<link", "@import", "url("] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        // The verdict's wall time and p99 bars, CDF + 2 bar charts + 2 timelines (legend swatches are small svgs of
        // their own, aria-hidden).
        #expect(Self.count("<svg class=\"chart", in: html) == 7)
        #expect(html.contains("Task latency, cumulative") && html.contains("Throughput")
                && html.contains("Dispatch overhead per switch"))
        #expect(html.contains("<table>") && html.contains("latency p99"))
        #expect(html.contains("sample tasks") && html.contains("thread 4"))
        #expect(!html.contains("Scaling"))
    }

    @Test("every string from a trace is escaped (HTML injection)")
    func hostileNames() throws {
        let hostile = "<img src=x onerror=alert(1)>\"'&"
        let path = try Self.write(Self.trace(tasks: 4, workers: 2, name: hostile), "hostile.json")
        let html = try HTMLReport.render(tracePaths: [path], sweep: nil, title: "<b>t</b>")
        #expect(!html.contains("<img") && !html.contains("<b>t</b>"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"))
    }

    @Test("a timeline of thousands of slices stays within its rectangle budget")
    func downsampled() throws {
        let path = try Self.write(Self.trace(tasks: 6000, workers: 3, sliceUs: 7), "big.json")
        let run = try HTMLReport.trace(path)
        let timeline = try #require(run.timeline)
        #expect(timeline.rows.filter { $0.kind == .worker }.count == 3)
        #expect((HTMLReport.sampleTasks...HTMLReport.sampleTasks + 1).contains(timeline.rows.filter { $0.kind == .task }.count))
        let svg = TimelineChart(timeline: timeline, label: "big").svg()
        let rectangles = Self.count("<rect", in: svg)
        #expect(rectangles > 3 && rectangles <= TimelineChart.maxRectangles + timeline.rows.count)
    }

    @Test("sweep only: four log-log scaling charts, failed runs marked and listed, strings escaped")
    func sweepOnly() throws {
        var ok = SweepResults.Run(strategy: "threads", tasks: 10, status: .ok, exitCode: 0)
        (ok.wallSeconds, ok.throughput, ok.latencyP99Milliseconds, ok.peakRSSBytes) = (0.01, 1000, 10, 20_000_000)
        var big = ok
        (big.tasks, big.wallSeconds, big.throughput) = (1000, 0.1, 10000)
        var error = SweepResults.Run(strategy: "threads", tasks: 10000, status: .error, exitCode: 71)
        error.error = "<script>alert('x')</script>"
        let sweep = SweepResults(workload: "sleep", parameters: [("sleep_ms", .int(10))], host: "h<1>", cores: 2,
                                 createdUnixSeconds: 1_764_000_000, version: "0.1.0", runs: [ok, big, error])
        let html = try HTMLReport.render(tracePaths: [], sweep: sweep, title: "sweep")
        #expect(Self.count("<svg class=\"chart", in: html) == 4)
        #expect(html.contains("log scale") && html.contains("could not run"))
        #expect(!html.contains("<script") && html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("h&lt;1&gt;") && html.contains("2025-11-24"))
    }

    @Test("errors: nothing to report; a missing trace (input unavailable); a malformed one")
    func errors() throws {
        #expect(throws: HTMLReportError.self) { _ = try HTMLReport.render(tracePaths: [], sweep: nil, title: "") }
        do {
            _ = try HTMLReport.render(tracePaths: ["/nonexistent.json"], sweep: nil, title: "")
            Issue.record("a missing trace was accepted")
        } catch {
            #expect(error.isInputUnavailable && error.description.contains("/nonexistent.json"))
        }
        let bad = try Self.write("[{\"ph\":\"X\"}, 42]")
        do {
            _ = try HTMLReport.render(tracePaths: [bad], sweep: nil, title: "")
            Issue.record("a malformed trace was accepted")
        } catch {
            #expect(!error.isInputUnavailable && error.description.contains("byte"))
        }
    }

    @Test("escaping, compact numbers and log ticks")
    func formatting() {
        #expect(HTMLText.escape("a<b>&\"c'\u{1}") == "a&lt;b&gt;&amp;&quot;c&#39;")
        #expect(NumberFormat.compact(1500) == "1.5k" && NumberFormat.compact(10000) == "10k"
                && NumberFormat.compact(0.25) == "0.25")
        #expect(NumberFormat.significant(12.3456, digits: 3) == "12.3"
                && NumberFormat.significant(0.001234, digits: 2) == "0.0012")
        let log = ChartScale.fitting([12, 9000], kind: .log, pixels: (0, 100))
        #expect(log.lower == 10 && log.upper == 10000 && log.ticks == [10, 100, 1000, 10000])
        let linear = ChartScale.fitting([0, 97], kind: .linear, fromZero: true, pixels: (0, 100))
        #expect(linear.lower == 0 && linear.upper == 100 && linear.ticks.count >= 4)
    }
}
