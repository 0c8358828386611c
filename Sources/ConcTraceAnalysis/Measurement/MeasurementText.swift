/// How verdicts write their figures: durations in human units with three significant digits, intervals in the
/// median's unit ("71.6 ms [69.8-73.1]"), memory in MiB, shares as percentages and p-values with two significant
/// digits.
enum MeasurementText {
    /// A duration given in s, e.g. `71.6 ms`, `1.52 s`, `812 µs`.
    static func seconds(_ value: Double) -> String {
        let scale = durationScale(value)
        return number(value * scale.factor, significant: 3) + " " + scale.unit
    }

    /// A median and its interval in the median's unit and decimals: `71.6 ms [69.8-73.1]`.
    static func seconds(_ median: Double, interval: (lower: Double, upper: Double)?) -> String {
        let scale = durationScale(median)
        let places = decimals(median * scale.factor, significant: 3)
        var text = formatNumber(median * scale.factor, places) + " " + scale.unit
        if let interval {
            text += " [" + formatNumber(interval.lower * scale.factor, places) + "-" +
                formatNumber(interval.upper * scale.factor, places) + "]"
        }
        return text
    }

    /// Bytes in MiB with one decimal, and the interval likewise: `21.3 MiB [21.0-21.6]`.
    static func mebibytes(_ median: Double, interval: (lower: Double, upper: Double)? = nil) -> String {
        let mib = 1_048_576.0
        var text = formatNumber(median / mib, 1) + " MiB"
        if let interval {
            text += " [" + formatNumber(interval.lower / mib, 1) + "-" + formatNumber(interval.upper / mib, 1) + "]"
        }
        return text
    }

    /// A figure of `metric` with its interval, in the metric's unit (s, bytes, ms as measured).
    static func figure(_ metric: VerdictMetric, _ summary: SampleSummary) -> String {
        let bounds = summary.interval.map { (lower: $0.lower, upper: $0.upper) }
        switch metric {
        case .wall: return seconds(summary.median, interval: bounds)
        case .peakMemory: return mebibytes(summary.median, interval: bounds)
        case .latencyP99:
            return seconds(summary.median / 1000, interval: bounds.map { ($0.lower / 1000, $0.upper / 1000) })
        }
    }

    /// A share as a percentage without decimals when it is 10 % or more: `5%`, `43%`, `2.5%`.
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return formatNumber(value, value.magnitude >= 10 || value == value.rounded() ? 0 : 1) + "%"
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

    private static func durationScale(_ seconds: Double) -> (factor: Double, unit: String) {
        let magnitude = seconds.magnitude
        if magnitude >= 1 || magnitude == 0 { return (1, "s") }
        if magnitude >= 1e-3 { return (1e3, "ms") }
        if magnitude >= 1e-6 { return (1e6, "µs") }
        return (1e9, "ns")
    }

    /// `value` with `significant` significant digits (at least its whole part).
    private static func number(_ value: Double, significant: Int) -> String {
        formatNumber(value, decimals(value, significant: significant))
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
