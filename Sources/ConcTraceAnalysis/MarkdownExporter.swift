import ConcTraceFormat

/// Renders a report as markdown: a heading, a table per section (the best value of a comparison in bold), notes
/// as a list.
enum MarkdownExporter {
    static func render(_ report: Report) -> String {
        var lines = ["## " + escaped(report.title)]
        for section in report.sections where !section.rows.isEmpty {
            lines.append("")
            lines.append("### " + escaped(section.title))
            lines.append("")
            switch section.layout {
            case .fields:
                lines.append("| metric | value |")
                lines.append("|---|--:|")
                for row in section.rows {
                    lines.append("| \(escaped(row.label)) | \(escaped((row.cells.first ?? .missing).formatted)) |")
                }
            case .records(let columns):
                lines.append("| " + columns.map { escaped($0.label) }.joined(separator: " | ") + " |")
                lines.append("|" + columns.map { _ in "---|" }.joined())
                for row in section.rows {
                    lines.append("| " + row.cells.map { escaped($0.formatted) }.joined(separator: " | ") + " |")
                }
            case .comparison(let names):
                lines.append("| metric | " + names.map(escaped).joined(separator: " | ") + " |")
                lines.append("|---|" + names.map { _ in "--:|" }.joined())
                for row in section.rows {
                    var cells = [escaped(TextExporter.label(row))]
                    for (index, cell) in row.cells.enumerated() {
                        var text = escaped(TextExporter.cellText(cell, unit: row.comparison?.unit))
                        if row.comparison?.best.contains(index) == true { text = "**\(text)**" }
                        if index > 0, let ratio = row.comparison?.ratios[index] { text += " (\(NumberFormat.fixed(ratio, decimals: 2))×)" }
                        cells.append(text)
                    }
                    lines.append("| " + cells.joined(separator: " | ") + " |")
                }
                lines.append("")
                lines.append("Best of each row in **bold**; (n.nn×) is the value over the first trace's.")
            }
        }
        if !report.notes.isEmpty {
            lines.append("")
            lines += report.notes.map { "- " + escaped($0) }
        }
        return lines.joined(separator: "\n")
    }

    /// Text safe inside a table cell and on a terminal: pipes escaped, line breaks made spaces, every other control
    /// character escaped (`TerminalText`).
    private static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return TerminalText.escaped(out)
    }
}
