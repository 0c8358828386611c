/// How verdicts write their figures: durations in human units with three significant digits, intervals in the
/// median's unit ("71.6 ms [69.8-73.1]"), memory in MiB, shares as percentages and p-values with two significant
/// digits.
enum MeasurementText {
    /// A duration given in s, e.g. `71.6 ms`, `1.52 s`, `812 µs`.
    static func seconds(_ value: Double) -> String {
        if value == 0 { return "0 ms" }
        let scale = durationScale(value)
        return number(value * scale.factor, significant: 3) + " " + scale.unit
    }

    /// A figure of `metric` (s, bytes or ms, as measured) with its interval, in the median's unit and decimals:
    /// `71.6 ms [69.8-73.1]`, `21.3 MiB [21.0-21.6]`.
    static func figure(_ metric: VerdictMetric, _ summary: SampleSummary) -> String {
        let style = style(metric, median: summary.median)
        return written(summary.median, style) + " " + style.unit
            + (summary.interval.map { " [" + span($0.lower, $0.upper, style) + "]" } ?? "")
    }

    /// The smallest and largest value of a figure, in the median's unit: `69.5-74.0 ms`.
    static func range(_ metric: VerdictMetric, _ summary: SampleSummary) -> String {
        let style = style(metric, median: summary.median)
        return span(summary.minimum, summary.maximum, style) + " " + style.unit
    }

    /// A confidence level with one decimal where it has one: `95%`, `93.8%`, `96.9%`.
    static func confidence(_ level: Double) -> String {
        let value = level * 100
        return NumberFormat.fixed(value, decimals: value == value.rounded() ? 0 : 1) + "%"
    }

    /// A share as a percentage without decimals when it is 10 % or more: `5%`, `43%`, `2.5%`.
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return NumberFormat.fixed(value, decimals: value.magnitude >= 10 || value == value.rounded() ? 0 : 1) + "%"
    }

    /// A p-value: `p = 0.0022`, `p = 0.70`, `p < 0.0001`.
    static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "p < 0.0001" }
        return "p = " + number(p, significant: 2)
    }

    /// A ratio of two medians: `1.75x`, `12.5x`, `140x`.
    static func ratio(_ value: Double) -> String {
        number(value, significant: 3) + "x"
    }

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    private typealias Style = (factor: Double, unit: String, places: Int)

    private static func style(_ metric: VerdictMetric, median: Double) -> Style {
        switch metric {
        case .wall: return durationStyle(median)
        case .peakMemory: return (1 / 1_048_576, "MiB", 1)
        case .latencyP99:
            let style = durationStyle(median / 1000)
            return (style.factor / 1000, style.unit, style.places)
        }
    }

    private static func durationStyle(_ seconds: Double) -> Style {
        let scale = durationScale(seconds)
        return (scale.factor, scale.unit, decimals(seconds * scale.factor, significant: 3))
    }

    private static func written(_ value: Double, _ style: Style) -> String {
        NumberFormat.fixed(value * style.factor, decimals: style.places)
    }

    private static func span(_ lower: Double, _ upper: Double, _ style: Style) -> String {
        written(lower, style) + "-" + written(upper, style)
    }

    private static func durationScale(_ seconds: Double) -> (factor: Double, unit: String) {
        let magnitude = seconds.magnitude
        if magnitude >= 1 { return (1, "s") }
        if magnitude == 0 { return (1e3, "ms") }
        if magnitude >= 1e-3 { return (1e3, "ms") }
        if magnitude >= 1e-6 { return (1e6, "µs") }
        return (1e9, "ns")
    }

    /// `value` with `significant` significant digits (at least its whole part).
    private static func number(_ value: Double, significant: Int) -> String {
        NumberFormat.fixed(value, decimals: decimals(value, significant: significant))
    }

    private static func decimals(_ value: Double, significant: Int) -> Int {
        var digits = 1
        var bound = 10.0
        while value.magnitude >= bound, digits < 16 {
            digits += 1
            bound *= 10
        }
        if value != 0, value.magnitude < 1 {
            // 0.0022 with two significant digits needs four decimals.
            var decimals = significant
            var probe = value.magnitude * 10
            while probe < 1, decimals < 12 {
                decimals += 1
                probe *= 10
            }
            return decimals
        }
        return max(0, significant - digits)
    }
}
