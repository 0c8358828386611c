import ConcTraceAnalysis
/// Horizontal bars, one per strategy (or trace), each the median of its runs with a whisker over the 95 % interval
/// of the median and its n written after it: wall time, p99 latency and peak memory of a verdict, throughput and
/// dispatch overhead per switch of the traces.
///
/// The scale holds every bar and whisker it can place (values beyond `ChartScale.limit` are left out of it);
/// whatever still reaches past the plot is cut at its edge, and a whisker cut short has no cap on that side.
struct BarChart {
    /// One bar; `value` nil draws no bar but says why (`reason`).
    struct Bar {
        var name: String
        var style: SeriesStyle
        /// The median (or a single run's value), in the chart's unit.
        var value: Double?
        /// The 95 % interval of the median, in the chart's unit: the whisker. Nil for one run (no interval).
        var interval: (lower: Double, upper: Double)? = nil
        /// The runs behind the value, written `n=…` after it; nil writes nothing.
        var count: Int? = nil
        var reason: String?
        /// Drawn with its name in bold (a verdict's winner).
        var emphasized = false
    }

    var title: String
    /// The unit after each value and on the axis, e.g. `tasks/s`.
    var unit: String
    var bars: [Bar]
    var width = 560.0
    /// Room for the names left of the bars.
    var labelWidth = 150.0
    /// Written under the chart: which way is better.
    var hint: String
    var format: (Double) -> String = { NumberFormat.significant($0, digits: 3) }

    static let rowHeight = 26.0

    /// The plot area of a chart of `bars` bars.
    func frame() -> ChartFrame {
        let height = 44 + Self.rowHeight * Double(max(bars.count, 1)) + 26
        var frame = ChartFrame(width: width, height: height)
        // The right margin holds the value and its n after the longest bar.
        (frame.left, frame.top, frame.bottom, frame.right) = (labelWidth, 34, 36, 104)
        return frame
    }

    /// The value scale: every finite value and interval end.
    func scale(_ frame: ChartFrame) -> ChartScale {
        let values = bars.flatMap { bar in
            [bar.value, bar.interval?.lower, bar.interval?.upper].compactMap { $0 }
        }
        return ChartScale.fitting(values, kind: .linear, fromZero: true, pixels: (frame.plotLeft, frame.plotRight))
    }

    func svg() -> String {
        let frame = frame()
        let x = scale(frame)
        let (width, height) = (frame.width, frame.height)
        var svg = "<svg class=\"chart bars\" viewBox=\"0 0 \(HTMLText.px(width)) \(HTMLText.px(height))\" "
            + "width=\"\(HTMLText.px(width))\" height=\"\(HTMLText.px(height))\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(title))\">"
        svg += "<text class=\"heading\" x=\"4\" y=\"18\">\(HTMLText.escape(title))</text>"
        svg += "<g class=\"grid\">"
        for tick in x.ticks {
            let pixel = HTMLText.px(x.position(tick))
            svg += "<line x1=\"\(pixel)\" x2=\"\(pixel)\" y1=\"\(HTMLText.px(frame.plotTop))\" y2=\"\(HTMLText.px(frame.plotBottom))\"/>"
        }
        svg += "</g><g class=\"axis\">"
        for tick in x.ticks {
            svg += "<text x=\"\(HTMLText.px(x.position(tick)))\" y=\"\(HTMLText.px(frame.plotBottom + 15))\" "
                + "text-anchor=\"middle\">\(NumberFormat.compact(tick))</text>"
        }
        svg += "<text class=\"title\" x=\"\(HTMLText.px((frame.plotLeft + frame.plotRight) / 2))\" "
            + "y=\"\(HTMLText.px(height - 4))\" text-anchor=\"middle\">\(HTMLText.escape(unit)) (\(HTMLText.escape(hint)))</text>"
        svg += "</g>"
        for (index, bar) in bars.enumerated() {
            svg += row(bar, top: frame.plotTop + Double(index) * Self.rowHeight + 4, frame: frame, x: x)
        }
        svg += "<line class=\"base\" x1=\"\(HTMLText.px(frame.plotLeft))\" x2=\"\(HTMLText.px(frame.plotLeft))\" "
            + "y1=\"\(HTMLText.px(frame.plotTop))\" y2=\"\(HTMLText.px(frame.plotBottom))\"/>"
        return svg + "</svg>"
    }

    /// One bar's label, rectangle, whisker and value.
    private func row(_ bar: Bar, top: Double, frame: ChartFrame, x: ChartScale) -> String {
        let barHeight = Self.rowHeight - 8
        let middle = top + barHeight / 2
        let inside = { (pixel: Double) in min(max(pixel, frame.plotLeft), frame.plotRight) }
        var svg = "<text x=\"\(HTMLText.px(labelWidth - 8))\" y=\"\(HTMLText.px(middle + 4))\" text-anchor=\"end\""
            + (bar.emphasized ? " class=\"winner\"" : "") + ">\(HTMLText.short(bar.name, 20))</text>"
        guard let value = bar.value, value.isFinite else {
            return svg + "<text class=\"empty\" x=\"\(HTMLText.px(frame.plotLeft + 4))\" y=\"\(HTMLText.px(middle + 4))\">n/a"
                + "<title>\(HTMLText.escape(bar.reason ?? "not computed"))</title></text>"
        }
        let right = inside(x.position(value))
        let n = bar.count.map { " n=\($0)" } ?? ""
        var tooltip = "\(bar.name): \(format(value)) \(unit)"
        if let interval = bar.interval { tooltip += ", 95% interval of the median \(format(interval.lower))-\(format(interval.upper))" }
        if let count = bar.count { tooltip += ", n = \(count)" }
        svg += "<rect x=\"\(HTMLText.px(frame.plotLeft))\" y=\"\(HTMLText.px(top))\" "
            + "width=\"\(HTMLText.px(max(1, right - frame.plotLeft)))\" height=\"\(HTMLText.px(barHeight))\" "
            + "fill=\"\(bar.style.stroke)\"><title>\(HTMLText.escape(tooltip))</title></rect>"
        var end = right
        if let interval = bar.interval, interval.lower.isFinite, interval.upper.isFinite, interval.lower <= interval.upper {
            let (lowRaw, highRaw) = (x.position(interval.lower), x.position(interval.upper))
            let (low, high) = (inside(lowRaw), inside(highRaw))
            svg += "<g class=\"whisker\"><title>\(HTMLText.escape(tooltip))</title>"
                + "<line x1=\"\(HTMLText.px(low))\" x2=\"\(HTMLText.px(high))\" y1=\"\(HTMLText.px(middle))\" "
                + "y2=\"\(HTMLText.px(middle))\"/>"
            // A cap marks an end inside the plot; an end cut at the plot's edge has none.
            for (pixel, raw) in [(low, lowRaw), (high, highRaw)] where pixel == raw {
                svg += "<line x1=\"\(HTMLText.px(pixel))\" x2=\"\(HTMLText.px(pixel))\" y1=\"\(HTMLText.px(middle - 6))\" "
                    + "y2=\"\(HTMLText.px(middle + 6))\"/>"
            }
            svg += "</g>"
            end = max(end, high)
        }
        svg += "<text class=\"value\" x=\"\(HTMLText.px(end + 5))\" y=\"\(HTMLText.px(middle + 4))\">\(format(value))"
            + (n.isEmpty ? "" : "<tspan class=\"n\">\(n)</tspan>") + "</text>"
        return svg
    }
}
