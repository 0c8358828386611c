import ConcTraceAnalysis
/// Horizontal bars, one per trace, with the value written at the end of each bar: throughput and dispatch overhead
/// per switch side by side.
struct BarChart {
    /// One bar; `value` nil draws no bar but says why (`reason`).
    struct Bar {
        var name: String
        var style: SeriesStyle
        var value: Double?
        var reason: String?
    }

    var title: String
    /// The unit after each value and on the axis, e.g. `tasks/s`.
    var unit: String
    var bars: [Bar]
    var width = 560.0
    /// Written under the chart: which way is better.
    var hint: String
    var format: (Double) -> String = { NumberFormat.significant($0, digits: 3) }

    func svg() -> String {
        let rowHeight = 26.0
        let labelWidth = 150.0
        let height = 44 + rowHeight * Double(max(bars.count, 1)) + 26
        var frame = ChartFrame(width: width, height: height)
        (frame.left, frame.top, frame.bottom, frame.right) = (labelWidth, 34, 36, 70)
        let x = ChartScale.fitting(bars.compactMap(\.value), kind: .linear, fromZero: true,
                                   pixels: (frame.plotLeft, frame.plotRight))
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(HTMLText.px(width)) \(HTMLText.px(height))\" width=\"\(HTMLText.px(width))\" "
            + "height=\"\(HTMLText.px(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
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
            let top = frame.plotTop + Double(index) * rowHeight + 4
            let middle = top + (rowHeight - 8) / 2 + 4
            svg += "<text x=\"\(HTMLText.px(labelWidth - 8))\" y=\"\(HTMLText.px(middle))\" text-anchor=\"end\">"
                + "\(HTMLText.short(bar.name, 20))</text>"
            guard let value = bar.value else {
                svg += "<text class=\"empty\" x=\"\(HTMLText.px(frame.plotLeft + 4))\" y=\"\(HTMLText.px(middle))\">n/a"
                    + "<title>\(HTMLText.escape(bar.reason ?? "not computed"))</title></text>"
                continue
            }
            let right = x.position(value)
            svg += "<rect x=\"\(HTMLText.px(frame.plotLeft))\" y=\"\(HTMLText.px(top))\" "
                + "width=\"\(HTMLText.px(max(1, right - frame.plotLeft)))\" height=\"\(HTMLText.px(rowHeight - 8))\" "
                + "fill=\"\(bar.style.stroke)\"><title>\(HTMLText.escape(bar.name)): "
                + "\(format(value)) \(HTMLText.escape(unit))</title></rect>"
            svg += "<text class=\"value\" x=\"\(HTMLText.px(right + 5))\" y=\"\(HTMLText.px(middle))\">\(format(value))</text>"
        }
        svg += "<line class=\"base\" x1=\"\(HTMLText.px(frame.plotLeft))\" x2=\"\(HTMLText.px(frame.plotLeft))\" "
            + "y1=\"\(HTMLText.px(frame.plotTop))\" y2=\"\(HTMLText.px(frame.plotBottom))\"/>"
        return svg + "</svg>"
    }
}
