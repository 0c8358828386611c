import ConcTraceFormat
import ConcTraceReader

extension TraceAnalysis {
    /// The report `conctrace analyze` prints; its JSON keys are documented in docs/metrics.md.
    public func report() -> Report {
        var sections = [sourceSection(), runSection()]
        var groups: [(group: String, metrics: [Metric])] = []
        for metric in Metric.allCases {
            if groups.last?.group == metric.group {
                groups[groups.count - 1].metrics.append(metric)
            } else {
                groups.append((metric.group, [metric]))
            }
        }
        for (group, metrics) in groups {
            let isTopLevel = group == "time"
            sections.append(ReportSection(
                title: isTopLevel ? "time" : Metric.groupTitle(group), path: isTopLevel ? [] : [group],
                rows: metrics.map { metric in
                    ReportRow(path: isTopLevel ? metric.path : Array(metric.path.dropFirst()), label: metric.label,
                              cells: [value(metric)])
                }))
        }
        sections.append(recorderProcessesSection())
        sections.append(flowsSection())
        sections.append(workersSection())
        sections.append(ReportSection(
            title: "not computed", path: ["unavailable"],
            rows: Metric.allCases.compactMap { metric in
                unavailable[metric].map { ReportRow(path: [metric.rawValue], label: metric.fullLabel, cells: [.text($0)]) }
            }))
        return Report(title: title, sections: sections, notes: notes)
    }

    /// The report's first line, e.g. `conctrace trace t.json: sleep/eventloop, 1000 tasks, 1 worker(s)`.
    var title: String {
        var title: String
        if run != nil {
            let workload = run("workload")?.stringValue ?? "?"
            let strategy = run("strategy")?.stringValue ?? "?"
            title = "conctrace trace \(source.path): \(workload)/\(strategy)"
            if let tasks = run("tasks")?.intValue { title += ", \(tasks) tasks" }
            if let workers = run("workers")?.intValue { title += ", \(workers) worker(s)" }
        } else {
            title = "foreign trace \(source.path) (no conctrace.run event: thread and async-track metrics only)"
        }
        if source.isTruncated { title += " (cut short)" }
        return title
    }

    /// A metric's cell: counts as integers, the rest as numbers in their unit.
    func value(_ metric: Metric) -> ReportValue {
        guard let value = values[metric] else { return .missing }
        if metric.unit == .count, let integer = Int64(exactly: value.rounded()) { return .integer(integer) }
        return .number(value, metric.unit)
    }

    private func sourceSection() -> ReportSection {
        ReportSection(title: "source", path: ["source"], rows: [
            ReportRow(path: ["path"], label: "path", cells: [.text(source.path)]),
            ReportRow(path: ["format"], label: "format", cells: [.text(source.format.rawValue)]),
            ReportRow(path: ["truncated"], label: "truncated", cells: [.flag(source.isTruncated)]),
            ReportRow(path: ["bytes"], label: "bytes", cells: [.integer(Int64(source.bytes))]),
            ReportRow(path: ["events"], label: "events", cells: [.integer(Int64(source.events))]),
            ReportRow(path: ["unknown_phase_events"], label: "unknown phase (skipped)",
                      cells: [.integer(Int64(source.unknownPhaseEvents))]),
            ReportRow(path: ["invalid_events"], label: "invalid (skipped)",
                      cells: [.integer(Int64(source.invalidEvents))]),
            ReportRow(path: ["unmatched_events"], label: "unmatched begin/end",
                      cells: [.integer(Int64(source.unmatchedEvents))]),
        ])
    }

    private func runSection() -> ReportSection {
        guard let run else {
            // JSON: "run": null.
            return ReportSection(title: "run", path: [],
                                 rows: [ReportRow(path: ["run"], label: "conctrace.run", cells: [.missing])])
        }
        return ReportSection(title: "run", path: ["run"], rows: run.map { entry in
            ReportRow(path: [entry.key], label: entry.key, cells: [Self.cell(entry.value)])
        })
    }

    /// A metadata value as a cell (arrays and objects as compact text).
    private static func cell(_ value: TraceValue) -> ReportValue {
        switch value {
        case .null: .missing
        case .bool(let flag): .flag(flag)
        case .int(let integer): .integer(integer)
        case .double(let number): .decimal(number)
        case .string(let text): .text(text)
        case .array, .object: .text(String(describing: value))
        }
    }

    private func recorderProcessesSection() -> ReportSection {
        let columns = [
            ReportColumn(["pid"], "pid"), ReportColumn(["name"], "name"), ReportColumn(["events"], "events"),
            ReportColumn(["dropped"], "dropped"), ReportColumn(["lost"], "lost"),
            ReportColumn(["ns_per_event"], "ns per event"), ReportColumn(["final"], "final"),
        ]
        let count = { (value: Int64?) -> ReportValue in value.map { .integer($0) } ?? .missing }
        let rows = recorderProcesses.map { process in
            ReportRow(path: [], label: process.name ?? "", cells: [
                .integer(process.pid), process.name.map { .text($0) } ?? .missing, count(process.events),
                count(process.dropped), count(process.lost),
                process.nsPerEvent.map { .number($0, .nanoseconds) } ?? .missing, .flag(process.isFinal),
            ])
        }
        return ReportSection(title: "recorder per process", path: ["recorder", "processes"],
                             layout: .records(columns), rows: rows)
    }

    private func flowsSection() -> ReportSection {
        let columns = [
            ReportColumn(["category"], "category"), ReportColumn(["count"], "arrows"), ReportColumn(["bound"], "bound"),
            ReportColumn(["start_unbound"], "start unbound"), ReportColumn(["end_unbound"], "end unbound"),
            ReportColumn(["unpaired"], "unpaired"),
        ]
        let rows = flows.map { flow in
            ReportRow(path: [], label: flow.category, cells: [
                .text(flow.category), .integer(Int64(flow.arrows)), .integer(Int64(flow.bound)),
                .integer(Int64(flow.startUnbound)), .integer(Int64(flow.endUnbound)), .integer(Int64(flow.unpaired)),
            ])
        }
        return ReportSection(title: "flows", path: ["flows"], layout: .records(columns), rows: rows)
    }

    private func workersSection() -> ReportSection {
        let columns = [
            ReportColumn(["id"], "id"), ReportColumn(["pid"], "pid"), ReportColumn(["name"], "name"),
            ReportColumn(["busy_s"], "busy"), ReportColumn(["slices"], "slices"),
            ReportColumn(["utilization"], "utilization"), ReportColumn(["switches"], "switches"),
            ReportColumn(["slice_us", "p50"], "slice p50"), ReportColumn(["slice_us", "p90"], "slice p90"),
            ReportColumn(["slice_us", "p99"], "slice p99"), ReportColumn(["slice_us", "max"], "slice max"),
        ]
        let rows = workers.map { worker in
            let slices = worker.sliceMicroseconds
            let micros = { (value: Double?) -> ReportValue in value.map { .number($0, .microseconds) } ?? .missing }
            return ReportRow(path: [], label: worker.name ?? "", cells: [
                .integer(worker.tid), .integer(worker.pid), worker.name.map { .text($0) } ?? .missing,
                .number(worker.busySeconds, .seconds), .integer(Int64(worker.slices)),
                worker.utilization.map { .number($0, .fraction) } ?? .missing,
                worker.switches.map { .integer(Int64($0)) } ?? .missing,
                micros(slices?.p50), micros(slices?.p90), micros(slices?.p99), micros(slices?.max),
            ])
        }
        return ReportSection(title: "workers", path: ["workers"], layout: .records(columns), rows: rows)
    }
}
