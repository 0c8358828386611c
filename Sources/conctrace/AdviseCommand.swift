import ArgumentParser
import ConcTraceAnalysis
import ConcTraceLab
import ConcTraceSystem
import ConcTraceWorkloads

extension ConcTrace {
    struct Advise: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Measure the candidate strategies on your workload, repeatedly, and answer: use X, or X and Y tie.",
            discussion: """
                Each strategy runs the same work as 'conctrace run' in a child process, traced and analyzed \
                (docs/metrics.md): one warm-up run each, then interleaved rounds (A B C A B C ...), by default \
                at least 5; then the strategies not yet found slower go on until every median wall time is known \
                within ±5% at 95% confidence or --budget-s is spent (--repeat N fixes the count). A strategy is named faster only when a \
                Mann-Whitney U test finds the difference significant (p < 0.01) and it is more than 5%; \
                otherwise the strategies tie, and peak memory, then p99 latency, break the tie the same way. \
                Every figure comes with its median, 95% confidence interval, min-max and n. The answer says \
                where the workload falls in the tutorial's rule, classified from the traces (CPU- or I/O-bound, \
                slow or fast I/O against the measured switch cost, many or few tasks), whether the measurement \
                agrees, and warns about noise (a busy machine, CPU steal, short runs, wide spread, outliers). \
                Exit codes: 0 a winner or a tie; 3 no strategy finished its runs; 64 bad arguments; \
                130/143 interrupted.
                """
        )

        @Option(help: "The workload: cpu, sleep or download.")
        var workload: WorkloadKind

        @Option(help: "Tasks per run (default: 20 for cpu, 100 for sleep, 15 for download: the tutorial's).")
        var tasks: Int?

        @OptionGroup
        var runs: MeasuredRunOptions

        @Option(help: "Keep the runs' traces in this folder, each strategy's last run (default: a temporary folder, removed).")
        var traceDir: String?

        @Option(help: "Output: text (the table, the verdict and its reasons) or json (one object, docs/metrics.md).")
        var format: OutputFormat = .text

        @Option(help: ArgumentHelp("Also write an HTML report: the verdict with its tests and caveats, each figure's "
                                   + "spread as bars with whiskers, each strategy's last run as a timeline.",
                                   valueName: "file"))
        var report: String?

        func validate() throws {
            if let tasks, !(1...10_000_000).contains(tasks) {
                throw ValidationError("--tasks must be 1...10000000 (got \(tasks))")
            }
            try runs.validate(workload: workload, maxTasks: tasks ?? WorkloadSpec.defaultTasks(workload))
        }

        func run() throws {
            ChildRun.forwardSignals()
            try reportingFailures {
                let strategies = try runs.strategyList()
                let progress = Progress(verbose: runs.verbose)
                let request = AdviseRequest(workload: runs.workload(workload, tasks: tasks), strategies: strategies,
                                            workers: runs.workers, limitSeconds: runs.limitS,
                                            policy: runs.repetition.policy(), traceFolder: traceDir,
                                            reportPath: report)
                let outcome = try ConcTraceLab.Advise.run(request) { progress.begin($0.text) }
                progress.clear()
                if let signal = ChildRun.stopSignal {
                    printError("interrupted before the runs ended; no advice")
                    throw ExitStatus.forSignal(signal).exitCode
                }
                let advice = outcome.advice
                switch format {
                case .json:
                    printLine(advice.jsonText())
                case .text:
                    printLine("\(workload.rawValue), \(request.workload.taskCount) tasks, \(Machine.cores) cores; " +
                              "\(strategies.count) strategies measured in \(NumberFormat.fixed(outcome.elapsedSeconds, decimals: 1)) s:")
                    printLine(advice.summaryText)
                    if let traceDir {
                        printLine("traces: \(traceDir)/\(workload.rawValue)-<strategy>.json (each strategy's last run)")
                    }
                }
                if let written = outcome.reportPath {
                    // On stderr with --format json, so that stdout stays one JSON object.
                    let line = "report: \(written) (open it in a browser)"
                    if format == .json { printError(line) } else { printLine(line) }
                }
                if advice.verdict.winners.isEmpty { throw ExitStatus.partialFailure.exitCode }
            }
        }
    }
}
