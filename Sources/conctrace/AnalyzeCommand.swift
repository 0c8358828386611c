import ArgumentParser
import ConcTraceAnalysis
import ConcTraceLab

extension ReportFormat: ExpressibleByArgument {}

extension ConcTrace {
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarize a trace: latency, scheduling delay, switches, dispatch overhead, recorder cost, workers.",
            discussion: """
                Streams the trace (conctrace's own, or any Chrome Trace Event JSON file) in memory that does not \
                grow with its size. docs/metrics.md defines every metric and the JSON keys. A metric that cannot \
                be computed is null in JSON, with the reason under "unavailable". A trace cut short is analyzed \
                up to the cut, with a warning. Exit codes: 65 the trace is empty, holds no events, or is not \
                JSON (the message names the byte offset); 66 it cannot be opened or read. When tasks failed, \
                they are listed grouped by error message (count, message, an example task; "failed_tasks" in \
                JSON).
                """
        )

        @Argument(help: "The trace file (Chrome Trace Event JSON, Array or Object form).")
        var trace: String

        @Option(help: "Output: text (a readable summary), markdown, or json (one object).")
        var format: ReportFormat = .text

        func run() throws {
            try reportingFailures {
                let analysis = try analyzeTrace(trace)
                var report = analysis.report()
                // Failed tasks grouped by error message (issue 13 item 7): a second pass, only when some failed.
                if (analysis[.tasksFailed] ?? 0) > 0, let failures = try? FailedTasks.read(path: trace) {
                    report.sections.append(failures.section)
                }
                printLine(format.render(report))
            }
        }
    }
}

/// Analyzes one trace for `analyze` and `compare`: a trace cut short gets a warning line on stderr.
/// - Throws: `LabError` (66 or 65) when the trace cannot be analyzed.
func analyzeTrace(_ path: String) throws -> TraceAnalysis {
    let analysis = try TraceInputs.analyze(path)
    if let warning = TraceInputs.truncationWarning(analysis) { printNote(warning) }
    return analysis
}
