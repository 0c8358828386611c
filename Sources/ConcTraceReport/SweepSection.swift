import ConcTraceAnalysis

/// The sweep's part of the page: how each strategy scales with the number of tasks (log-log), the runs that could
/// not be made, and the table of every run.
struct SweepSection {
    var sweep: SweepResults
    /// Styles by strategy, shared with the rest of the page.
    var styles: [String: SeriesStyle]

    /// One scaling chart: a figure of each run, its axis title and how its ticks read.
    private struct Figure {
        var title: String
        var axis: String
        var value: (SweepResults.Run) -> Double?
        var label: (Double) -> String = NumberFormat.compact
    }

    private var figures: [Figure] {
        [
            Figure(title: "Wall time", axis: "wall time (s)", value: \.wallSeconds),
            Figure(title: "Throughput", axis: "throughput (tasks/s)", value: \.throughput),
            Figure(title: "Task latency p99", axis: "latency p99 (ms)", value: \.latencyP99Milliseconds),
            Figure(title: "Peak memory (RSS)", axis: "peak RSS (MiB)",
                   value: { SweepResults.Figure.peakMemory.value(of: $0) }),
        ]
    }

    var html: String {
        let strategies = sweep.strategies
        var html = "<h2>Scaling: \(HTMLText.escape(sweep.workload)) from \(taskRange)</h2><p class=\"explain\">Each "
            + "strategy run at each number of tasks (both axes logarithmic). A cross on the x axis is a run that could "
            + "not be made (listed below with its error); a hollow marker a run in which some tasks failed.</p>"
        html += ChartLegend.html(strategies.map { ($0, styles[$0] ?? SeriesStyle(color: 0, variant: 0)) },
                                 notes: ["✕ could not run", "○ hollow: some tasks failed"])
        html += "<div class=\"charts\">"
        for figure in figures {
            let series = strategies.map { strategy in
                let runs = sweep.runs.filter { $0.strategy == strategy }.sorted { $0.tasks < $1.tasks }
                return LineChart.Series(
                    name: strategy, style: styles[strategy] ?? SeriesStyle(color: 0, variant: 0),
                    points: runs.compactMap { run in
                        figure.value(run).map { (Double(run.tasks), $0, run.status == .ok) }
                    },
                    missing: runs.filter { $0.status == .error || $0.status == .skipped }.map { Double($0.tasks) })
            }
            html += "<figure><figcaption>\(figure.title)</figcaption>"
            html += LineChart(xTitle: "tasks (log scale)", yTitle: figure.axis + ", log", xKind: .log, yKind: .log,
                              series: series, width: 540, height: 300, yLabel: figure.label,
                              label: "\(figure.title) against tasks, per strategy").svg()
            html += "</figure>"
        }
        html += "</div>"
        let problems = sweep.runs.filter { $0.status != .ok }
        if !problems.isEmpty {
            html += "<p><strong>Runs that did not complete cleanly</strong></p><ul class=\"errors\">"
            for run in problems {
                html += "<li><strong>\(HTMLText.escape(run.strategy))</strong> with \(run.tasks) tasks: "
                    + (run.status == .skipped ? "not run" : run.status == .error ? "could not run (exit \(run.exitCode))"
                        : "some tasks failed (exit \(run.exitCode))")
                    + (run.error.map { ": " + HTMLText.escape($0) } ?? "") + "</li>"
            }
            html += "</ul>"
        }
        html += runTable()
        return html
    }

    private var taskRange: String {
        let tasks = sweep.runs.map(\.tasks)
        guard let low = tasks.min(), let high = tasks.max() else { return "no runs" }
        return low == high ? "\(low) tasks" : "\(low) to \(high) tasks"
    }

    /// Every run, its figures printed as the sweep table prints them (`SweepResults.Figure`).
    private func runTable() -> String {
        let rows = sweep.runs.map { run -> [HTMLTable.Cell] in
            [.text(run.strategy), .number(String(run.tasks)), .text(run.status.rawValue), .number(String(run.exitCode))]
                + SweepResults.Figure.allCases.map { figure in figure.formatted(run).map { .number($0) } ?? .missing(nil) }
                + [.text(run.trace ?? "")]
        }
        return HTMLTable(caption: "Every run of the sweep",
                         headers: ["strategy", "tasks", "status", "exit", "wall (s)", "throughput (tasks/s)",
                                   "latency p99 (ms)", "dispatch mean (µs)", "switches per task", "peak RSS (MiB)",
                                   "trace"],
                         numericHeaders: [1, 3, 4, 5, 6, 7, 8, 9], rows: rows).html
    }
}
