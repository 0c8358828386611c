import ArgumentParser
import ConcTraceLab
import ConcTraceWorkloads

extension ConcTrace {
    struct Sweep: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Run each strategy at each size, repeatedly; record wall time, throughput, p99 latency, switch cost, memory.",
            discussion: """
                Each run is 'conctrace run' in a child process (so its peak RSS is its own, and a run the machine \
                cannot take is reported with its error instead of ending the sweep), traced and analyzed. At each \
                size the strategies run repeatedly and interleaved, as for advise (--repeat, --budget-s: the \
                budget is per size); the table shows each figure's median, the wall time's 95% confidence \
                interval and n, and each size's verdict. Sizes run smallest first; a strategy whose next size \
                would pass --limit-s (judged from its median at its last size) is not run and is reported as \
                skipped. The results file (format: docs/sweep-format.md) is \
                rewritten after every run, so an interrupted sweep keeps what it measured; draw it with \
                'conctrace report --sweep FILE'. Exit codes: 0 every run ok; 3 some runs failed or could not \
                run (sizes skipped as predicted to pass the limit do not count); 64 bad arguments; 73 the results file cannot be created; 130/143 interrupted.
                """
        )

        @Option(help: "The workload: cpu, sleep or download.")
        var workload: WorkloadKind = .sleep

        @Option(name: .customLong("tasks"), help: ArgumentHelp(
            "Sizes: task counts, comma-separated, each 1...10000000.", valueName: "n,n,..."))
        var sizesText: String = "10,100,1000,10000"

        @OptionGroup
        var runs: MeasuredRunOptions

        @Option(help: "Where to write the results (default: traces/sweep-<workload>.json).")
        var out: String?

        @Option(help: "Where the runs' traces go (default: traces/sweep).")
        var traceDir: String = "traces/sweep"

        /// The sizes (checked by `validate`).
        var sizes: [Int] {
            (try? parseSizes(sizesText, option: "--tasks", maximum: 10_000_000)) ?? []
        }

        func validate() throws {
            let sizes = try parseSizes(sizesText, option: "--tasks", maximum: 10_000_000)
            try runs.validate(workload: workload, maxTasks: sizes.max() ?? 1)
        }

        func run() throws {
            ChildRun.forwardSignals()
            try reportingFailures {
                let out = self.out ?? "traces/sweep-\(workload.rawValue).json"
                let progress = Progress(verbose: runs.verbose)
                let request = SweepRequest(
                    workload: runs.workload(workload, tasks: nil), sizes: sizes, strategies: try runs.strategyList(),
                    workers: runs.workers, limitSeconds: runs.limitS, policy: runs.repetition.policy(),
                    traceFolder: traceDir, resultsPath: out)
                let results = try ConcTraceLab.Sweep.run(request) { progress.begin($0) }
                progress.clear()
                printLine(results.textTable.text)
                for size in results.sizes {
                    let advice = results.advice(tasks: size)
                    guard !advice.strategies.isEmpty else { continue }
                    printLine("\(size) tasks: " + advice.headline +
                              (results.stop(tasks: size).map { " (runs stopped: \($0.text))" } ?? ""))
                }
                printLine("results: \(out) (draw them: conctrace report --sweep \(out) --out report.html)")
                if let signal = ChildRun.stopSignal {
                    printError("interrupted; the runs measured so far are in \(out)")
                    throw ExitStatus.forSignal(signal).exitCode
                }
                if results.runs.contains(where: { $0.status == .failed || $0.status == .error }) {
                    throw ExitStatus.partialFailure.exitCode
                }
            }
        }
    }
}
