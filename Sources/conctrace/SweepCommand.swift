import ArgumentParser
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceWorkloads

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run each strategy at each size; record wall time, throughput, p99 latency, switch cost, memory.",
            discussion: """
                Each run is 'conctrace run' in a child process (so its peak RSS is its own, and a run the machine \
                cannot take is reported with its error instead of ending the sweep), traced and analyzed. Sizes \
                run smallest first; a strategy whose next size would pass --limit-s (judged from its last size) \
                is not run and is reported as skipped. The results file (format: docs/sweep-format.md) is \
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
            SignalWatcher.start { ChildRun.forward(signal: $0) }
            try reportingFailures(execute)
        }

        private func execute() throws {
            let out = self.out ?? "traces/sweep-\(workload.rawValue).json"
            let strategies = try runs.strategyList()
            try createParentFolder(of: out)
            try createParentFolder(of: traceDir + "/x")
            let options = runs.runArguments(for: workload)
            var results = SweepResults(
                workload: workload.rawValue, parameters: runs.describedParameters(for: workload),
                host: hostName(), cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                createdUnixSeconds: Int64(time(nil)), version: ConcTrace.version, runs: [])
            try save(results, to: out)

            var progress = Progress(total: strategies.count * sizes.count)
            try measureSweep(workload: workload, sizes: sizes, strategies: strategies, workers: runs.workers,
                             options: options, traceDir: traceDir, limitSeconds: runs.limitS,
                             progress: &progress) { run in
                results.runs.append(run)
                try save(results, to: out)
            }
            progress.clear()
            printLine(SweepTable(results).text)
            printLine("results: \(out) (draw them: conctrace report --sweep \(out) --out report.html)")
            if let signal = ChildRun.stopSignal {
                printError("interrupted; the runs measured so far are in \(out)")
                throw ExitStatus.forSignal(signal).exitCode
            }
            if results.runs.contains(where: { $0.status == .failed || $0.status == .error }) {
                throw ExitStatus.partialFailure.exitCode
            }
        }

        /// Why a strategy is not run at `size`, given its run at the size before: it did not run, or would pass
        /// the limit if its time grows in proportion to the tasks.
        static func skipReason(_ previous: SweepResults.Run?, size: Int, limit: Double) -> String? {
            guard let previous else { return nil }
            if previous.status == .skipped { return previous.error }
            if previous.status == .error { return "it could not run \(previous.tasks) tasks" }
            guard let wall = previous.wallSeconds else { return nil }
            let predicted = wall * Double(size) / Double(previous.tasks)
            guard predicted > limit else { return nil }
            return "about \(formatted(predicted, digits: 0)) s predicted from \(previous.tasks) tasks " +
                "(\(formatted(wall, digits: 2)) s), over the \(formatted(limit, digits: 0)) s limit per run (--limit-s)"
        }
    }
}

/// Task counts given as `n,n,...`, each 1...`maximum`.
/// - Throws: `ValidationError` naming the first part that is not such a count.
func parseSizes(_ text: String, option: String, maximum: Int) throws -> [Int] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
        guard let size = Int(part.trimmingCharacters(in: " ")) else {
            throw ValidationError("\(option) takes task counts like 10,100,1000 (got '\(part)')")
        }
        guard (1...maximum).contains(size) else {
            throw ValidationError("\(option) \(size) is beyond what a sweep can take: each size must be 1...\(maximum)")
        }
        return size
    }
}

/// Measures each strategy at each size, smallest size first; `record` gets every run as it ends. A strategy is
/// not run at a size its previous size predicts to pass the limit (`Sweep.skipReason`); a signal stops the sweep.
func measureSweep(workload: WorkloadKind, sizes: [Int], strategies: [StrategyKind], workers: Int?,
                  options: [String], traceDir: String, limitSeconds: Double, progress: inout Progress,
                  record: (SweepResults.Run) throws -> Void) throws {
    var last: [StrategyKind: SweepResults.Run] = [:]
    for size in sizes.sorted() {
        for strategy in strategies {
            guard ChildRun.stopSignal == nil else { return }
            progress.begin("\(workload.rawValue)/\(strategy.rawValue) × \(size)")
            let run: SweepResults.Run
            if let reason = ConcTrace.Sweep.skipReason(last[strategy], size: size, limit: limitSeconds) {
                var skipped = SweepResults.Run(strategy: strategy.rawValue, tasks: size, status: .skipped, exitCode: 0)
                skipped.error = reason
                run = skipped
            } else {
                let request = MeasuredRun(
                    workload: workload, strategy: strategy, tasks: size, workers: workers, options: options,
                    tracePath: "\(traceDir)/\(workload.rawValue)-\(strategy.rawValue)-\(size).json")
                run = request.measure(limitSeconds: limitSeconds)
            }
            last[strategy] = run
            try record(run)
        }
    }
}

/// Writes a sweep's results file whole.
func save(_ results: SweepResults, to path: String) throws {
    try writeTextFile(results.jsonText() + "\n", to: path)
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
