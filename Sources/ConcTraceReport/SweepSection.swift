import ConcTraceAnalysis

/// The sweep's part of the page: how each strategy scales with the number of tasks (log-log), drawn as the median
/// of its runs at each size with a band over the median's 95 % interval; how many runs each point rests on and why
/// they stopped; the runs that could not be made; each strategy at each size summarised, and every run.
struct SweepSection {
    var sweep: SweepResults
    /// Styles by strategy, shared with the rest of the page.
    var styles: [String: SeriesStyle]

    /// One scaling chart: a summary of each strategy at each size, its axis title and unit.
    private struct Figure {
        var title: String
        var axis: String
        var figure: SweepResults.Figure
        var summary: (SweepResults.Summary) -> SampleSummary?
    }

    private var figures: [Figure] {
        [
            Figure(title: "Wall time", axis: "wall time", figure: .wall, summary: \.wall),
            Figure(title: "Throughput", axis: "throughput", figure: .throughput, summary: \.throughput),
            Figure(title: "Task latency p99", axis: "latency p99", figure: .latencyP99, summary: \.latencyP99),
            Figure(title: "Peak memory (RSS)", axis: "peak RSS", figure: .peakMemory, summary: \.peakMemory),
        ]
    }

    var html: String {
        let strategies = sweep.strategies
        let summaries = sweep.summaries
        var html = "<h2>Scaling: \(HTMLText.escape(sweep.workload)) from \(taskRange)</h2><p class=\"explain\">Each "
            + "strategy run at each number of tasks (both axes logarithmic). A line joins the medians of a strategy's "
            + "runs at each size; the shaded band around it is the 95 % confidence interval of each median (order "
            + "statistics; min-max below 6 runs, a bar where a size stands alone). A cross on the x axis is a size "
            + "that could not be run (listed below with its error); a hollow marker a size where some run had failed "
            + "tasks.</p>"
        html += "<p class=\"explain\">\(HTMLText.escape(repetitionText(summaries)))</p>"
        html += ChartLegend.html(strategies.map { ($0, styles[$0] ?? SeriesStyle(color: 0, variant: 0)) },
                                 notes: ["✕ could not run", "○ hollow: some tasks failed", "band: 95% interval"])
        html += "<div class=\"charts\">"
        for figure in figures {
            let present = summaries.compactMap(figure.summary)
            let unit = FigureUnit.of(figure.figure, present.map(\.median))
            let series = strategies.map { strategy in
                let rows = summaries.filter { $0.strategy == strategy }.sorted { $0.tasks < $1.tasks }
                let measured = rows.compactMap { row in figure.summary(row).map { (row, $0) } }
                return LineChart.Series(
                    name: strategy, style: styles[strategy] ?? SeriesStyle(color: 0, variant: 0),
                    points: measured.map { row, summary in (Double(row.tasks), unit.scaled(summary.median), row.status == .ok) },
                    missing: rows.filter { $0.status == .error || $0.status == .skipped || $0.runs == 0 }
                        .map { Double($0.tasks) },
                    band: measured.compactMap { row, summary in
                        summary.interval.map { (Double(row.tasks), unit.scaled($0.lower), unit.scaled($0.upper)) }
                    })
            }
            let axis = figure.axis + (unit.symbol.isEmpty ? "" : " (\(unit.symbol))") + ", log"
            html += "<figure><figcaption>\(figure.title)</figcaption>"
            html += LineChart(xTitle: "tasks (log scale)", yTitle: axis, xKind: .log, yKind: .log,
                              series: series, width: 540, height: 300,
                              label: "\(figure.title) against tasks, per strategy: medians with their 95% intervals").svg()
            html += "<p class=\"caption\">\(HTMLText.escape(countText(present)))</p></figure>"
        }
        html += "</div>"
        html += problems()
        html += summaryTable(summaries)
        html += "<details><summary>Every run of the sweep (\(sweep.runs.count))</summary>" + runTable() + "</details>"
        return html
    }

    private var taskRange: String {
        let tasks = sweep.runs.map(\.tasks)
        guard let low = tasks.min(), let high = tasks.max() else { return "no runs" }
        return low == high ? "\(low) tasks" : "\(low) to \(high) tasks"
    }

    /// How often each strategy ran and why the runs stopped at each size (the same reason said once).
    private func repetitionText(_ summaries: [SweepResults.Summary]) -> String {
        var text = sweep.repetition.map { "Repetition: " + ReportText.repetition($0) + "." }
            ?? "Repetition: one run per strategy and size (a file written before repetitions)."
        let stops = sweep.sizes.compactMap { tasks in sweep.stop(tasks: tasks).map { (tasks, $0.text) } }
        if !stops.isEmpty {
            let reasons = Set(stops.map(\.1))
            text += reasons.count == 1
                ? " Runs stopped at every size: \(stops[0].1)."
                : " Runs stopped: " + stops.map { "\($0.0) tasks: \($0.1)" }.joined(separator: "; ") + "."
        }
        return text
    }

    /// `n = 5 to 12 runs per point`.
    private func countText(_ present: [SampleSummary]) -> String {
        let counts = present.map(\.count)
        guard let low = counts.min(), let high = counts.max() else { return "no runs measured this figure" }
        return "n = " + (low == high ? "\(low)" : "\(low) to \(high)") + " run\(high == 1 ? "" : "s") per point"
            + (high == 1 ? ": no interval" : "")
    }

    private func problems() -> String {
        let problems = sweep.runs.filter { $0.status != .ok }
        guard !problems.isEmpty else { return "" }
        var html = "<p><strong>Runs that did not complete cleanly</strong></p><ul class=\"errors\">"
        for run in problems {
            html += "<li><strong>\(HTMLText.escape(run.strategy))</strong> with \(run.tasks) tasks: "
                + (run.status == .skipped ? "not run" : run.status == .error ? "could not run (exit \(run.exitCode))"
                    : "some tasks failed (exit \(run.exitCode))")
                + (run.error.map { ": " + HTMLText.escape($0) } ?? "") + "</li>"
        }
        return html + "</ul>"
    }

    /// Each strategy at each size: its counted runs and each figure's median [95 % interval], as the sweep's
    /// summaries hold them.
    private func summaryTable(_ summaries: [SweepResults.Summary]) -> String {
        let figures = SweepResults.Figure.allCases
        let columns: [(SweepResults.Summary) -> SampleSummary?] = [
            \.wall, \.throughput, \.latencyP99, \.dispatchOverhead, \.switchesPerTask, \.peakMemory,
        ]
        let units = zip(figures, columns).map { figure, column in
            FigureUnit.of(figure, summaries.compactMap(column).map(\.median))
        }
        let rows = summaries.map { summary -> [HTMLTable.Cell] in
            let runs = summary.status == .skipped ? "-"
                : String(summary.runs) + (summary.failedRuns == 0 ? "" : " (+\(summary.failedRuns) failed)")
            return [.text(summary.strategy), .number(String(summary.tasks)), .number(runs)]
                + zip(units, columns).map { unit, column in
                    column(summary).map { .number(unit.spread($0)) } ?? .missing(nil)
                }
                // The reasons are long and listed above the table: here on hover.
                + [HTMLTable.Cell(text: summary.status == .skipped ? "not run" : summary.status.rawValue,
                                  hint: summary.error)]
        }
        let headers = ["strategy", "tasks", "runs"] + zip(["wall", "throughput", "latency p99", "dispatch mean",
                                                           "switches per task", "peak RSS"], units).map { name, unit in
            name + (unit.symbol.isEmpty ? "" : " (\(unit.symbol))")
        } + ["status"]
        return HTMLTable(caption: "Each strategy at each size: median [95% interval] of its counted runs",
                         headers: headers, numericHeaders: Set(1...8), rows: rows).html
    }

    /// Every run, its figures printed as the sweep table prints them (`SweepResults.Figure`).
    private func runTable() -> String {
        let rows = sweep.runs.map { run -> [HTMLTable.Cell] in
            [.text(run.strategy), .number(String(run.tasks)), .number(run.round.map { String($0) } ?? "-"),
             .text(run.status.rawValue), .number(String(run.exitCode))]
                + SweepResults.Figure.allCases.map { figure in figure.formatted(run).map { .number($0) } ?? .missing(nil) }
                + [.text(run.trace ?? "")]
        }
        return HTMLTable(caption: nil,
                         headers: ["strategy", "tasks", "round", "status", "exit", "wall (s)", "throughput (tasks/s)",
                                   "latency p99 (ms)", "dispatch mean (µs)", "switches per task", "peak RSS (MiB)",
                                   "trace"],
                         numericHeaders: [1, 2, 4, 5, 6, 7, 8, 9, 10], rows: rows).html
    }
}
