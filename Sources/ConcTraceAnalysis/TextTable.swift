/// A plain-text table: columns padded to their widest cell, cells separated by two spaces, no trailing blanks. The
/// one text-table renderer of conctrace: `analyze` and `compare` (`TextExporter`), and the sweep table.
///
/// Alignment is per cell, so that a missing value (`n/a`, `-`) may sit left in a column of numbers; the header's
/// alignment is per column. Widths count characters (a `µs` is one).
public struct TextTable: Sendable {
    public enum Alignment: Sendable {
        case left, right
    }

    /// One cell's text and alignment.
    public struct Cell: Sendable {
        public var text: String
        public var alignment: Alignment

        /// Makes a cell.
        public init(_ text: String, _ alignment: Alignment) {
            self.text = text
            self.alignment = alignment
        }
    }

    public var header: [String]
    /// How each column's header is aligned (missing columns: left).
    public var headerAlignment: [Alignment]
    public var rows: [[Cell]]

    /// A table with per-cell alignment and the header aligned as `headerAlignment` says (default: left).
    public init(header: [String], headerAlignment: [Alignment] = [], rows: [[Cell]]) {
        self.header = header
        self.headerAlignment = headerAlignment
        self.rows = rows
    }

    /// A table whose columns are aligned whole (header and cells): the columns in `leftAligned` to the left (text),
    /// the others to the right (numbers).
    public init(header: [String], rows: [[String]], leftAligned: Set<Int>) {
        let alignment = header.indices.map { leftAligned.contains($0) ? Alignment.left : .right }
        self.init(header: header, headerAlignment: alignment, rows: rows.map { row in
            row.enumerated().map { Cell($1, $0 < alignment.count ? alignment[$0] : .left) }
        })
    }

    /// The lines, header first, without trailing blanks.
    public var lines: [String] {
        let columns = max(header.count, rows.map(\.count).max() ?? 0)
        var widths = Array(repeating: 0, count: columns)
        for (index, title) in header.enumerated() { widths[index] = title.count }
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.text.count) }
        }
        let headerCells = header.enumerated().map { index, title in
            Cell(title, index < headerAlignment.count ? headerAlignment[index] : .left)
        }
        return ([headerCells] + rows).map { row in
            var line = row.enumerated().map { index, cell in Self.pad(cell, widths[index]) }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// The table's text, lines joined by line feeds (no final one).
    public var text: String {
        lines.joined(separator: "\n")
    }

    private static func pad(_ cell: Cell, _ width: Int) -> String {
        let padding = String(repeating: " ", count: max(0, width - cell.text.count))
        return cell.alignment == .left ? cell.text + padding : padding + cell.text
    }
}
