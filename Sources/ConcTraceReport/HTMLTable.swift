/// An HTML table of escaped text, numbers aligned right: the numbers behind a chart.
struct HTMLTable {
    /// One cell: its text (escaped when the table is rendered), right-aligned when numeric, bold when best.
    struct Cell {
        var text: String
        var numeric = false
        var best = false
        /// A hover text (escaped), e.g. why a value is missing.
        var hint: String?

        static func text(_ text: String) -> Cell { Cell(text: text) }
        static func number(_ text: String, best: Bool = false) -> Cell { Cell(text: text, numeric: true, best: best) }
        static func missing(_ reason: String?) -> Cell { Cell(text: "n/a", numeric: true, hint: reason) }
    }

    var caption: String?
    var headers: [String]
    /// Which headers are numeric columns (aligned right); by default, all but the first.
    var numericHeaders: Set<Int>?
    var rows: [[Cell]]
    /// A CSS class for the table (e.g. `compact`); nil for none.
    var className: String? = nil

    var html: String {
        // A table wider than the page (many traces side by side) scrolls on its own, not the page.
        var html = "<div class=\"table-scroll\"><table" + (className.map { " class=\"\($0)\"" } ?? "") + ">"
        if let caption { html += "<caption>\(HTMLText.escape(caption))</caption>" }
        html += "<thead><tr>"
        for (index, header) in headers.enumerated() {
            let numeric = numericHeaders.map { $0.contains(index) } ?? (index > 0)
            html += "<th\(numeric ? " class=\"num\"" : "")>\(HTMLText.escape(header))</th>"
        }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for cell in row {
                var classes: [String] = []
                if cell.numeric { classes.append("num") }
                if cell.best { classes.append("best") }
                if cell.text == "n/a" { classes.append("na") }
                html += "<td" + (classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")
                    + (cell.hint.map { " title=\"\(HTMLText.escape($0))\"" } ?? "") + ">\(HTMLText.escape(cell.text))</td>"
            }
            html += "</tr>"
        }
        return html + "</tbody></table></div>"
    }
}
