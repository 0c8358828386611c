import ConcTraceAnalysis
import Foundation
import Testing
@testable import ConcTraceReport

/// Spread on the charts (issue 13 items 2 and 6): whiskers on bars, bands on the sweep's lines, and timelines of
/// one workload on one time axis; drawn within the plot whatever the numbers.
@Suite("HTML report: spread on the charts")
struct SpreadChartTests {
    /// The values of `attribute` in every element of `svg` that starts with `prefix`, e.g. `<line` `x1`.
    static func attributes(_ attribute: String, in svg: String, after marker: String = "") -> [Double] {
        let text = marker.isEmpty ? svg : String(svg[(svg.range(of: marker)?.upperBound ?? svg.endIndex)...])
        return text.components(separatedBy: " \(attribute)=\"").dropFirst().compactMap { part in
            Double(part.prefix { $0 != "\"" })
        }
    }

    /// The `<g class="whisker">` groups of `svg`, each as its text.
    static func whiskers(_ svg: String) -> [String] {
        svg.components(separatedBy: "<g class=\"whisker\">").dropFirst().map { part in
            String(part[..<(part.range(of: "</g>")?.lowerBound ?? part.endIndex)])
        }
    }

    static let style = SeriesStyle(color: 0, variant: 0)

    @Test("a whisker spans the interval on the bar's scale, with a cap at each end, and n is written")
    func whiskerExtent() throws {
        let chart = BarChart(title: "wall", unit: "ms", bars: [
            .init(name: "threads", style: Self.style, value: 10, interval: (8, 12), count: 7, reason: nil),
            .init(name: "async", style: Self.style, value: 20, interval: nil, count: 1, reason: nil),
        ], hint: "shorter is better")
        let svg = chart.svg()
        let whiskers = Self.whiskers(svg)
        try #require(whiskers.count == 1)
        let x = chart.scale(chart.frame())
        let xs = Self.attributes("x1", in: whiskers[0]) + Self.attributes("x2", in: whiskers[0])
        // The span and two caps: 8 and 12 on the chart's scale.
        let (low, high) = (Double(HTMLText.px(x.position(8)))!, Double(HTMLText.px(x.position(12)))!)
        #expect(xs.min() == low && xs.max() == high)
        #expect(HTMLReportTests.count("<line", in: whiskers[0]) == 3)
        #expect(svg.contains(" n=7</tspan>") && svg.contains(" n=1</tspan>"))
        // The scale holds the longest bar and the whisker's end.
        #expect(x.upper >= 20)
    }

    @Test("a whisker past the drawable range stops at the plot's edge, without a cap there")
    func whiskerClipped() throws {
        let chart = BarChart(title: "wall", unit: "s", bars: [
            .init(name: "a", style: Self.style, value: 5, interval: (4, 1e308), count: 6, reason: nil),
            .init(name: "b", style: Self.style, value: 1e308, interval: (-1e308, .infinity), count: 6, reason: nil),
            .init(name: "c", style: Self.style, value: .nan, interval: (.nan, 3), count: 6, reason: "odd"),
            .init(name: "d", style: Self.style, value: 2, interval: (.nan, 3), count: 6, reason: nil),
        ], hint: "")
        let svg = chart.svg()
        let frame = chart.frame()
        let whiskers = Self.whiskers(svg)
        #expect(whiskers.count == 1)   // b's interval is not finite, c has no value, d's lower is NaN
        let xs = Self.attributes("x1", in: whiskers[0]) + Self.attributes("x2", in: whiskers[0])
        #expect(xs.max() == frame.plotRight && xs.min()! >= frame.plotLeft)
        #expect(HTMLReportTests.count("<line", in: whiskers[0]) == 2)   // the span and the lower cap only
        // Every bar within the plot.
        let rects = svg.components(separatedBy: "<rect ").dropFirst().map { " " + $0.prefix { $0 != ">" } }
        #expect(rects.count == 3)
        for rect in rects {
            let (x, width) = (Self.attributes("x", in: rect)[0], Self.attributes("width", in: rect)[0])
            #expect(x >= frame.plotLeft && x + width <= frame.plotRight + 0.1, "\(rect)")
        }
        #expect(svg.contains(">n/a<") && !svg.contains("nan") && !svg.contains("inf"))
    }

    @Test("the sweep's lines are medians with a band over each interval, at the right place")
    func bandExtent() throws {
        var runs: [SweepResults.Run] = []
        // At 10 tasks: 1, 2, 3, 4, 5, 6 s (median 3.5, interval min-max 1-6 at n = 6); at 100: 10 ... 60.
        for (tasks, scale) in [(10, 1.0), (100, 10.0)] {
            for round in 1...6 {
                var run = SweepResults.Run(strategy: "threads", tasks: tasks, status: .ok, exitCode: 0)
                run.round = round
                run.wallSeconds = Double(round) * scale
                runs.append(run)
            }
        }
        let sweep = SweepResults(workload: "sleep", parameters: [], host: "h", cores: 2, createdUnixSeconds: 0,
                                 version: "0", repetition: .fixed(6), runs: runs)
        let summaries = sweep.summaries
        #expect(summaries.map { $0.wall?.interval?.lower } == [1, 10] && summaries.map { $0.wall?.interval?.upper } == [6, 60])
        let html = SweepSection(sweep: sweep, styles: [:]).html
        let wallChart = String(html[html.range(of: "<figcaption>Wall time</figcaption>")!.upperBound...])
            .components(separatedBy: "</svg>")[0]
        let band = try #require(wallChart.components(separatedBy: "<path class=\"band\" d=\"M").dropFirst().first)
        let corners = band.prefix { $0 != "Z" }.split(separator: "L").map { $0.split(separator: " ").compactMap { Double($0) } }
        try #require(corners.count == 4)
        // Recompute the chart's axes as LineChart fits them: x over the sizes, y over medians and interval ends.
        let frame = { var frame = ChartFrame(width: 540, height: 300); frame.left = 66; return frame }()
        let x = ChartScale.fitting([10, 100], kind: .log, pixels: (frame.plotLeft, frame.plotRight))
        let y = ChartScale.fitting([3.5, 35, 1, 6, 10, 60], kind: .log, pixels: (frame.plotBottom, frame.plotTop))
        let expected: [(Double, Double)] = [(10, 6), (100, 60), (100, 10), (10, 1)]
        for (corner, point) in zip(corners, expected) {
            #expect(corner == [Double(HTMLText.px(x.position(point.0)))!, Double(HTMLText.px(y.position(point.1)))!])
        }
        #expect(html.contains("n = 6 runs per point"))
        #expect(html.contains("Repetition: 6 counted runs per strategy (--repeat)"))
    }

    @Test("a band point that cannot be placed breaks the band; a lone interval is a whisker")
    func bandBroken() {
        let series = LineChart.Series(name: "s", style: Self.style, points: [(10, 3, true), (100, 30, true), (1000, 300, true)],
                                      band: [(10, 2, 4), (100, .nan, 40), (1000, 200, 400)])
        let svg = LineChart(xTitle: "x", yTitle: "y", xKind: .log, yKind: .log, series: [series], label: "l").svg()
        #expect(!svg.contains("class=\"band\""))
        #expect(HTMLReportTests.count("class=\"band-whisker\"", in: svg) == 2)
        #expect(!svg.contains("nan"))
    }

    @Test("two timelines of one workload share the longer one's axis: the shorter run's slices end early")
    func sharedAxis() throws {
        let long = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 40, workers: 1, sliceUs: 1000), "long.json")
        let short = try HTMLReportTests.write(
            HTMLReportTests.trace(tasks: 40, workers: 4, sliceUs: 50, strategy: "eventloop"), "short.json")
        let html = try HTMLReport.render(tracePaths: [long, short], sweep: nil, title: "axis")
        let timelines = html.components(separatedBy: "<svg class=\"chart timeline\"").dropFirst()
            .map { $0.components(separatedBy: "</svg>")[0] }
        try #require(timelines.count == 2)
        let (longRun, shortRun) = (try HTMLReport.trace(long), try HTMLReport.trace(short))
        let (longMs, shortMs) = (try #require(longRun.timeline).milliseconds, try #require(shortRun.timeline).milliseconds)
        #expect(longMs > 10 * shortMs)
        // Both axes reach the long run's length: the same last tick label.
        let lastTick = { (svg: String) in
            svg.components(separatedBy: "text-anchor=\"middle\">").dropFirst().compactMap { Double($0.prefix { $0 != "<" }) }.max()
        }
        #expect(lastTick(timelines[0]) == lastTick(timelines[1]) && lastTick(timelines[0])! >= longMs)
        // The short run's coloured slices end where it ends, far before the plot does; the long run's reach it.
        let rightEdge = { (svg: String) -> Double in
            let drawn = String(svg[(svg.range(of: "</text></g>")?.upperBound ?? svg.startIndex)...])
            let rects = drawn.components(separatedBy: "<rect ").dropFirst().filter { $0.contains("fill=\"#") }
            return rects.map { rect in
                Self.attributes("x", in: " " + rect)[0] + Self.attributes("width", in: " " + rect)[0]
            }.max() ?? 0
        }
        let plotRight = 1100.0 - 12
        #expect(rightEdge(timelines[0]) > plotRight * 0.8)
        #expect(rightEdge(timelines[1]) < plotRight * 0.3)
        #expect(timelines[1].contains("the run ends at") && !timelines[0].contains("the run ends at"))
        #expect(html.contains("on the time axis of the 2 traces of this workload"))
    }

    @Test("timelines of different workloads keep their own axes")
    func ownAxes() throws {
        let cpu = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 40, workers: 1, sliceUs: 1000), "a.json")
        let other = try HTMLReportTests.write(HTMLReportTests.trace(tasks: 8, workers: 4, sliceUs: 50), "b.json")
        let html = try HTMLReport.render(tracePaths: [cpu, other], sweep: nil, title: "axis")
        #expect(!html.contains("the run ends at"))
    }
}
