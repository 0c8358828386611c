import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

extension ReportPage {
    // MARK: The traces side by side

    func comparisonSection() -> String {
        let names = self.names
        let styles = self.styles.traces
        var html = "<h2>Strategies side by side</h2><p class=\"explain\">Each trace analyzed as "
            + "<code>conctrace analyze</code> does. Latency is a task's life, from created to done; dispatch overhead "
            + "is the gap a worker spends between finishing one slice and starting the next task that was already "
            + "ready.</p>"
        html += traceTable()
        html += "<div class=\"charts\"><figure><figcaption>Task latency, cumulative</figcaption>"
        html += latencyChart(names: names, styles: styles).svg()
        html += ChartLegend.html(Array(zip(names, styles))) + "</figure><figure>"
        let grouped = GroupedComparison(analyses)
        let throughput = bars(.throughputTasks, grouped)
        let dispatch = bars(.dispatchMean, grouped)
        html += BarChart(title: "Throughput", unit: "tasks/s", bars: throughput.bars, hint: "longer is better",
                         format: FigureUnit.plain("", throughput.bars.compactMap(\.value)).label).svg()
        html += BarChart(title: "Dispatch overhead per switch (mean)", unit: "µs", bars: dispatch.bars,
                         hint: "shorter is better", format: FigureUnit.plain("", dispatch.bars.compactMap(\.value)).label).svg()
        html += "<p class=\"caption\">Bars: the median; whiskers: its 95 % interval; n: "
            + (throughput.measured || dispatch.measured
                ? "the counted runs of the measurement above (its kept trace is the last run)"
                : "the traces of each configuration (one trace: no interval)")
            + ".</p></figure></div>"
        html += latencyTable(names: names)

        // One table per workload: the best of a row means something only among runs of the same work. Repeated
        // traces of one configuration are summarised with their spread and tested, as `compare` does.
        var groups: [(workload: String?, members: [Int])] = []
        for (index, analysis) in analyses.enumerated() {
            let workload = analysis.run("workload")?.stringValue
            if let group = groups.firstIndex(where: { $0.workload == workload }) {
                groups[group].members.append(index)
            } else {
                groups.append((workload, [index]))
            }
        }
        for group in groups {
            let members = group.members.map { analyses[$0] }
            let repeated = GroupedComparison.hasRepeats(members)
            let report: Report
            let groupNames: [String]
            if repeated {
                let comparison = GroupedComparison(members)
                report = comparison.report()
                groupNames = comparison.groups.map(\.name)
            } else {
                report = Comparison(members).report()
                groupNames = group.members.map { names[$0] }
            }
            guard let metrics = report.sections.first(where: { $0.title == "metrics" }) else { continue }
            let keep = Set(Self.summaryMetrics.map(\.rawValue))
            let summary = metrics.rows.filter { keep.contains($0.path.first ?? "") }
            let title = groups.count > 1 ? "Key metrics, \(group.workload ?? "other traces")" : "Key metrics"
            let measured = verdicts.contains { $0.origin == .measured }
            let how = repeated ? " (median [95% interval] (traces) per configuration; best of each row in bold: the "
                + "best median and those a Mann-Whitney U test cannot tell from it)"
                : measured ? " (one trace each, its last run; best of each row in bold among these traces only: the "
                + "verdict above weighs every run)" : " (best of each row in bold)"
            html += comparisonTable(summary, names: groupNames, caption: title + how)
            html += "<details><summary>All metrics</summary>"
                + comparisonTable(metrics.rows, names: groupNames, caption: nil) + "</details>"
        }
        return html
    }

    private func traceTable() -> String {
        let rows = zip(names, analyses).map { name, analysis -> [HTMLTable.Cell] in
            let value = { (key: String) in analysis.run(key).map { HTMLTable.Cell.number(Self.text($0)) } ?? .missing(nil) }
            return [.text(name), .text(analysis.run("workload")?.stringValue ?? "—"),
                    .text(analysis.run("strategy")?.stringValue ?? "—"), value("tasks"), value("workers"),
                    .number(String(analysis.source.events)), .text(analysis.source.path)]
        }
        return HTMLTable(caption: "Traces", headers: ["name", "workload", "strategy", "tasks", "workers", "events", "file"],
                         numericHeaders: [3, 4, 5], rows: rows).html
    }

    private func latencyChart(names: [String], styles: [SeriesStyle]) -> LineChart {
        let series = zip(zip(names, styles), analyses).map { named, analysis in
            LineChart.Series(name: named.0, style: named.1,
                             points: analysis.latencyPercentiles.map { ($0.milliseconds, $0.percentile, true) },
                             markers: false)
        }
        let values = analyses.flatMap { $0.latencyPercentiles.map(\.milliseconds) }.filter { $0 > 0 }
        let spread = (values.max() ?? 1) / (values.min() ?? 1)
        return LineChart(xTitle: "task latency (ms)" + (spread > 30 ? ", log scale" : ""),
                         yTitle: "tasks done within (%)", xKind: spread > 30 ? .log : .linear, yKind: .linear,
                         series: series, steps: true, yDomain: [0, 100], label: "task latency CDF per strategy")
    }

    /// A bar per configuration of the traces (workload, strategy, tasks): the median of `metric` with its interval
    /// and n. Where a measured verdict holds the configuration's runs, the bar is their summary (every counted run,
    /// not only the kept trace); `measured` says whether any bar is.
    private func bars(_ metric: Metric, _ grouped: GroupedComparison) -> (bars: [BarChart.Bar], measured: Bool) {
        var measured = false
        let bars = grouped.groups.map { group -> BarChart.Bar in
            let summary: SampleSummary?
            if let runs = measuredSummary(of: group, metric) {
                measured = true
                summary = runs
            } else {
                summary = SampleSummary(group.analyses.compactMap { $0[metric] }.filter(\.isFinite))
            }
            // A group without run metadata (a foreign trace) keeps its trace's colour from the CDF.
            let trace = analyses.firstIndex { $0.source.path == group.analyses.first?.source.path }
            let barStyle = group.strategy.map { style(strategy: $0) }
                ?? trace.map { styles.traces[$0] } ?? style(strategy: group.name)
            return BarChart.Bar(name: group.name, style: barStyle,
                                value: summary?.median,
                                interval: summary?.interval.map { ($0.lower, $0.upper) }, count: summary?.count,
                                reason: group.analyses.first?.unavailable[metric])
        }
        return (bars, measured)
    }

    /// The summary of `metric` (throughput or dispatch overhead) over the counted runs of a measured verdict of
    /// the group's configuration; nil when no verdict holds it.
    private func measuredSummary(of group: GroupedComparison.Group, _ metric: Metric) -> SampleSummary? {
        guard let strategy = group.strategy, let workload = group.workload, let tasks = group.tasks else { return nil }
        for verdict in verdicts where verdict.origin == .measured && verdict.workload == workload {
            guard let results = verdict.results, let size = results.sizes.first, Int64(size) == tasks,
                  let summary = verdict.summaries.first(where: { $0.strategy == strategy }) else { continue }
            switch metric {
            case .throughputTasks: return summary.throughput
            case .dispatchMean: return summary.dispatchOverhead
            default: return nil
            }
        }
        return nil
    }

    private func latencyTable(names: [String]) -> String {
        let points: [(String, Double)] = [("min", 0), ("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100)]
        let rows = zip(names, analyses).map { name, analysis -> [HTMLTable.Cell] in
            [.text(name)] + points.map { _, percentile in
                analysis.latencyPercentiles.first { $0.percentile == percentile }
                    .map { .number(MetricUnit.milliseconds.plain($0.milliseconds)) }
                    ?? .missing(analysis.unavailable[.latencyP50])
            }
        }
        return HTMLTable(caption: "Task latency (ms), the CDF's points", headers: ["trace"] + points.map(\.0),
                         rows: rows).html
    }

    private func comparisonTable(_ rows: [ReportRow], names: [String], caption: String?) -> String {
        let cells = rows.map { row -> [HTMLTable.Cell] in
            let best = Set(row.comparison?.best ?? [])
            return [.text(row.label + (row.comparison.map { $0.unit.symbol.isEmpty ? "" : " (\($0.unit.symbol))" } ?? ""))]
                + row.cells.enumerated().map { index, value in
                    switch value {
                    case .missing: .missing(nil)
                    case .number(let number, let unit):
                        .number(Self.plain(number, unit), best: best.contains(index))
                    default: .number(value.formatted, best: best.contains(index))
                    }
                }
        }
        return HTMLTable(caption: caption, headers: ["metric"] + names, rows: cells).html
    }

    /// A value without its unit (the row label has it); fractions as percentages.
    static func plain(_ value: Double, _ unit: MetricUnit) -> String {
        unit.plain(value)
    }

    // MARK: Timelines

    func timelineSection() -> String {
        var html = "<h2>Timelines</h2><p class=\"explain\">Each lane is a worker (a thread, or a process's thread); "
            + "each coloured bar is a task running on it (one colour per task, neighbouring tasks differ). Gaps are "
            + "idle time. Below the workers, a few tasks spread over the run and the slowest one show their life: "
            + "running, ready (waiting for a worker), and waiting (for a timer, I/O, a child). Slices shorter than "
            + "a pixel are merged; hover a bar for its task and time. Timelines of one workload (the same workload "
            + "and parameters) share one time axis, set by the longest of them, so a faster run is a shorter "
            + "timeline; a dashed line marks where each run ends.</p>"
        let axes = sharedAxes()
        for (name, run) in zip(names, runs) {
            let analysis = run.analysis
            html += "<h3>\(HTMLText.escape(name)) <small><code>\(HTMLText.escape(analysis.source.path))</code></small></h3>"
            var facts: [String] = []
            if let wall = analysis[.wall] {
                facts.append("wall " + FigureUnit.duration([wall], measuredIn: 1).withSymbol(wall))
            }
            if let done = analysis[.tasksDone] { facts.append("\(MetricUnit.count.plain(done)) tasks done") }
            if let p99 = analysis[.latencyP99] {
                facts.append("latency p99 " + FigureUnit.duration([p99], measuredIn: 1e-3).withSymbol(p99))
            }
            let active = analysis.workers.filter { $0.slices > 0 }.count
            facts.append("\(active) worker(s) with slices")
            let axis = ReportVerdict.workloadKey(analysis).flatMap { axes[$0] }
            if let axis, axis.traces > 1 {
                facts.append("on the time axis of the \(axis.traces) traces of this workload (0-"
                             + "\(NumberFormat.significant(axis.milliseconds, digits: 3)) ms)")
            }
            html += "<p class=\"explain\">\(HTMLText.escape(facts.joined(separator: " · ")))</p>"
            if let timeline = run.timeline {
                html += TimelineChart(timeline: timeline, axisMilliseconds: axis?.milliseconds,
                                      label: "timeline of \(name)").svg()
                if timeline.omittedWorkers > 0 {
                    html += "<p class=\"explain\">\(timeline.omittedWorkers) more worker(s) not drawn; all are in the "
                        + "table below.</p>"
                }
            } else {
                html += "<p class=\"explain\">No slices or tasks to draw.</p>"
            }
            html += "<details><summary>Workers of \(HTMLText.escape(name)) (\(analysis.workers.count))</summary>"
                + workerTable(analysis) + "</details>"
        }
        return html
    }

    /// The time axis of each workload (`ReportVerdict.workloadKey`): the longest of its timelines (ms) and how
    /// many timelines share it. Traces without run metadata keep their own.
    func sharedAxes() -> [String: (milliseconds: Double, traces: Int)] {
        var axes: [String: (milliseconds: Double, traces: Int)] = [:]
        for run in runs {
            guard let key = ReportVerdict.workloadKey(run.analysis), let timeline = run.timeline else { continue }
            let span = timeline.milliseconds
            let axis = axes[key] ?? (0, 0)
            axes[key] = (max(axis.milliseconds, span), axis.traces + 1)
        }
        return axes
    }

    private func workerTable(_ analysis: TraceAnalysis) -> String {
        let rows = analysis.workers.map { worker -> [HTMLTable.Cell] in
            [.text(worker.name ?? "thread \(worker.tid)"), .number(String(worker.pid)), .number(String(worker.tid)),
             .number(MetricUnit.seconds.plain(worker.busySeconds)), .number(String(worker.slices)),
             worker.utilization.map { .number(MetricUnit.fraction.plain($0)) } ?? .missing("no active span"),
             worker.switches.map { .number(String($0)) } ?? .missing("no running slices"),
             worker.sliceMicroseconds.map { .number(MetricUnit.microseconds.plain($0.p50)) } ?? .missing("no slices"),
             worker.sliceMicroseconds.map { .number(MetricUnit.microseconds.plain($0.p99)) } ?? .missing("no slices")]
        }
        return HTMLTable(caption: nil, headers: ["worker", "pid", "tid", "busy (s)", "slices", "utilization (%)",
                                                 "switches", "slice p50 (µs)", "slice p99 (µs)"],
                         numericHeaders: Set(1...8), rows: rows).html
    }
}
