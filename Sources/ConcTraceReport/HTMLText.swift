/// Text made safe for HTML and SVG, and pixel coordinates (numbers for people are `NumberFormat`'s).
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

    /// A pixel coordinate with at most one decimal: keeps the SVG small. Coordinates are held within ±10⁶ (far
    /// outside any chart), so a hostile value never makes a huge number or a trap.
    static func px(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (min(max(value, -1e6), 1e6) * 10).rounded()
        let whole = Int64(tenths)
        return whole % 10 == 0 ? String(whole / 10) : String(Double(whole) / 10)
    }
}
