#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// The page: a header with the run metadata, the traces side by side (latency CDFs, throughput and dispatch bars,
/// the comparison table), the sweep's scaling curves, then each trace's timeline with its workers' numbers.
struct ReportPage {
    var title: String
    var runs: [TracedRun]
    var sweep: SweepResults?

    /// The metrics of the summary table, in order (the full comparison follows, folded).
    static let summaryMetrics: [Metric] = [
        .wall, .tasksDone, .tasksFailed, .throughputTasks, .latencyP50, .latencyP90, .latencyP99, .latencyMax,
        .schedulingDelayP50, .schedulingDelayP99, .switchesPerTask, .dispatchMean, .dispatchP99, .dispatchShare,
        .concurrencyMean, .concurrencyMax, .recorderDropped,
    ]

    var analyses: [TraceAnalysis] { runs.map(\.analysis) }
    var names: [String] { Comparison(analyses).columnNames }
    /// The style of each trace's series, in trace order, then of each sweep strategy (by name): one colour per
    /// strategy across the page, one dash per workload.
    var styles: (traces: [SeriesStyle], sweep: [String: SeriesStyle]) {
        let strategies = sweep?.strategies ?? []
        let all = Palette.styles(for: zip(names, analyses).map { name, analysis in
            (analysis.run("strategy")?.stringValue ?? name, analysis.run("workload")?.stringValue)
        } + strategies.map { ($0, sweep?.workload) })
        return (Array(all.prefix(runs.count)), Dictionary(zip(strategies, all.dropFirst(runs.count)),
                                                           uniquingKeysWith: { first, _ in first }))
    }

    var html: String {
        var body = header()
        if !runs.isEmpty { body += comparisonSection() }
        if let sweep { body += SweepSection(sweep: sweep, styles: styles.sweep).html }
        if !runs.isEmpty { body += timelineSection() }
        body += "<footer>Made by <code>conctrace report</code>. Metrics are defined in docs/metrics.md; "
            + "a metric shown as n/a could not be computed (hover for the reason). Open a trace itself in "
            + "Perfetto UI or chrome://tracing for every event.</footer>"
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(HTMLText.escape(title))</title><style>\(ReportStyle.css)</style></head>\n<body><main>\n"
            + body + "\n</main></body></html>\n"
    }

    // MARK: Header

    private func header() -> String {
        var items: [(String, String)] = []
        var workloads = analyses.compactMap { $0.run("workload")?.stringValue }
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
        if let sweep {
            hosts.append(sweep.host)
            cores.append(String(sweep.cores))
            times.append(sweep.createdUnixSeconds)
            versions.append(sweep.version)
        }
        items.append(("host", unique(hosts).joined(separator: ", ")))
        items.append(("cores", unique(cores).joined(separator: ", ")))
        if let first = times.min() {
            let last = times.max()!
            // In Double: a hostile file's times may lie 2⁶⁴ s apart.
            items.append(("date", Self.date(first) + (Double(last) - Double(first) > 60 ? " – " + Self.date(last) : "")))
        }
        items.append(("conctrace", unique(versions).joined(separator: ", ")))
        items.append(("contents", [runs.isEmpty ? nil : "\(runs.count) trace(s)",
                                   sweep.map { "a sweep of \($0.runs.count) run(s)" }].compactMap { $0 }
                        .joined(separator: " and ")))
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
