import ConcTraceAnalysis
/// Draws a `Timeline`: one lane per worker with its running slices coloured by task, then the sample tasks' lanes
/// with their states (running, ready, waiting), over a time axis in ms from the start of the trace. The axis may be
/// longer than the timeline (`axisMilliseconds`: the longest run of its workload), so that runs of one workload
/// compare by length; a dashed line marks the run's end.
struct TimelineChart {
    /// Rectangles per timeline, at most: the columns are merged in pairs until the timeline fits.
    static let maxRectangles = 2_000

    var timeline: Timeline
    /// The time axis's length, ms, when it is shared with longer timelines; nil (or shorter than this timeline)
    /// for the timeline's own.
    var axisMilliseconds: Double? = nil
    var width = 1100.0
    /// The chart's accessible name.
    var label: String

    func svg() -> String {
        var timeline = self.timeline
        while timeline.rectangleCount > Self.maxRectangles && timeline.columnCount > 16 {
            timeline = timeline.coarsened()
        }
        let labelWidth = 200.0
        let plotLeft = labelWidth, plotRight = width - 12
        let workers = timeline.rows.filter { $0.kind == .worker }.count
        let tasks = timeline.rows.count - workers
        let workerHeight = workers > 24 ? 12.0 : 20.0
        let taskHeight = 14.0
        let gap = tasks > 0 ? 30.0 : 0
        let durationMs = timeline.milliseconds
        let axisMs = max(durationMs, axisMilliseconds.map { $0.isFinite ? $0 : 0 } ?? 0)
        // A run shorter than the shared axis gets a line over the lanes at its end, labelled above them.
        let endsEarly = axisMs > durationMs
        let top = endsEarly ? 22.0 : 8.0
        let plotBottom = top + Double(workers) * workerHeight + gap + Double(tasks) * taskHeight
        let height = plotBottom + 40
        let x = ChartScale.fitting([0, axisMs], kind: .linear, fromZero: true, pixels: (plotLeft, plotRight))
        let columnMs = durationMs / Double(max(1, timeline.columnCount))
        let columnPixels = (plotRight - plotLeft) / (x.upper - x.lower) * columnMs

        var svg = "<svg class=\"chart timeline\" viewBox=\"0 0 \(HTMLText.px(width)) \(HTMLText.px(height))\" "
            + "width=\"\(HTMLText.px(width))\" height=\"\(HTMLText.px(height))\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(label))\">"
        svg += "<g class=\"grid\">"
        for tick in x.ticks {
            let pixel = HTMLText.px(x.position(tick))
            svg += "<line x1=\"\(pixel)\" x2=\"\(pixel)\" y1=\"\(HTMLText.px(top))\" y2=\"\(HTMLText.px(plotBottom))\"/>"
        }
        svg += "</g><g class=\"axis\">"
        for tick in x.ticks {
            svg += "<text x=\"\(HTMLText.px(x.position(tick)))\" y=\"\(HTMLText.px(plotBottom + 16))\" "
                + "text-anchor=\"middle\">\(NumberFormat.compact(tick))</text>"
        }
        svg += "<text class=\"title\" x=\"\(HTMLText.px((plotLeft + plotRight) / 2))\" y=\"\(HTMLText.px(height - 6))\" "
            + "text-anchor=\"middle\">time since the first event (ms)</text></g>"

        var y = top
        for (index, row) in timeline.rows.enumerated() {
            if row.kind == .task && (index == 0 || timeline.rows[index - 1].kind == .worker) {
                y += gap
                svg += "<text class=\"heading\" x=\"4\" y=\"\(HTMLText.px(y - 9))\">sample tasks: "
                    + "<tspan fill=\"\(Palette.running)\">■ running</tspan> <tspan fill=\"\(Palette.ready)\">■ ready"
                    + "</tspan> <tspan fill=\"#8a99a6\">■ waiting</tspan></text>"
            }
            let rowHeight = row.kind == .worker ? workerHeight : taskHeight
            let barHeight = rowHeight - (row.kind == .worker ? 4 : 3)
            if index % 2 == 0 || row.kind == .task {
                svg += "<rect class=\"lane\" x=\"\(HTMLText.px(plotLeft))\" y=\"\(HTMLText.px(y))\" "
                    + "width=\"\(HTMLText.px(plotRight - plotLeft))\" height=\"\(HTMLText.px(rowHeight))\"/>"
            }
            let text = row.detail.isEmpty ? HTMLText.short(row.label, 28)
                : HTMLText.short(row.label, 14) + " <tspan class=\"detail\">\(HTMLText.short(row.detail, 18))</tspan>"
            svg += "<text x=\"\(HTMLText.px(labelWidth - 6))\" y=\"\(HTMLText.px(y + rowHeight / 2 + 4))\" "
                + "text-anchor=\"end\"\(rowHeight < 14 ? " class=\"small\"" : "")>\(text)<title>\(HTMLText.escape(row.label))"
                + "\(row.detail.isEmpty ? "" : ", " + HTMLText.escape(row.detail))</title></text>"
            for run in Timeline.runs(row.columns) {
                let left = x.position(Double(run.first) * columnMs)
                let color: String
                let what: String
                if row.kind == .worker {
                    color = run.key >> 63 == 1 ? Palette.color(Int(run.key % 7)) : Palette.color(task: run.key)
                    what = run.key >> 63 == 1 ? "slices" : (timeline.taskNames[run.key] ?? "task \(run.key)")
                } else {
                    let state = Timeline.TaskState(rawValue: run.key)
                    color = switch state {
                    case .running: Palette.running
                    case .ready: Palette.ready
                    default: Palette.waiting
                    }
                    what = switch state {
                    case .running: "running"
                    case .ready: "ready"
                    default: "waiting"
                    }
                }
                let from = Double(run.first) * columnMs, to = Double(run.first + run.count) * columnMs
                svg += "<rect x=\"\(HTMLText.px(left))\" y=\"\(HTMLText.px(y + (rowHeight - barHeight) / 2))\" "
                    + "width=\"\(HTMLText.px(max(0.8, Double(run.count) * columnPixels)))\" "
                    + "height=\"\(HTMLText.px(barHeight))\" fill=\"\(color)\"><title>\(HTMLText.escape(what)): "
                    + "\(NumberFormat.significant(from, digits: 4))–\(NumberFormat.significant(to, digits: 4)) ms</title></rect>"
            }
            y += rowHeight
        }
        if endsEarly {
            let end = x.position(durationMs)
            let anchor = end > plotRight - 160 ? "end" : "start"
            svg += "<g class=\"run-end\"><line x1=\"\(HTMLText.px(end))\" x2=\"\(HTMLText.px(end))\" "
                + "y1=\"\(HTMLText.px(top - 4))\" y2=\"\(HTMLText.px(plotBottom))\"/><text x=\"\(HTMLText.px(end + (anchor == "end" ? -4 : 4)))\" "
                + "y=\"\(HTMLText.px(top - 8))\" text-anchor=\"\(anchor)\">the run ends at "
                + "\(NumberFormat.significant(durationMs, digits: 3)) ms</text></g>"
        }
        return svg + "</svg>"
    }
}
