/// The one way conctrace writes numbers for people: the analysis text and markdown, the advice, the sweep table and
/// the HTML report all print a value with these functions, so the same value shows the same digits everywhere.
///
/// None of them traps, whatever the value: a number that is not finite prints as `n/a`, and a magnitude of 10¹⁵ or
/// more (where a Double has no fraction left, and beyond 2⁶³ an integer conversion would trap) prints as Swift writes
/// it, with an exponent (`1e+308`, `9.3e+18`).
public enum NumberFormat {
    /// From this magnitude on, numbers are written with an exponent.
    public static let exponentFrom = 1e15

    /// `value` with exactly `decimals` decimals (0...15), rounded half away from zero, no exponent below
    /// `exponentFrom`: `fixed(2.5, decimals: 3)` is `2.500`, `fixed(-0.0004, decimals: 3)` is `0.000`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        let decimals = min(max(decimals, 0), 15)
        let scale = power(decimals)
        let scaled = (value.magnitude * scale).rounded()
        guard value.magnitude < exponentFrom, scaled < 9e18 else { return String(value) }
        let whole = UInt64(scaled)
        let unit = UInt64(scale)
        var text = (value < 0 && whole != 0 ? "-" : "") + String(whole / unit)
        if decimals > 0 {
            let fraction = String(whole % unit)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }

    /// `value` with at most `digits` (1...15) significant digits, no trailing zeros and no exponent below
    /// `exponentFrom`, for chart labels: `0.25`, `12.5`, `350`; values below 10⁻⁹ in magnitude print as `0`.
    public static func significant(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "n/a" }
        guard value != 0 else { return "0" }
        guard value.magnitude < exponentFrom else { return String(value) }
        let digits = min(max(digits, 1), 15)
        var decimals = 0
        var probe = value.magnitude
        while probe < power(digits - 1) && decimals < 9 {
            probe *= 10
            decimals += 1
        }
        let scale = power(decimals)
        let units = UInt64((value.magnitude * scale).rounded())
        guard units > 0 else { return "0" }
        let whole = units / UInt64(scale)
        var fraction = decimals > 0 ? String(units % UInt64(scale)) : ""
        fraction = String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (value < 0 ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// A number in few characters, for axis ticks: `0.25`, `12.5`, `350`, `4.2k`, `1.5M`, `2G`.
    public static func compact(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        for (limit, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where value.magnitude >= limit {
            guard value.magnitude / limit < exponentFrom else { return String(value) }
            return significant(value / limit, digits: 3) + suffix
        }
        return significant(value, digits: 3)
    }

    /// Bytes as mebibytes (2²⁰ bytes), the unit conctrace uses for memory everywhere: `24.2 MiB`.
    public static func mebibytes(_ bytes: Double, decimals: Int = 1) -> String {
        fixed(bytes / 1_048_576, decimals: decimals) + " MiB"
    }

    /// 10^exponent, exactly (exponent 0...15).
    private static func power(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, exponent) { result *= 10 }
        return result
    }
}
