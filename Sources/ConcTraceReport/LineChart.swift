import ConcTraceAnalysis
/// A chart of lines with markers, one per series (a strategy), on linear or log axes: the latency CDFs and the
/// sweep's scaling curves, the latter with a band over each median's 95 % interval.
struct LineChart {
    /// One line.
    struct Series {
        var name: String
        var style: SeriesStyle
        /// The points, in x order. `filled: false` draws a hollow marker (a run in which some tasks failed).
        var points: [(x: Double, y: Double, filled: Bool)]
        /// x values where the series has no y (the run could not be made): drawn as a cross on the x axis.
        var missing: [Double] = []
        /// Draw markers at the points (not for dense curves such as CDFs).
        var markers = true
        /// The 95 % interval of the median at each x that has one, in x order: a translucent band between the
        /// neighbouring x values that have one, a whisker where an x stands alone.
        var band: [(x: Double, lower: Double, upper: Double)] = []
    }

    var xTitle: String
    var yTitle: String
    var xKind: ChartScale.Kind
    var yKind: ChartScale.Kind
    var series: [Series]
    var width = 560.0
    var height = 320.0
    /// Draw steps (a CDF: the value holds until the next point) instead of straight segments.
    var steps = false
    /// Fixed y domain (the CDF's 0...100), else fitted.
    var yDomain: [Double]?
    var xLabel: (Double) -> String = NumberFormat.compact
    var yLabel: (Double) -> String = NumberFormat.compact
    /// The chart's accessible name.
    var label: String

    func svg() -> String {
        var frame = ChartFrame(width: width, height: height)
        frame.left = 66
        let xs = series.flatMap { $0.points.map(\.x) + $0.missing }
        let ys = yDomain ?? series.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.lower, $0.upper] } }
        let x = ChartScale.fitting(xs, kind: xKind, pixels: (frame.plotLeft, frame.plotRight))
        let y = ChartScale.fitting(ys, kind: yKind, fromZero: yKind == .linear, pixels: (frame.plotBottom, frame.plotTop))
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(HTMLText.px(width)) \(HTMLText.px(height))\" width=\"\(HTMLText.px(width))\" "
            + "height=\"\(HTMLText.px(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(label))\">"
        svg += frame.axes(x: x, y: y, xTitle: xTitle, yTitle: yTitle, xLabel: xLabel, yLabel: yLabel)
        if series.allSatisfy({ $0.points.isEmpty && $0.missing.isEmpty }) {
            svg += "<text class=\"empty\" x=\"\(HTMLText.px(width / 2))\" y=\"\(HTMLText.px(height / 2))\" "
                + "text-anchor=\"middle\">no data</text>"
        }
        // Runs that could not be made, per x: their crosses stack up the axis instead of hiding each other.
        var crosses: [Double: Int] = [:]
        for line in series {
            let color = line.style.stroke
            let visible = line.points.filter { $0.x.isFinite && $0.y.isFinite && (xKind == .linear || $0.x > 0)
                && (yKind == .linear || $0.y > 0) }
            var path = ""
            for (index, point) in visible.enumerated() {
                let (px, py) = (HTMLText.px(x.position(point.x)), HTMLText.px(y.position(point.y)))
                if index == 0 {
                    path += "M\(px) \(py)"
                } else if steps {
                    path += "H\(px)V\(py)"
                } else {
                    path += "L\(px) \(py)"
                }
            }
            let dash = line.style.dash
            svg += "<g><title>\(HTMLText.escape(line.name))</title>"
            svg += band(line.band, x: x, y: y, color: color)
            if visible.count > 1 {
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\""
                    + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/>"
            }
            if line.markers || visible.count == 1 {
                for point in visible {
                    svg += line.style.marker.svg(x: x.position(point.x), y: y.position(point.y), color: color,
                                                             filled: point.filled)
                }
            }
            for missing in line.missing where xKind == .linear || missing > 0 {
                let stacked = crosses[missing, default: 0]
                crosses[missing] = stacked + 1
                let (cx, cy) = (x.position(missing), frame.plotBottom - 12 * Double(stacked))
                svg += "<path d=\"M\(HTMLText.px(cx - 5)) \(HTMLText.px(cy - 5))l10 10M\(HTMLText.px(cx + 5)) "
                    + "\(HTMLText.px(cy - 5))l-10 10\" stroke=\"\(color)\" stroke-width=\"2.5\"/>"
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// The interval band of a series: one polygon per run of neighbouring x values with an interval, a whisker
    /// for an x alone. Points the axes cannot place (not finite, beyond `ChartScale.limit`, not above 0 on a log
    /// axis) break the band rather than draw outside the plot.
    private func band(_ points: [(x: Double, lower: Double, upper: Double)], x: ChartScale, y: ChartScale,
                      color: String) -> String {
        let placeable = { (value: Double, kind: ChartScale.Kind) in
            value.isFinite && value.magnitude <= ChartScale.limit && (kind == .linear || value >= 1 / ChartScale.limit)
        }
        var segments: [[(x: Double, lower: Double, upper: Double)]] = [[]]
        for point in points {
            if placeable(point.x, xKind), placeable(point.lower, yKind), placeable(point.upper, yKind),
               point.lower <= point.upper {
                segments[segments.count - 1].append(point)
            } else if !segments[segments.count - 1].isEmpty {
                segments.append([])
            }
        }
        var svg = ""
        for segment in segments where !segment.isEmpty {
            if segment.count == 1 {
                let point = segment[0]
                let (px, low, high) = (x.position(point.x), y.position(point.lower), y.position(point.upper))
                svg += "<path class=\"band-whisker\" d=\"M\(HTMLText.px(px)) \(HTMLText.px(low))V\(HTMLText.px(high))"
                    + "M\(HTMLText.px(px - 4)) \(HTMLText.px(low))h8M\(HTMLText.px(px - 4)) \(HTMLText.px(high))h8\" "
                    + "stroke=\"\(color)\" stroke-width=\"1.5\" fill=\"none\"/>"
                continue
            }
            let upper = segment.map { "\(HTMLText.px(x.position($0.x))) \(HTMLText.px(y.position($0.upper)))" }
            let lower = segment.reversed().map { "\(HTMLText.px(x.position($0.x))) \(HTMLText.px(y.position($0.lower)))" }
            svg += "<path class=\"band\" d=\"M" + (upper + lower).joined(separator: "L") + "Z\" fill=\"\(color)\" "
                + "fill-opacity=\"0.16\" stroke=\"none\"/>"
        }
        return svg
    }
}

/// The key of a group of charts, in HTML: one entry per series with its marker and line.
enum ChartLegend {
    /// `entries` as (name, style); `notes` (trusted HTML, not escaped) appended as text entries (e.g. what a
    /// cross means).
    static func html(_ entries: [(name: String, style: SeriesStyle)], notes: [String] = []) -> String {
        var html = "<div class=\"legend\">"
        for entry in entries {
            let color = entry.style.stroke
            let dash = entry.style.dash
            html += "<span><svg width=\"30\" height=\"12\" aria-hidden=\"true\"><line x1=\"1\" x2=\"29\" y1=\"6\" y2=\"6\" "
                + "stroke=\"\(color)\" stroke-width=\"2\"" + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/>"
                + entry.style.marker.svg(x: 15, y: 6, color: color) + "</svg>"
                + HTMLText.escape(entry.name) + "</span>"
        }
        for note in notes { html += "<span class=\"note\">\(note)</span>" }
        return html + "</div>"
    }
}
