import ConcTraceAnalysis
import ConcTraceReport
import ConcTraceSystem

/// Reading what users give: traces to analyze and compare, and the inputs of a report.
public enum TraceInputs {
    /// Analyzes the trace at `path`, as `analyze` and `compare` do.
    /// - Throws: `LabError` (`noInput` when it cannot be opened or read, `dataError` when it is not a trace).
    public static func analyze(_ path: String) throws(LabError) -> TraceAnalysis {
        do {
            return try TraceAnalyzer.analyze(path: path)
        } catch {
            throw traceInputFailure(error, inputUnavailable: error.isInputUnavailable)
        }
    }

    /// A warning line for an analysis of a trace cut short, else nil.
    public static func truncationWarning(_ analysis: TraceAnalysis) -> String? {
        guard analysis.source.isTruncated else { return nil }
        return "warning: trace \(analysis.source.path) is cut short; analyzed the \(analysis.source.events) event(s) " +
            "before the cut"
    }

    /// Reads a sweep results file.
    /// - Throws: `LabError` (`noInput`, `dataError`).
    public static func loadSweep(_ path: String) throws(LabError) -> SweepResults {
        do {
            return try SweepResults.load(path: path)
        } catch {
            throw error.isInputUnavailable
                ? LabError(.noInput, "\(error); check the path")
                : LabError(.dataError, "\(error); give a file written by 'conctrace sweep'")
        }
    }

    /// Writes the HTML report of `tracePaths` and the sweep at `sweepPath` to `outputPath`: the output is created
    /// first, so a path that cannot be written fails before any trace is read.
    /// - Returns: the sweep's runs (nil without one) and the page's size in bytes.
    /// - Throws: `LabError`: the output (`cannotCreateOutput`, `ioError`), a trace or the sweep (`noInput`,
    ///   `dataError`).
    public static func writeReport(tracePaths: [String], sweepPath: String?, title: String?, to outputPath: String)
        throws(LabError) -> (sweepRuns: Int?, bytes: Int)
    {
        let output: OutputFile
        do {
            output = try OutputFile(path: outputPath, mode: .replaceWhenComplete)
        } catch {
            throw outputFailure(error)
        }
        let sweep = try sweepPath.map { (path) throws(LabError) in try loadSweep(path) }
        let bytes = try writeReport(to: output, tracePaths: tracePaths, sweep: sweep, verdicts: [],
                                    title: title ?? defaultTitle(traces: tracePaths.count, sweep: sweep))
        return (sweep?.runs.count, bytes)
    }

    /// Renders the report (`HTMLReport.render`) into `output`, an output file opened before the work began, and
    /// commits it.
    /// - Returns: the page's size in bytes.
    /// - Throws: `LabError`: a trace (`noInput`, `dataError`), the output (`ioError`, `cannotCreateOutput`).
    static func writeReport(to output: OutputFile, tracePaths: [String], sweep: SweepResults?,
                            verdicts: [ReportVerdict], title: String) throws(LabError) -> Int {
        let html: String
        do {
            html = try HTMLReport.render(tracePaths: tracePaths, sweep: sweep, verdicts: verdicts, title: title)
        } catch {
            throw traceInputFailure(error, inputUnavailable: error.isInputUnavailable)
        }
        do {
            try output.write(html)
            try output.commit()
        } catch {
            throw outputFailure(error)
        }
        return html.utf8.count
    }

    private static func defaultTitle(traces: Int, sweep: SweepResults?) -> String {
        if traces == 0, let sweep { return "conctrace sweep: \(sweep.workload)" }
        return "conctrace report: \(traces) trace(s)" + (sweep.map { " and a \($0.workload) sweep" } ?? "")
    }
}
