import ConcTraceFormat
import ConcTraceReader

/// Renders a report as one line of JSON: each section's rows at their paths, in report order.
enum JSONExporter {
    /// A JSON value being assembled; objects keep their keys in the order first set.
    private indirect enum Node {
        case object(keys: [String], members: [String: Node])
        case array([Node])
        case scalar(ReportValue)
        case literal(String)

        static let emptyObject = Node.object(keys: [], members: [:])

        /// Sets the value at `path` (creating objects on the way; a scalar in the way is replaced).
        mutating func set(_ path: ArraySlice<String>, _ value: Node) {
            guard let key = path.first else {
                self = value
                return
            }
            guard case .object(var keys, var members) = self else {
                self = .emptyObject
                set(path, value)
                return
            }
            if members[key] == nil { keys.append(key) }
            var child = members[key] ?? .emptyObject
            child.set(path.dropFirst(), value)
            members[key] = child
            self = .object(keys: keys, members: members)
        }

        var text: String {
            switch self {
            case .object(let keys, let members):
                var object = JSONObjectText()
                for key in keys {
                    switch members[key]! {
                    case .scalar(.integer(let value)) where Int(exactly: value) != nil: object.add(key, Int(value))
                    case .scalar(.number(let value, _)) where value.isFinite: object.add(key, value)
                    case .scalar(.decimal(let value)) where value.isFinite: object.add(key, value)
                    case .scalar(.text(let value)): object.add(key, value)
                    case let member: object.add(key, json: member.text)
                    }
                }
                return object.text
            case .array(let elements):
                return "[" + elements.map(\.text).joined(separator: ",") + "]"
            case .scalar(let value):
                return JSONExporter.scalar(value)
            case .literal(let text):
                return text
            }
        }
    }

    /// The report as one JSON object; DEL, C1 and the other characters a terminal may obey that JSON allows raw
    /// are written as `\u` escapes too (`TerminalText.escapingJSON`): the line may be printed on a terminal.
    static func render(_ report: Report) -> String {
        TerminalText.escapingJSON(renderObject(report))
    }

    private static func renderObject(_ report: Report) -> String {
        var root = Node.emptyObject
        for section in report.sections {
            switch section.layout {
            case .fields:
                if section.rows.isEmpty, !section.path.isEmpty { root.set(section.path[...], .emptyObject) }
                for row in section.rows {
                    root.set((section.path + row.path)[...], .scalar(row.cells.first ?? .missing))
                }
            case .records(let columns):
                let records = section.rows.map { row in
                    var record = Node.emptyObject
                    for (column, cell) in zip(columns, row.cells) { record.set(column.path[...], .scalar(cell)) }
                    return record
                }
                root.set(section.path[...], .array(records))
            case .comparison:
                root.set(section.path[...], .array(section.rows.map(comparisonRow)))
            }
        }
        return root.text
    }

    private static func comparisonRow(_ row: ReportRow) -> Node {
        var node = Node.emptyObject
        node.set(["metric"], .scalar(.text(row.path.joined(separator: "."))))
        node.set(["label"], .scalar(.text(row.label)))
        if let detail = row.comparison {
            node.set(["unit"], .scalar(.text(detail.unit.rawValue)))
            node.set(["better"], .scalar(.text(detail.direction.rawValue)))
        }
        node.set(["values"], .array(row.cells.map { .scalar($0) }))
        if let detail = row.comparison {
            node.set(["ratios"], .array(detail.ratios.map { .scalar($0.map { .number($0, .ratio) } ?? .missing) }))
            node.set(["best"], .array(detail.best.map { .scalar(.integer(Int64($0))) }))
        }
        return node
    }

    /// A scalar's JSON text (numbers as Swift prints them: the shortest text that reads back the same Double).
    static func scalar(_ value: ReportValue) -> String {
        switch value {
        case .missing: "null"
        case .integer(let number): String(number)
        case .number(let number, _), .decimal(let number): number.isFinite ? String(number) : "null"
        case .flag(let flag): flag ? "true" : "false"
        case .text(let text): JSONObjectText.quoted(text)
        }
    }
}
