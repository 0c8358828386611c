import ArgumentParser
import ConcTraceAnalysis
import ConcTraceLab

extension ConcTrace {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put traces side by side: one row per metric, one column per trace, ratios to the first.",
            discussion: """
                Each trace is analyzed as by 'conctrace analyze'; columns are named by strategy (or by file when \
                strategies repeat or are unknown). Each value's ratio to the first trace's is shown, and the best \
                value of each row is marked where a smaller or larger value is better. Given several traces of \
                one configuration (the same workload, strategy and tasks in their run metadata, e.g. repeated \
                runs), the traces are grouped: one column per configuration, each cell the median with its 95% \
                confidence interval and n, ratios of medians, and best marked only where a Mann-Whitney U test \
                (p < 0.01, more than 5% apart) finds the others worse. Exit codes as for analyze: \
                65 a trace is empty or malformed, 66 a trace cannot be opened.
                """
        )

        @Argument(help: "Two or more trace files; the first is the baseline of the ratios.")
        var traces: [String]

        @Option(help: "Output: text, markdown, or json (one object).")
        var format: ReportFormat = .text

        func validate() throws {
            guard traces.count >= 2 else {
                throw ValidationError("compare needs at least two traces (got \(traces.count)); use 'analyze' for one")
            }
        }

        func run() throws {
            try reportingFailures {
                let analyses = try traces.map(analyzeTrace)
                guard GroupedComparison.hasRepeats(analyses) else {
                    printLine(format.render(Comparison(analyses).report()))
                    return
                }
                let grouped = GroupedComparison(analyses)
                printLine(format == .json ? grouped.jsonText() : format.render(grouped.report()))
            }
        }
    }
}
