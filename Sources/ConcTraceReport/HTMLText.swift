/// Text made safe for HTML and SVG, and the number formats the charts and tables use.
///
/// Every string that comes from a trace or a sweep file (task and thread names, paths, parameters, errors, host
/// names) goes through `escape(_:)` before it is put in the page: a trace is untrusted input.
enum HTMLText {
    /// `text` with `& < > " '` replaced by entities and control characters other than tab and newline dropped:
    /// safe in element content and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case let control where control.value < 0x20 || (0x7F...0x9F).contains(control.value): continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text`, escaped and cut to `limit` characters (with an ellipsis): names in chart labels.
    static func short(_ text: String, _ limit: Int) -> String {
        escape(text.count > limit ? String(text.prefix(max(1, limit - 1))) + "…" : text)
    }

    /// A pixel coordinate with at most one decimal: keeps the SVG small.
    static func px(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded()
        if tenths.magnitude >= 1e15 { return String(Int64(value.rounded())) }
        let whole = Int64(tenths)
        return whole % 10 == 0 ? String(whole / 10) : String(Double(whole) / 10)
    }

    /// A number in few characters, for axis ticks and bar labels: `0.25`, `12.5`, `350`, `4.2k`, `1.5M`, `2G`.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let magnitude = value.magnitude
        for (limit, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
            return significant(value / limit, 3) + suffix
        }
        return significant(value, 3)
    }

    /// `value` with at most `digits` significant digits, no exponent, no trailing zeros.
    static func significant(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "n/a" }
        guard value != 0 else { return "0" }
        var decimals = 0
        var probe = value.magnitude
        while probe < pow10(digits - 1) && decimals < 9 {
            probe *= 10
            decimals += 1
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value.magnitude * scale).rounded()
        guard rounded < 9e18 else { return String(Int64(value.rounded())) }
        let units = UInt64(rounded)
        let whole = units / UInt64(scale)
        var fraction = decimals > 0 ? String(units % UInt64(scale)) : ""
        fraction = String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (value < 0 ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, exponent) { result *= 10 }
        return result
    }

    /// A byte count as MB, GB or kB, e.g. `31.5 MB`.
    static func bytes(_ value: Double) -> String {
        let magnitude = value.magnitude
        if magnitude >= 1e9 { return significant(value / 1e9, 3) + " GB" }
        if magnitude >= 1e6 { return significant(value / 1e6, 3) + " MB" }
        if magnitude >= 1e3 { return significant(value / 1e3, 3) + " kB" }
        return significant(value, 3) + " B"
    }
}
