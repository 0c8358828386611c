import ConcTraceFormat

/// Renders a report as readable text: a title, each section as aligned `label  value` lines or a table, then notes.
///
/// Every string is passed through `TerminalText.escaped` (`safe`): a report's titles, names, paths, arguments and
/// notes come from the trace, which may hold control characters.
enum TextExporter {
    static func render(_ report: Report) -> String {
        var lines = [safe(report.title)]
        for section in report.sections where !section.rows.isEmpty {
            lines.append("")
            lines.append(safe(section.title))
            switch section.layout {
            case .fields:
                let labels = section.rows.map { safe($0.label) }
                let width = labels.map(\.count).max() ?? 0
                for (label, row) in zip(labels, section.rows) {
                    lines.append("  " + pad(label, width) + "  " + safe((row.cells.first ?? .missing).formatted))
                }
            case .records(let columns):
                let body = section.rows.map { row in row.cells.map { (safe($0.formatted), $0.isNumeric) } }
                lines += table(header: columns.map { safe($0.label) }, body: body).map { "  " + $0 }
            case .comparison(let names):
                lines += comparison(section.rows, names: names.map(safe)).map { $0.isEmpty ? "" : "  " + $0 }
            }
        }
        if !report.notes.isEmpty {
            lines.append("")
            lines.append("notes")
            lines += report.notes.map { "  - " + safe($0) }
        }
        return lines.joined(separator: "\n")
    }

    /// Input text made safe for a terminal.
    static func safe(_ text: String) -> String {
        TerminalText.escaped(text)
    }

    /// Rows of metrics against columns of traces: the best value marked `*`, later columns with their ratio to the
    /// first.
    private static func comparison(_ rows: [ReportRow], names: [String]) -> [String] {
        let body = rows.map { row -> [(String, Bool)] in
            let detail = row.comparison
            var cells = [(safe(label(row)), false)]
            for (index, cell) in row.cells.enumerated() {
                var text = safe(cellText(cell, unit: detail?.unit))
                if detail?.best.contains(index) == true { text += "*" }
                if index > 0, let ratio = detail?.ratios[index] { text += " (\(NumberFormat.fixed(ratio, decimals: 2))x)" }
                cells.append((text, true))
            }
            return cells
        }
        return table(header: ["metric"] + names, body: body)
            + ["", "* best of the row; (n.nnx) the value over the first trace's"]
    }

    /// A comparison row's label with its unit, e.g. `latency p50 (ms)`.
    static func label(_ row: ReportRow) -> String {
        guard let symbol = row.comparison?.unit.symbol, !symbol.isEmpty else { return row.label }
        return "\(row.label) (\(symbol))"
    }

    /// A comparison cell: the number without its unit (the row's label has it).
    static func cellText(_ value: ReportValue, unit: MetricUnit?) -> String {
        guard case .number(let number, let unit) = value else { return value.formatted }
        return unit.plain(number)
    }

    /// Aligned columns (`TextTable`): text to the left, numbers to the right; headers to the left.
    private static func table(header: [String], body: [[(String, Bool)]]) -> [String] {
        TextTable(header: header, rows: body.map { row in
            row.map { TextTable.Cell($0.0, $0.1 ? .right : .left) }
        }).lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
