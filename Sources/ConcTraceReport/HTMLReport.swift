import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// One self-contained HTML page about verdicts, traces and sweep results: what `conctrace report`, `demo` and
/// `advise --report` write.
///
/// ```
///  trace ─ChromeTraceReader─▶ one pass: TraceAnalyzer ──────▶ TraceAnalysis ─┐
///                                       TimelineRecorder ───▶ Timeline ──────┤ TracedRun
///  verdicts (StrategyAdvice + runs), or made from the traces ─────────────────┤
///  sweep (SweepResults: runs, summaries, a verdict per size) ─────────────────┼─▶ ReportPage ─▶ HTML
/// ```
///
/// The page needs no network and no script: charts are inline SVG, styles inline CSS. Every string read from a
/// trace or a sweep file is escaped. Each trace is read once (a pipe works), in memory that grows with its tasks
/// and workers, never with its events; each timeline draws at most `TimelineChart.maxRectangles` rectangles.
public enum HTMLReport {
    /// Worker lanes drawn per timeline, at most; a note counts the others.
    static let maxWorkerRows = 40
    /// Sample task lanes per timeline (spread over the run), plus the slowest task.
    static let sampleTasks = 6
    /// Pixel columns of a timeline before merging.
    static let timelineColumns = 920

    /// Renders the report.
    /// - Parameters:
    ///   - tracePaths: Chrome trace files (conctrace's, or any tool's); each gets its timeline, and together their
    ///     latency CDFs, throughput and dispatch overhead bars and a comparison table.
    ///   - sweep: results of `conctrace sweep`, for its verdict at each size and the scaling charts; nil for none.
    ///   - verdicts: verdicts of measured runs (`demo`'s experiments, `advise`), shown at the top with their
    ///     reasons and caveats. When empty, the report makes its own from the traces, for each workload that at
    ///     least two strategies ran (`ReportVerdict.fromTraces`).
    ///   - title: the page's heading.
    /// - Returns: the whole HTML document.
    /// - Throws: `HTMLReportError.trace` when a trace cannot be opened (`isInputUnavailable`: exit 66) or is not a
    ///   trace (65); `.nothingToReport` when there are no traces, no sweep and no verdict (64).
    public static func render(tracePaths: [String], sweep: SweepResults?, verdicts: [ReportVerdict] = [],
                              title: String) throws(HTMLReportError) -> String
    {
        guard !tracePaths.isEmpty || sweep != nil || !verdicts.isEmpty else { throw .nothingToReport }
        var runs: [TracedRun] = []
        for path in tracePaths {
            runs.append(try trace(path))
        }
        let shown = verdicts.isEmpty ? ReportVerdict.fromTraces(runs.map(\.analysis)) : verdicts
        return ReportPage(title: title, runs: runs, sweep: sweep, verdicts: shown).html
    }

    /// Analyzes one trace and records its timeline, in one streaming pass: a trace is read once, so a pipe
    /// (`report <(cat t.json)`) works as a file does.
    static func trace(_ path: String) throws(HTMLReportError) -> TracedRun {
        var analyzer = TraceAnalyzer()
        var recorder = TimelineRecorder(maxWorkerRows: maxWorkerRows)
        let reader = try open(path)
        do {
            while let event = try reader.next() {
                analyzer.consume(event)
                recorder.consume(event)
            }
        } catch {
            throw .trace(.unreadable(path: path, error))
        }
        guard reader.eventsRead > 0 else { throw .trace(.noEvents(path: path)) }
        let analysis = analyzer.finish(path: path, isTruncated: reader.isTruncated, bytes: reader.bytesRead)
        return TracedRun(analysis: analysis,
                         timeline: recorder.finish(analysis: analysis, columns: timelineColumns, sampleTasks: sampleTasks))
    }

    private static func open(_ path: String) throws(HTMLReportError) -> ChromeTraceReader {
        do {
            return try ChromeTraceReader(path: path)
        } catch {
            throw .trace(.unreadable(path: path, error))
        }
    }
}

/// One trace as the report shows it: its metrics and its timeline (nil when it has neither slices nor tasks).
struct TracedRun {
    var analysis: TraceAnalysis
    var timeline: Timeline?
}
