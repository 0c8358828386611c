#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis

/// Maps data values to pixels along one axis, linearly or logarithmically, with readable ticks.
struct ChartScale {
    /// The largest magnitude a scale places.
    static let limit = 1e300

    enum Kind {
        case linear
        /// Base 10; the domain is positive.
        case log
    }

    let kind: Kind
    /// The data interval shown (extended to nice values by `fitting`).
    let lower: Double
    let upper: Double
    /// The pixel interval: `start` is where `lower` goes (it may be larger than `end`, as for y axes).
    let start: Double
    let end: Double

    /// A scale whose domain holds `values` (non-finite values, and for log scales values ≤ 0, ignored), rounded out
    /// to nice tick values; linear domains start at 0 when `fromZero`.
    static func fitting(_ values: [Double], kind: Kind, fromZero: Bool = false, pixels: (Double, Double))
        -> ChartScale
    {
        // Values beyond ±10³⁰⁰ (or below 10⁻³⁰⁰ on a log scale) cannot be placed: powers of ten and differences
        // around them overflow. They are left out of the domain (and land off the chart).
        let usable = values.filter {
            $0.isFinite && $0.magnitude <= Self.limit && (kind == .linear || $0 >= 1 / Self.limit)
        }
        var low = usable.min() ?? (kind == .log ? 1 : 0)
        var high = usable.max() ?? (kind == .log ? 10 : 1)
        switch kind {
        case .linear:
            if fromZero { low = min(0, low) }
            if high <= low { high = low + (low == 0 ? 1 : low.magnitude * 0.5) }
            let step = niceStep((high - low) / 5)
            low = (low / step).rounded(.down) * step
            high = (high / step).rounded(.up) * step
        case .log:
            low = pow(10, log10(low).rounded(.down))
            high = pow(10, log10(high).rounded(.up))
            if high <= low { high = low * 10 }
        }
        return ChartScale(kind: kind, lower: low, upper: high, start: pixels.0, end: pixels.1)
    }

    /// The pixel for `value` (values outside the domain land outside the pixel interval; log values ≤ 0 at start).
    func position(_ value: Double) -> Double {
        let fraction: Double = switch kind {
        case .linear: (value - lower) / (upper - lower)
        case .log: value > 0 ? (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) : 0
        }
        return start + fraction * (end - start)
    }

    /// Tick values: 4 to 8 nice steps on linear scales; powers of ten on log scales, with 2 and 5 between them
    /// when the domain spans two decades or fewer.
    var ticks: [Double] {
        switch kind {
        case .linear:
            let step = Self.niceStep((upper - lower) / 5)
            var ticks: [Double] = []
            var value = lower
            while value <= upper + step * 1e-9 && ticks.count < 20 {
                ticks.append(value.magnitude < step * 1e-9 ? 0 : value)
                value += step
            }
            return ticks
        case .log:
            // Exponents of the domain (within ±300 by `limit`; clamped again so no conversion can trap).
            let first = Int(min(max(log10(lower).rounded(), -310), 310))
            let last = Int(min(max(log10(upper).rounded(), -310), 310))
            let decades = first...max(first, last)
            let multiples: [Double] = decades.count <= 3 ? [1, 2, 5] : [1]
            return decades.flatMap { exponent in multiples.map { $0 * pow(10, Double(exponent)) } }
                .filter { $0 <= upper * (1 + 1e-9) }
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, log10(rough).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * power >= rough * (1 - 1e-9) { return multiple * power }
        return 10 * power
    }
}

/// The plot area of a chart and its two axes, drawn with grid lines, tick labels and axis titles.
struct ChartFrame {
    var width: Double
    var height: Double
    /// Space around the plot area, for tick labels and titles.
    var left = 62.0, right = 16.0, top = 14.0, bottom = 44.0

    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    var plotTop: Double { top }
    var plotBottom: Double { height - bottom }

    /// The axes, the grid and the titles (`xTitle` under the plot, `yTitle` turned along the left edge).
    func axes(x: ChartScale, y: ChartScale, xTitle: String, yTitle: String,
              xLabel: (Double) -> String = NumberFormat.compact, yLabel: (Double) -> String = NumberFormat.compact)
        -> String
    {
        var svg = "<g class=\"grid\">"
        for tick in y.ticks {
            let pixel = HTMLText.px(y.position(tick))
            svg += "<line x1=\"\(HTMLText.px(plotLeft))\" x2=\"\(HTMLText.px(plotRight))\" y1=\"\(pixel)\" y2=\"\(pixel)\"/>"
        }
        for tick in x.ticks {
            let pixel = HTMLText.px(x.position(tick))
            svg += "<line x1=\"\(pixel)\" x2=\"\(pixel)\" y1=\"\(HTMLText.px(plotTop))\" y2=\"\(HTMLText.px(plotBottom))\"/>"
        }
        svg += "</g><g class=\"axis\">"
        svg += "<line x1=\"\(HTMLText.px(plotLeft))\" x2=\"\(HTMLText.px(plotRight))\" y1=\"\(HTMLText.px(plotBottom))\" "
            + "y2=\"\(HTMLText.px(plotBottom))\"/>"
        svg += "<line x1=\"\(HTMLText.px(plotLeft))\" x2=\"\(HTMLText.px(plotLeft))\" y1=\"\(HTMLText.px(plotTop))\" "
            + "y2=\"\(HTMLText.px(plotBottom))\"/>"
        for tick in y.ticks {
            svg += "<text x=\"\(HTMLText.px(plotLeft - 6))\" y=\"\(HTMLText.px(y.position(tick) + 4))\" "
                + "text-anchor=\"end\">\(yLabel(tick))</text>"
        }
        for tick in x.ticks {
            svg += "<text x=\"\(HTMLText.px(x.position(tick)))\" y=\"\(HTMLText.px(plotBottom + 16))\" "
                + "text-anchor=\"middle\">\(xLabel(tick))</text>"
        }
        svg += "<text class=\"title\" x=\"\(HTMLText.px((plotLeft + plotRight) / 2))\" y=\"\(HTMLText.px(height - 6))\" "
            + "text-anchor=\"middle\">\(HTMLText.escape(xTitle))</text>"
        let middle = HTMLText.px((plotTop + plotBottom) / 2)
        svg += "<text class=\"title\" transform=\"translate(14 \(middle)) rotate(-90)\" text-anchor=\"middle\">"
            + "\(HTMLText.escape(yTitle))</text></g>"
        return svg
    }
}
