/// A value in a report.
public enum ReportValue: Sendable, Equatable {
    /// Not computed: `null` in JSON, `n/a` in text.
    case missing
    case integer(Int64)
    /// A number in a unit (the unit decides how text shows it; JSON has the plain number).
    case number(Double, MetricUnit)
    /// A number shown as it is (run metadata such as `sleep_ms`).
    case decimal(Double)
    case text(String)
    case flag(Bool)

    /// The value as text and markdown show it.
    public var formatted: String {
        switch self {
        case .missing: "n/a"
        case .integer(let value): String(value)
        case .number(let value, let unit): unit.format(value)
        case .decimal(let value): value.isFinite ? String(value) : "n/a"
        case .text(let text): text
        case .flag(let value): value ? "yes" : "no"
        }
    }

    /// True for numbers, which tables align to the right.
    var isNumeric: Bool {
        switch self {
        case .integer, .number, .decimal: true
        default: false
        }
    }
}

/// The report model that `conctrace analyze` and `conctrace compare` print: sections of rows, rendered as text,
/// markdown or JSON by one small exporter each (`TextExporter`, `MarkdownExporter`, `JSONExporter`).
///
/// Every section and row carries its place in the JSON output (`path`, object keys from the outside in), so the
/// JSON exporter needs no knowledge of metrics, and the text of a report never decides its JSON.
public struct Report: Sendable {
    /// One line naming what the report is about.
    public var title: String
    public var sections: [ReportSection]
    /// Warnings, one line each (text and markdown only; JSON has the facts behind them).
    public var notes: [String]

    /// Makes a report.
    public init(title: String, sections: [ReportSection], notes: [String] = []) {
        self.title = title
        self.sections = sections
        self.notes = notes
    }
}

/// A titled group of rows.
public struct ReportSection: Sendable {
    /// How the rows are laid out.
    public enum Layout: Sendable {
        /// Each row is one labelled value: JSON members at `section.path + row.path`.
        case fields
        /// Each row is one record with a cell per column: a JSON array at `section.path` of objects with the
        /// columns' paths as keys.
        case records([ReportColumn])
        /// Each row is one metric with a cell per compared trace (the columns' names): a JSON array at
        /// `section.path` of `{"metric", "label", "unit", "better", "values", "ratios", "best"}`.
        case comparison([String])
    }

    public var title: String
    /// Where the section goes in the JSON output (empty: the top-level object).
    public var path: [String]
    public var layout: Layout
    public var rows: [ReportRow]

    /// Makes a section.
    public init(title: String, path: [String], layout: Layout = .fields, rows: [ReportRow]) {
        self.title = title
        self.path = path
        self.layout = layout
        self.rows = rows
    }
}

/// A column of a `.records` section.
public struct ReportColumn: Sendable {
    /// The key (or nested keys) of the column in each record's JSON object.
    public var path: [String]
    public var label: String

    /// Makes a column with its JSON keys and its heading.
    public init(_ path: [String], _ label: String) {
        self.path = path
        self.label = label
    }
}

/// A row: a labelled value, a record, or a metric across traces.
public struct ReportRow: Sendable {
    /// `.fields`: the value's keys within the section. `.comparison`: the metric's key (`latency_ms.p50`).
    public var path: [String]
    public var label: String
    public var cells: [ReportValue]
    /// `.comparison` rows only.
    public var comparison: ComparisonDetail?

    /// Makes a row.
    public init(path: [String], label: String, cells: [ReportValue], comparison: ComparisonDetail? = nil) {
        self.path = path
        self.label = label
        self.cells = cells
        self.comparison = comparison
    }
}

/// How the values of a comparison row relate.
public struct ComparisonDetail: Sendable {
    public var unit: MetricUnit
    public var direction: MetricDirection
    /// Each value divided by the first trace's (nil where either is missing or the first is 0).
    public var ratios: [Double?]
    /// The columns holding the best value (none when the direction is `neither`, or all values are equal).
    public var best: [Int]
}

/// The output formats of reports.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// A readable summary with units.
    case text
    /// GitHub-flavoured markdown tables.
    case markdown
    /// One JSON object on one line; its keys are documented in docs/metrics.md.
    case json

    /// The report in this format (no trailing newline).
    public func render(_ report: Report) -> String {
        switch self {
        case .text: TextExporter.render(report)
        case .markdown: MarkdownExporter.render(report)
        case .json: JSONExporter.render(report)
        }
    }
}
