#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// The page: a header with the run metadata, the verdicts with their reasons and caveats, the traces side by side
/// (latency CDFs, throughput and dispatch bars with their spread, the comparison table), the sweep's scaling
/// curves, then each trace's timeline (those of one workload on one time axis) with its workers' numbers.
struct ReportPage {
    var title: String
    var runs: [TracedRun]
    var sweep: SweepResults?
    /// The verdicts at the top: measured ones (demo, advise), else those made from the traces.
    var verdicts: [ReportVerdict]
    /// Each trace's column name.
    let names: [String]
    /// The style of each trace's series, in trace order, then of each sweep strategy (by name), then of each
    /// strategy of a verdict: one colour per strategy across the page, one dash per workload.
    let styles: (traces: [SeriesStyle], sweep: [String: SeriesStyle])
    private let colors: [String: Int]

    /// The metrics of the summary table, in order (the full comparison follows, folded).
    static let summaryMetrics: [Metric] = [
        .wall, .tasksDone, .tasksFailed, .throughputTasks, .latencyP50, .latencyP90, .latencyP99, .latencyMax,
        .schedulingDelayP50, .schedulingDelayP99, .switchesPerTask, .dispatchMean, .dispatchP99, .dispatchShare,
        .concurrencyMean, .concurrencyMax, .recorderDropped,
    ]

    init(title: String, runs: [TracedRun], sweep: SweepResults?, verdicts: [ReportVerdict]) {
        self.title = title
        self.runs = runs
        self.sweep = sweep
        self.verdicts = verdicts
        let analyses = runs.map(\.analysis)
        let names = Comparison(analyses).columnNames
        self.names = names
        let strategies = sweep?.strategies ?? []
        let traceEntries = zip(names, analyses).map { name, analysis in
            (strategy: analysis.run("strategy")?.stringValue ?? name, workload: analysis.run("workload")?.stringValue)
        }
        let sweepEntries = strategies.map { (strategy: $0, workload: sweep?.workload) }
        let verdictEntries = verdicts.flatMap { verdict in
            verdict.advice.strategies.map { (strategy: $0.strategy, workload: Optional(verdict.workload)) }
        }
        let entries = traceEntries + sweepEntries + verdictEntries
        let all = Palette.styles(for: entries)
        styles = (Array(all.prefix(runs.count)),
                  Dictionary(zip(strategies, all.dropFirst(runs.count)), uniquingKeysWith: { first, _ in first }))
        colors = Dictionary(zip(entries.map(\.strategy), all.map(\.color)), uniquingKeysWith: { first, _ in first })
    }

    var analyses: [TraceAnalysis] { runs.map(\.analysis) }

    /// A strategy's style where no workload is told apart (bars): its colour and marker, solid.
    func style(strategy: String) -> SeriesStyle {
        SeriesStyle(color: colors[strategy] ?? 0, variant: 0)
    }

    var html: String {
        var body = header()
        body += VerdictSection(verdicts: verdicts, sweep: sweep, style: style(strategy:)).html
        if !runs.isEmpty { body += comparisonSection() }
        if let sweep { body += SweepSection(sweep: sweep, styles: styles.sweep).html }
        if !runs.isEmpty { body += timelineSection() }
        body += "<footer>Made by <code>conctrace</code>. Metrics are defined in docs/metrics.md, verdicts and spread "
            + "in its \"Verdicts and spread\"; a metric shown as n/a could not be computed (hover for the reason). "
            + "Open a trace itself in Perfetto UI or chrome://tracing for every event.</footer>"
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(HTMLText.escape(title))</title><style>\(ReportStyle.css)</style></head>\n<body><main>\n"
            + body + "\n</main></body></html>\n"
    }

    // MARK: Header

    private func header() -> String {
        var items: [(String, String)] = []
        var workloads = analyses.compactMap { $0.run("workload")?.stringValue }
        workloads += verdicts.map(\.workload)
        if let sweep { workloads.append(sweep.workload) }
        items.append(("workload", unique(workloads).joined(separator: ", ")))
        // Parameters every trace shares, then the sweep's.
        for key in ["tasks", "workers", "base", "steps", "sleep_ms", "timeout_ms", "source"] {
            let values = analyses.map { $0.run(key).map(Self.text) }
            if let first = values.first, let value = first, values.allSatisfy({ $0 == first }) {
                items.append((String(key.map { $0 == "_" ? " " : $0 }), value))
            }
        }
        for parameter in sweep?.parameters ?? [] {
            items.append(("sweep " + String(parameter.key.map { $0 == "_" ? " " : $0 }), Self.text(parameter.value)))
        }
        var hosts = analyses.compactMap { $0.run("host")?.stringValue }
        var cores = analyses.compactMap { $0.run("cores").map(Self.text) }
        var times = analyses.compactMap { $0.run("start_unix_ns")?.intValue.map { $0 / 1_000_000_000 } }
        var versions = analyses.compactMap { $0.run("version")?.stringValue }
        for results in [sweep] + verdicts.map(\.results) {
            guard let results else { continue }
            hosts.append(results.host)
            cores.append(String(results.cores))
            times.append(results.createdUnixSeconds)
            versions.append(results.version)
        }
        items.append(("host", unique(hosts).joined(separator: ", ")))
        items.append(("cores", unique(cores).joined(separator: ", ")))
        if let first = times.min() {
            let last = times.max()!
            // In Double: a hostile file's times may lie 2⁶⁴ s apart.
            items.append(("date", Self.date(first) + (Double(last) - Double(first) > 60 ? " – " + Self.date(last) : "")))
        }
        items.append(("conctrace", unique(versions).joined(separator: ", ")))
        items.append(("contents", [verdicts.isEmpty ? nil : "\(verdicts.count) verdict(s)",
                                   runs.isEmpty ? nil : "\(runs.count) trace(s)",
                                   sweep.map { "a sweep of \($0.runs.count) run(s)" }].compactMap { $0 }
                        .joined(separator: ", ")))
        var html = "<header><h1>\(HTMLText.escape(title))</h1><dl class=\"meta\">"
        for (key, value) in items where !value.isEmpty {
            html += "<div><dt>\(HTMLText.escape(key))</dt><dd>\(HTMLText.escape(value))</dd></div>"
        }
        html += "</dl></header>"
        let notes = zip(names, analyses).flatMap { name, analysis in analysis.notes.map { "\(name): \($0)" } }
        if !notes.isEmpty {
            html += "<ul class=\"notes\">" + notes.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>"
        }
        return html
    }

    private func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    /// A run-metadata value as text.
    static func text(_ value: TraceValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "yes" : "no"
        case .int(let integer): String(integer)
        case .double(let number): ReportValue.decimal(number).formatted
        case .string(let text): text
        case .array(let elements): elements.map(text).joined(separator: ", ")
        case .object(let members): members.sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }
            .joined(separator: ", ")
        }
    }

    /// A Unix time as `2025-11-24 19:38 UTC`.
    static func date(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return String(seconds) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M UTC", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
