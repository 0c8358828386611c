import ConcTraceFormat

/// Repeated traces side by side, as `conctrace compare` shows them when some configuration has several traces:
/// traces of one configuration (workload, strategy and tasks, from each trace's run metadata) form a group, each
/// metric is summarised per group with its spread (`SampleSummary`: median, 95 % interval of the median, n), and
/// only the groups the test cannot tell from the best are marked best (`SampleComparison`: Mann-Whitney U at
/// p < 0.01 and more than 5 % apart, in the metric's direction).
///
/// ```
///  [TraceAnalysis] ──group by workload/strategy/tasks──▶ groups ──per metric──▶ SampleSummary per group
///                                                                           └─▶ best median vs each other: the test
/// ```
public struct GroupedComparison: Sendable {
    /// Traces of one configuration.
    public struct Group: Sendable {
        /// The column's name: the strategy, or more of the configuration where strategies repeat.
        public var name: String
        /// The configuration, from the first trace's run metadata (nil for a trace without it).
        public var workload: String?
        /// The strategy (nil without run metadata).
        public var strategy: String?
        /// The tasks (nil without run metadata).
        public var tasks: Int64?
        /// The traces, in the order given.
        public var analyses: [TraceAnalysis]
    }

    /// One metric across the groups.
    public struct Row: Sendable {
        /// The metric compared.
        public var metric: Metric
        /// Each group's values summarised; nil for a group without the metric.
        public var summaries: [SampleSummary?]
        /// Each group's median over the first group's (nil where either is missing or the first is 0).
        public var ratios: [Double?]
        /// The group with the best median, when the metric has a direction and two groups have values.
        public var reference: Int?
        /// Each other group with values against the reference, in group order.
        public var comparisons: [(group: Int, comparison: SampleComparison)]
        /// The groups not found worse than the reference (the reference included): marked best, but only when some
        /// group was found worse (otherwise every group ties and none is marked).
        public var best: [Int]
    }

    /// The configurations, in the order first given.
    public let groups: [Group]
    /// One row per metric that some trace has, in `Metric` order.
    public let rows: [Row]
    /// The test's significance level and practical threshold.
    public let criteria: VerdictCriteria

    /// Groups `analyses` by configuration, in the order each configuration first appears.
    public init(_ analyses: [TraceAnalysis], criteria: VerdictCriteria = .standard) {
        self.criteria = criteria
        var keys: [String] = []
        var byKey: [String: [TraceAnalysis]] = [:]
        for analysis in analyses {
            let key = Self.configuration(analysis)
            if byKey[key] == nil { keys.append(key) }
            byKey[key, default: []].append(analysis)
        }
        let members = keys.compactMap { byKey[$0] }
        let names = Self.names(members)
        groups = zip(names, members).map { name, analyses in
            let first = analyses[0]
            return Group(name: name, workload: first.run("workload")?.stringValue,
                         strategy: first.run("strategy")?.stringValue, tasks: first.run("tasks")?.intValue,
                         analyses: analyses)
        }
        let groups = self.groups
        rows = Metric.allCases.compactMap { metric in Self.row(metric, groups, criteria: criteria) }
    }

    /// Whether some configuration has more than one trace among `analyses` (then `compare` groups them).
    public static func hasRepeats(_ analyses: [TraceAnalysis]) -> Bool {
        Set(analyses.map(configuration)).count < analyses.count
    }

    /// `workload/strategy/tasks` from the run metadata; a trace without it is a configuration of its own (its path).
    static func configuration(_ analysis: TraceAnalysis) -> String {
        guard let workload = analysis.run("workload")?.stringValue, let strategy = analysis.run("strategy")?.stringValue
        else { return "\u{0}" + analysis.source.path }
        return "\(workload)/\(strategy)/\(analysis.run("tasks")?.intValue.map { String($0) } ?? "?")"
    }

    /// Column names: the strategy; where two share one, `workload/strategy`; then `workload/strategy × tasks`; then
    /// the first trace's path.
    private static func names(_ groups: [[TraceAnalysis]]) -> [String] {
        let candidates: [(TraceAnalysis) -> String] = [
            \.name,
            { "\($0.run("workload")?.stringValue ?? "?")/\($0.name)" },
            { "\($0.run("workload")?.stringValue ?? "?")/\($0.name) × \($0.run("tasks")?.intValue ?? 0)" },
            \.source.path,
        ]
        var names = groups.map { candidates[0]($0[0]) }
        for candidate in candidates.dropFirst() where Set(names).count < names.count {
            let counts = Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +)
            names = zip(names, groups).map { name, group in counts[name]! > 1 ? candidate(group[0]) : name }
        }
        return names
    }

    private static func row(_ metric: Metric, _ groups: [Group], criteria: VerdictCriteria) -> Row? {
        let values = groups.map { group in group.analyses.compactMap { $0[metric] }.filter(\.isFinite) }
        guard values.contains(where: { !$0.isEmpty }) else { return nil }
        let summaries = values.map { SampleSummary($0) }
        let base = summaries.first??.median
        let ratios = summaries.map { summary -> Double? in
            guard let base, base != 0, let median = summary?.median else { return nil }
            return median / base
        }
        var row = Row(metric: metric, summaries: summaries, ratios: ratios, reference: nil, comparisons: [], best: [])
        let present = summaries.indices.filter { summaries[$0] != nil }
        guard metric.direction != .neither, present.count >= 2 else { return row }
        let smallerIsBetter = metric.direction == .smallerIsBetter
        let reference = present.min { first, second in
            let (a, b) = (summaries[first]!.median, summaries[second]!.median)
            return smallerIsBetter ? a < b : a > b
        }!
        row.reference = reference
        row.comparisons = present.filter { $0 != reference }.map { index in
            (index, SampleComparison(reference: values[reference], other: values[index],
                                     smallerIsBetter: smallerIsBetter, criteria: criteria))
        }
        let worse = Set(row.comparisons.filter { $0.comparison.outcome == .worse }.map(\.group))
        row.best = worse.isEmpty ? [] : present.filter { !worse.contains($0) }
        return row
    }
}
