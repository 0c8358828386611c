import ConcTraceFormat
import ConcTraceReader

/// Traces side by side, as `conctrace compare` prints them: one row per metric, one column per trace, each value's
/// ratio to the first trace's, and the best value of each row marked.
public struct Comparison: Sendable {
    /// The traces, in the order given; the first is the baseline of the ratios.
    public var analyses: [TraceAnalysis]

    /// Compares `analyses`; the first is the baseline.
    public init(_ analyses: [TraceAnalysis]) {
        self.analyses = analyses
    }

    /// Each trace's column name: its strategy; where two traces share one, `workload/strategy`; then the file name;
    /// then the path as given; then the path with its position.
    public var columnNames: [String] {
        let candidates: [(TraceAnalysis) -> String] = [
            \.name,
            { analysis in
                guard let workload = analysis.run("workload")?.stringValue else { return analysis.fileName }
                return "\(workload)/\(analysis.name)"
            },
            \.fileName,
            \.source.path,
        ]
        var names = analyses.map(candidates[0])
        for candidate in candidates.dropFirst() where Set(names).count < names.count {
            let counts = Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +)
            names = zip(names, analyses).map { name, analysis in counts[name]! > 1 ? candidate(analysis) : name }
        }
        if Set(names).count < names.count {
            names = names.enumerated().map { "\($1) #\($0 + 1)" }
        }
        return names
    }

    /// The ratios of a row against the first value, and the columns with the best value.
    static func detail(_ values: [Double?], metric: Metric) -> ComparisonDetail {
        let base = values.first ?? nil
        let ratios = values.map { value -> Double? in
            guard let base, base != 0, let value else { return nil }
            return value / base
        }
        let present = values.compactMap { $0 }
        var best: [Int] = []
        if present.count >= 2, Set(present).count > 1 {
            let target: Double? = switch metric.direction {
            case .smallerIsBetter: present.min()
            case .largerIsBetter: present.max()
            case .neither: nil
            }
            if let target { best = values.indices.filter { values[$0] == target } }
        }
        return ComparisonDetail(unit: metric.unit, direction: metric.direction, ratios: ratios, best: best)
    }

    /// The report: the traces compared, then every metric that at least one trace has.
    public func report() -> Report {
        let names = columnNames
        let traceColumns = [
            ReportColumn(["name"], "name"), ReportColumn(["path"], "path"), ReportColumn(["format"], "format"),
            ReportColumn(["truncated"], "truncated"), ReportColumn(["workload"], "workload"),
            ReportColumn(["strategy"], "strategy"),
        ]
        let traceRows = zip(names, analyses).map { name, analysis in
            ReportRow(path: [], label: name, cells: [
                .text(name), .text(analysis.source.path), .text(analysis.source.format.rawValue),
                .flag(analysis.source.isTruncated),
                analysis.run("workload")?.stringValue.map { .text($0) } ?? .missing,
                analysis.run("strategy")?.stringValue.map { .text($0) } ?? .missing,
            ])
        }
        let metricRows = Metric.allCases.compactMap { metric -> ReportRow? in
            let values = analyses.map { $0[metric] }
            guard values.contains(where: { $0 != nil }) else { return nil }
            return ReportRow(path: [metric.rawValue], label: metric.fullLabel,
                             cells: analyses.map { $0.value(metric) },
                             comparison: Self.detail(values, metric: metric))
        }
        let notes = zip(names, analyses).flatMap { name, analysis in analysis.notes.map { "\(name): \($0)" } }
        return Report(
            title: "comparison of \(analyses.count) traces: " + names.joined(separator: ", "),
            sections: [
                ReportSection(title: "traces", path: ["traces"], layout: .records(traceColumns), rows: traceRows),
                ReportSection(title: "metrics", path: ["metrics"], layout: .comparison(names), rows: metricRows),
            ],
            notes: notes)
    }
}
