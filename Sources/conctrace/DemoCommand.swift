import ArgumentParser
import ConcTraceAnalysis
import ConcTraceLab
import ConcTraceWorkloads

extension ConcTrace {
    struct Demo: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "The tutorial's experiments under every strategy: traces, a comparison, a verdict, a report.",
            discussion: """
                Starts the embedded site server on 127.0.0.1; downloads the tutorial's 15 pages and computes its \
                20 sums of squares under sequential, threads, async, eventloop and processes, each strategy \
                repeatedly and interleaved as advise does (--repeat, --budget-s; by default at least 5 runs each, \
                within a 10 s budget per experiment); then sweeps the sleep workload over a few sizes \
                (--sweep-repeat runs per size). Each run is 'conctrace run' in a child process, traced to \
                <out-dir>/<workload>-<strategy>.json (each strategy's last run) and analyzed. Prints each \
                figure's median with its spread, a verdict per experiment with its test, and writes \
                <out-dir>/report.html (open it in a browser). A progress line shows on stderr when it is \
                a terminal. Exit codes: 0 every run ok; 3 some runs failed; 69 the site server cannot listen; \
                73 output cannot be created; 130/143 interrupted (the traces made so far are kept, and the report \
                covers them).
                """
        )

        @Option(help: "Where the traces and report.html go.")
        var outDir: String = "traces"

        @Option(help: "Download: pages to fetch (the tutorial's 15).")
        var pages: Int = WorkloadSpec.tutorialPages

        @Option(name: .customLong("latency-ms"), help: "Download: the embedded server's delay before each page (ms).")
        var latencyMs: Int = 100

        @Option(help: "cpu: how many sums (the tutorial's 20).")
        var cpuTasks: Int = 20

        @Option(help: "cpu: sum k adds i*i for i below base + k (the tutorial's 10000000); smaller is quicker.")
        var cpuBase: Int = 10_000_000

        @Option(name: .customLong("sweep"), help: ArgumentHelp(
            "Sleep sweep sizes, comma-separated; 'none' to skip it.", valueName: "n,n,...|none"))
        var sweepSizes: String = "10,100,1000,10000"

        @Option(help: "A run's time limit in seconds (the sweep skips sizes predicted to pass it).")
        var limitS: Double = 5

        @OptionGroup
        var repetition: RepetitionOptions

        @Option(help: ArgumentHelp("Counted runs per strategy at each size of the sweep (after one warm-up run).",
                                   valueName: "n"))
        var sweepRepeat: Int = 3

        /// The experiments' default plan: adaptive, at least 5 runs each, within 10 s per experiment.
        static let defaultPolicy = RepetitionPolicy.adaptive(budgetSeconds: 10)

        @Flag(name: .shortAndLong, help: "Say on stderr which run starts, a line each (on a terminal, one line shows anyway).")
        var verbose = false

        /// The sweep's sizes (checked by `validate`; none for `none`).
        var sizes: [Int] {
            sweepSizes == "none" ? [] : (try? parseSizes(sweepSizes, option: "--sweep", maximum: 1_000_000)) ?? []
        }

        func validate() throws {
            if !(1...10_000).contains(pages) { throw ValidationError("--pages must be 1...10000 (got \(pages))") }
            if !(0...60_000).contains(latencyMs) {
                throw ValidationError("--latency-ms must be 0...60000 (got \(latencyMs))")
            }
            if !(1...100_000).contains(cpuTasks) {
                throw ValidationError("--cpu-tasks must be 1...100000 (got \(cpuTasks))")
            }
            if cpuBase < 0 || cpuBase > CPUWorkload.maximumN - cpuTasks {
                throw ValidationError("--cpu-base must be 0...\(CPUWorkload.maximumN - cpuTasks) (got \(cpuBase))")
            }
            if sweepSizes != "none" { _ = try parseSizes(sweepSizes, option: "--sweep", maximum: 1_000_000) }
            if !(limitS > 0) { throw ValidationError("--limit-s must be above 0 (got \(limitS))") }
            try repetition.validate()
            if !(1...100).contains(sweepRepeat) {
                throw ValidationError("--sweep-repeat must be 1...100 (got \(sweepRepeat))")
            }
        }

        func run() throws {
            ChildRun.forwardSignals()
            try reportingFailures {
                let progress = Progress(verbose: verbose)
                let request = DemoRequest(
                    outputFolder: outDir, pages: pages, latencyMilliseconds: latencyMs, cpuTasks: cpuTasks,
                    cpuBase: cpuBase, sweepSizes: sizes, limitSeconds: limitS,
                    policy: repetition.policy(default: Self.defaultPolicy), sweepPolicy: .fixed(sweepRepeat))
                let outcome = try ConcTraceLab.Demo.run(request) { progress.begin($0) }
                progress.clear()
                for experiment in outcome.experiments {
                    printLine(experiment.title)
                    printLine(experiment.results.textTable.text)
                    printLine("")
                }
                if let sweep = outcome.sweep {
                    printLine("Scaling: sleep tasks (one 10 ms wait each), \(sweepRepeat) run(s) per size; skipped " +
                              "sizes would pass the \(NumberFormat.fixed(limitS, decimals: 0)) s limit")
                    printLine(sweep.textTable.text)
                    printLine("")
                }
                printLine("Verdict")
                for experiment in outcome.experiments {
                    printLine("\(experiment.kind): " + experiment.advice.verdictText)
                }
                printLine("")
                if let report = outcome.reportPath { printLine("report: \(report) (open it in a browser)") }
                printLine("traces: \(outDir)/{download,cpu}-<strategy>.json; view one in Perfetto: " +
                          "conctrace view \(outDir)/download-eventloop.json")
                if let signal = ChildRun.stopSignal {
                    printError("interrupted; the traces made so far are in \(outDir)")
                    throw ExitStatus.forSignal(signal).exitCode
                }
                let all = outcome.experiments.flatMap(\.results.runs)
                if all.contains(where: { $0.status != .ok }) { throw ExitStatus.partialFailure.exitCode }
            }
        }
    }
}
