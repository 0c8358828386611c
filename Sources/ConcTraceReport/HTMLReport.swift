import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// One self-contained HTML page about traces and sweep results: what `conctrace report` writes.
///
/// ```
///  trace ─ChromeTraceReader─▶ pass 1: TraceAnalyzer + TimelineScout ─▶ TraceAnalysis, interval, sample tasks
///        ─ChromeTraceReader─▶ pass 2: TimelineSampler ──────────────▶ Timeline (pixel columns)
///  sweep (SweepResults) ───────────────────────────────────────────────────────────┐
///                         TracedRun (analysis + timeline) per trace ──▶ ReportPage ─┴─▶ HTML
/// ```
///
/// The page needs no network and no script: charts are inline SVG, styles inline CSS. Every string read from a
/// trace or a sweep file is escaped. Each trace is streamed twice, in memory that grows with its tasks and workers,
/// never with its events; each timeline draws at most `TimelineChart.maxRectangles` rectangles.
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
    ///   - sweep: results of `conctrace sweep`, for the scaling charts; nil for none.
    ///   - title: the page's heading.
    /// - Returns: the whole HTML document.
    /// - Throws: `HTMLReportError.trace` when a trace cannot be opened (`isInputUnavailable`: exit 66) or is not a
    ///   trace (65); `.nothingToReport` when there are no traces and no sweep (64).
    public static func render(tracePaths: [String], sweep: SweepResults?, title: String) throws(HTMLReportError)
        -> String
    {
        guard !tracePaths.isEmpty || sweep != nil else { throw .nothingToReport }
        var runs: [TracedRun] = []
        for path in tracePaths {
            runs.append(try trace(path))
        }
        return ReportPage(title: title, runs: runs, sweep: sweep).html
    }

    /// Analyzes one trace and samples its timeline (two streaming passes).
    static func trace(_ path: String) throws(HTMLReportError) -> TracedRun {
        var analyzer = TraceAnalyzer()
        var scout = TimelineScout()
        let reader = try open(path)
        do {
            while let event = try reader.next() {
                analyzer.consume(event)
                scout.consume(event)
            }
        } catch {
            throw .trace(.unreadable(path: path, error))
        }
        guard reader.eventsRead > 0 else { throw .trace(.noEvents(path: path)) }
        let analysis = analyzer.finish(path: path, isTruncated: reader.isTruncated, bytes: reader.bytesRead)

        let active = analysis.workers.filter { $0.slices > 0 }
        let workers = active.prefix(maxWorkerRows).map { worker in
            (pid: worker.pid, tid: worker.tid, label: worker.name ?? "thread \(worker.tid)",
             detail: worker.utilization.map { NumberFormat.fixed($0 * 100, decimals: 0) + "% busy" } ?? "")
        }
        let sample = scout.sampleTasks(count: sampleTasks)
        guard scout.start <= scout.end, !workers.isEmpty || !sample.ids.isEmpty else {
            return TracedRun(analysis: analysis, timeline: nil)
        }
        var sampler = TimelineSampler(start: scout.start, end: scout.end, columns: timelineColumns,
                                      workers: Array(workers), omittedWorkers: active.count - workers.count,
                                      tasks: sample.ids, slowest: sample.slowest)
        let second = try open(path)
        do {
            while let event = try second.next() { sampler.consume(event) }
        } catch {
            throw .trace(.unreadable(path: path, error))
        }
        var latencies: [UInt64: Int64] = [:]
        for task in scout.tasks where sample.ids.contains(task.id) { latencies[task.id] = task.ended - task.created }
        return TracedRun(analysis: analysis, timeline: sampler.finish(latencies: latencies))
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
