import ConcTraceFormat

extension GroupedComparison {
    /// The comparison as a report for text and markdown: the configurations, then one row per metric with each
    /// group's `median [lo-hi] (n)` in the metric's unit, the best marked and ratios of medians to the first group.
    public func report() -> Report {
        let columns = [
            ReportColumn(["name"], "name"), ReportColumn(["workload"], "workload"),
            ReportColumn(["strategy"], "strategy"), ReportColumn(["tasks"], "tasks"),
            ReportColumn(["traces"], "traces"),
        ]
        let groupRows = groups.map { group in
            ReportRow(path: [], label: group.name, cells: [
                .text(group.name), group.workload.map { .text($0) } ?? .missing,
                group.strategy.map { .text($0) } ?? .missing, group.tasks.map { .integer($0) } ?? .missing,
                .integer(Int64(group.analyses.count)),
            ])
        }
        let metricRows = rows.map { row in
            ReportRow(path: [row.metric.rawValue], label: row.metric.fullLabel,
                      cells: row.summaries.map { summary in
                          summary.map { .text(Self.cell($0, unit: row.metric.unit)) } ?? .missing
                      },
                      comparison: ComparisonDetail(unit: row.metric.unit, direction: row.metric.direction,
                                                   ratios: row.ratios, best: row.best))
        }
        let alpha = NumberFormat.fixed(criteria.alpha, decimals: 2)
        let threshold = NumberFormat.fixed(criteria.practicalThreshold * 100, decimals: 0)
        var notes = [
            "each cell: median [95% confidence interval of the median, order statistics; min-max below 6 traces] " +
                "(traces); ratios are of medians, against the first column",
            "* marks the best median and every group a Mann-Whitney U test cannot tell from it (p < \(alpha) and " +
                "more than \(threshold)% apart make a group worse); no mark when no group is worse",
        ]
        for group in groups {
            for analysis in group.analyses where analysis.source.isTruncated {
                notes.append("\(group.name): \(analysis.source.path) is cut short; analyzed up to the cut")
            }
        }
        let traces = groups.reduce(0) { $0 + $1.analyses.count }
        return Report(
            title: "comparison of \(groups.count) configurations (\(traces) traces): " +
                groups.map(\.name).joined(separator: ", "),
            sections: [
                ReportSection(title: "configurations", path: ["groups"], layout: .records(columns), rows: groupRows),
                ReportSection(title: "metrics", path: ["metrics"], layout: .comparison(groups.map(\.name)),
                              rows: metricRows),
            ],
            notes: notes)
    }

    /// `12.4 [12.1-12.9] (5)`: the median and its interval in `unit`, without the unit's symbol, and n.
    static func cell(_ summary: SampleSummary, unit: MetricUnit) -> String {
        let interval = summary.interval.map { " [" + plain($0.lower, unit) + "-" + plain($0.upper, unit) + "]" } ?? ""
        return plain(summary.median, unit) + interval + " (\(summary.count))"
    }

    /// A value as `MetricUnit.format` writes it, without the symbol (the row's label has the unit).
    private static func plain(_ value: Double, _ unit: MetricUnit) -> String {
        let text = unit.format(value)
        return unit.symbol.isEmpty ? text : String(text.dropLast(unit.symbol.count + 1))
    }

    /// The comparison as one JSON object: `{"groups": [{"name", "workload", "strategy", "tasks", "traces": [...]}],
    /// "metrics": [{"metric", "label", "unit", "better", "values": [summary|null], "ratios", "best", "reference",
    /// "comparisons": [{"group", "reference_median", "other_median", "difference", "u", "p", "method",
    /// "outcome"}]}], "test", "alpha", "threshold"}`; raw numbers in each metric's unit.
    public func jsonText() -> String {
        let groupObjects = groups.map { group in
            var object = JSONObjectText()
            object.add("name", group.name)
            object.add("workload", group.workload)
            object.add("strategy", group.strategy)
            object.add("tasks", json: group.tasks.map { String($0) } ?? "null")
            object.add("traces", json: AdviceJSON.array(group.analyses.map { JSONObjectText.quoted($0.source.path) }))
            return object.text
        }
        let metricObjects = rows.map { row in
            var object = JSONObjectText()
            object.add("metric", row.metric.rawValue)
            object.add("label", row.metric.fullLabel)
            object.add("unit", row.metric.unit.rawValue)
            object.add("better", row.metric.direction.rawValue)
            object.add("values", json: AdviceJSON.array(row.summaries.map { $0.map(AdviceJSON.summary) ?? "null" }))
            object.add("ratios", json: AdviceJSON.array(row.ratios.map(SweepJSON.number)))
            object.add("best", json: AdviceJSON.array(row.best.map { String($0) }))
            object.add("reference", json: row.reference.map { String($0) } ?? "null")
            object.add("comparisons", json: AdviceJSON.array(row.comparisons.map { entry in
                var test = JSONObjectText()
                test.add("group", entry.group)
                test.add("reference_median", json: SweepJSON.number(entry.comparison.referenceMedian))
                test.add("other_median", json: SweepJSON.number(entry.comparison.otherMedian))
                test.add("difference", json: SweepJSON.number(entry.comparison.relativeDifference))
                test.add("u", json: SweepJSON.number(entry.comparison.test?.u))
                test.add("p", json: SweepJSON.number(entry.comparison.test?.pValue))
                test.add("method", entry.comparison.test?.method.rawValue)
                test.add("outcome", entry.comparison.outcome.rawValue)
                return test.text
            }))
            return object.text
        }
        var root = JSONObjectText()
        root.add("groups", json: AdviceJSON.array(groupObjects))
        root.add("metrics", json: AdviceJSON.array(metricObjects))
        root.add("test", "mann-whitney-u")
        root.add("alpha", criteria.alpha)
        root.add("threshold", criteria.practicalThreshold)
        return root.text
    }
}
