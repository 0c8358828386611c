import ArgumentParser
import ConcTraceAnalysis
import ConcTraceReport
import ConcTraceSiteServer
import ConcTraceStrategies
import ConcTraceWorkloads

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The tutorial's experiments under every strategy: traces, a comparison, a verdict, a report.",
            discussion: """
                Starts the embedded site server on 127.0.0.1; downloads the tutorial's 15 pages and computes its \
                20 sums of squares under sequential, threads, async, eventloop and processes; then sweeps the \
                sleep workload over a few sizes. Each run is 'conctrace run' in a child process, traced to \
                <out-dir>/<workload>-<strategy>.json and analyzed. Prints the comparison and a verdict, and \
                writes <out-dir>/report.html (open it in a browser). A progress line shows on stderr when it is \
                a terminal. Exit codes: 0 every run ok; 3 some runs failed; 69 the site server cannot listen; \
                73 output cannot be created; 130/143 interrupted (the traces made so far are kept, and the report \
                covers them).
                """
        )

        @Option(help: "Where the traces and report.html go.")
        var outDir: String = "traces"

        @Option(help: "Download: pages to fetch (the tutorial's 15).")
        var pages: Int = DownloadOptions.tutorialPages

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
        }

        func run() throws {
            SignalWatcher.start { ChildRun.forward(signal: $0) }
            try reportingFailures(execute)
        }

        private func execute() throws {
            try createParentFolder(of: outDir + "/x")
            let server: SiteServer
            do {
                server = try SiteServer.start(SiteConfiguration(pages: pages, latency: .fixed(milliseconds: latencyMs)))
            } catch {
                throw CLIFailure(message: "cannot start the embedded site server: \(error)", status: .cannotListen)
            }
            defer { server.shutdown() }
            let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let strategies = StrategyKind.allCases
            let experiments: [(workload: WorkloadKind, tasks: Int, options: [String], title: String)] = [
                (.download, pages, ["--server", server.baseURL],
                 "Download \(pages) pages (embedded server on 127.0.0.1, \(latencyMs) ms latency each)"),
                (.cpu, cpuTasks, ["--base", String(cpuBase)],
                 "CPU: \(cpuTasks) sums of squares of i below \(cpuBase) + k, exact"),
            ]
            var progress = Progress(total: experiments.count * strategies.count + sizes.count * strategies.count)
            var sections: [(title: String, results: SweepResults)] = []
            for experiment in experiments {
                var runs: [SweepResults.Run] = []
                for strategy in strategies {
                    guard ChildRun.stopSignal == nil else { break }
                    progress.begin("\(experiment.workload.rawValue)/\(strategy.rawValue)")
                    let path = "\(outDir)/\(experiment.workload.rawValue)-\(strategy.rawValue).json"
                    let request = MeasuredRun(workload: experiment.workload, strategy: strategy, tasks: experiment.tasks,
                                              workers: nil, options: experiment.options, tracePath: path)
                    runs.append(request.measure(limitSeconds: max(limitS, 60)))
                }
                sections.append((experiment.title, results(experiment.workload, runs, cores: cores)))
            }

            var sweep: SweepResults?
            if !sizes.isEmpty, ChildRun.stopSignal == nil {
                var runs: [SweepResults.Run] = []
                let folder = outDir + "/sweep"
                try createParentFolder(of: folder + "/x")
                try measureSweep(workload: .sleep, sizes: sizes, strategies: strategies, workers: nil,
                                 options: ["--sleep-ms", "10"], traceDir: folder, limitSeconds: limitS,
                                 progress: &progress) { runs.append($0) }
                var results = results(.sleep, runs, cores: cores)
                results.parameters = [("sleep_ms", .double(10)), ("steps", .int(1))]
                sweep = results
                try save(results, to: "\(outDir)/sweep-sleep.json")
            }
            progress.clear()

            for section in sections {
                printLine(section.title)
                printLine(SweepTable(section.results).text)
                printLine("")
            }
            if let sweep {
                printLine("Scaling: sleep tasks (one 10 ms wait each); skipped sizes would pass the \(formatted(limitS, digits: 0)) s limit")
                printLine(SweepTable(sweep).text)
                printLine("")
            }
            printLine("Verdict")
            for (section, kind) in zip(sections, ["I/O-bound (download)", "CPU-bound (cpu)"]) {
                let advice = StrategyAdvice(workload: section.results.workload, runs: section.results.runs, cores: cores)
                printLine("\(kind): " + advice.text)
            }
            printLine("")

            let reportPath = "\(outDir)/report.html"
            // Every run whose trace was analyzed (a run that could not run has none).
            let tracePaths = sections.flatMap(\.results.runs).compactMap(\.trace)
            if !tracePaths.isEmpty || sweep != nil {
                let html: String
                do {
                    html = try HTMLReport.render(
                        tracePaths: tracePaths, sweep: sweep,
                        title: "conctrace demo: the tutorial's experiments on \(cores) cores")
                } catch {
                    throw traceInputFailure(error, inputUnavailable: error.isInputUnavailable)
                }
                try writeTextFile(html, to: reportPath)
                printLine("report: \(reportPath) (open it in a browser)")
            }
            printLine("traces: \(outDir)/{download,cpu}-<strategy>.json; view one in Perfetto: " +
                      "conctrace view \(outDir)/download-eventloop.json")
            if let signal = ChildRun.stopSignal {
                printError("interrupted; the traces made so far are in \(outDir)")
                throw ExitStatus.forSignal(signal).exitCode
            }
            let all = sections.flatMap(\.results.runs)
            if all.contains(where: { $0.status != .ok }) { throw ExitStatus.partialFailure.exitCode }
        }

        private func results(_ workload: WorkloadKind, _ runs: [SweepResults.Run], cores: Int) -> SweepResults {
            SweepResults(workload: workload.rawValue, parameters: [], host: hostName(), cores: cores,
                         createdUnixSeconds: Int64(time(nil)), version: ConcTrace.version, runs: runs)
        }
    }
}
