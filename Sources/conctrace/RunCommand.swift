import ArgumentParser
import ConcTraceLab
import ConcTraceStrategies
import ConcTraceWorkloads

#if canImport(Glibc)
import Glibc
#endif

extension WorkloadKind: ExpressibleByArgument {}
extension StrategyKind: ExpressibleByArgument {}

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ConcTrace {
    struct Run: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Run a workload under a strategy, record every task's life, and write a Chrome trace.",
            discussion: """
                Prints one line (or one JSON object with --format json) and writes the trace to \
                traces/<workload>-<strategy>.json unless --out or --no-trace says otherwise. Open the trace in \
                https://ui.perfetto.dev or chrome://tracing.
                """
        )

        @Option(help: """
            What each task does: cpu (the tutorial's sum of squares), sleep (pure waiting) or download (fetch a \
            page with libcurl).
            """)
        var workload: WorkloadKind = .cpu

        @Option(help: """
            How tasks run: sequential (one after another), threads (a pool of OS threads), async (Swift tasks on \
            a pool), eventloop (one thread, like asyncio) or processes (a pool of worker processes).
            """)
        var strategy: StrategyKind = .threads

        @Option(help: """
            Number of tasks (default: 20 for cpu, as in the tutorial; 100 for sleep; for download 15, the \
            tutorial's pages, or one per URL of --urls).
            """)
        var tasks: Int?

        @Option(help: """
            Workers: threads for threads (default: min(tasks, 64)) and async (default: one per core); worker \
            processes for processes (default: one per core, but no more than the tasks; at most 1024).
            """)
        var workers: Int?

        @OptionGroup
        var parameters: WorkloadParameters

        @Option(help: "Where to write the trace (default: traces/<workload>-<strategy>.json).")
        var out: String?

        @Flag(help: "Record nothing and write no trace (to measure the recorder's overhead).")
        var noTrace = false

        @Option(help: "Output: text (one line) or json (one object).")
        var format: OutputFormat = .text

        @Flag(name: .shortAndLong, help: """
            Say on stderr what the run does as it does it: its start (after which Ctrl-C keeps the trace) and, \
            with processes, each worker's start, each hand-off and each worker's end.
            """)
        var verbose = false

        @OptionGroup(title: "Download options")
        var download: DownloadOptions

        func validate() throws {
            if let tasks, tasks <= 0 { throw ValidationError("--tasks must be at least 1 (got \(tasks))") }
            if let tasks, tasks > 10_000_000 { throw ValidationError("--tasks must be at most 10000000 (got \(tasks))") }
            if let workers, workers <= 0 { throw ValidationError("--workers must be at least 1 (got \(workers))") }
            if let workers, workers > 10_000 { throw ValidationError("--workers must be at most 10000 (got \(workers))") }
            if strategy == .processes, let workers, workers > ProcessPoolStrategy.maximumWorkers {
                throw ValidationError("--strategy processes takes at most \(ProcessPoolStrategy.maximumWorkers) worker " +
                                      "processes (got --workers \(workers)): each is a whole conctrace process")
            }
            try parameters.validate(tasks: tasks ?? WorkloadSpec.defaultTasks(workload))
            if noTrace, out != nil { throw ValidationError("--out and --no-trace contradict each other") }
            try download.validate(for: workload)
        }

        func run() throws {
            let session = RunSession { message, signal in
                printError(message)
                Glibc.exit(ExitStatus.forSignal(signal).rawValue)
            }
            session.watchSignals()
            let request = RunRequest(
                workload: download.apply(to: parameters.spec(workload, tasks: tasks)), strategy: strategy,
                workers: workers,
                tracePath: noTrace ? nil : (out ?? RunRequest.defaultTracePath(workload: workload, strategy: strategy)),
                commandLine: CommandLine.arguments.joined(separator: " "))
            if let note = request.ignoredWorkersNote { printNote(note) }
            try reportingFailures {
                var log: (@Sendable (String) -> Void)?
                if verbose { log = { line in printNote(line) } }
                let outcome = try TracedRun.execute(request, session: session, log: log)
                let summary = outcome.summary
                printLine(format == .json ? summary.jsonText : summary.text)
                if let signal = outcome.interruptedBy {
                    printError("interrupted; \(summary.cancelled) task(s) cancelled" +
                               (summary.trace.map { "; trace so far in \($0)" } ?? ""))
                    throw ExitStatus.forSignal(signal).exitCode
                }
                if summary.failed > 0 { throw ExitStatus.partialFailure.exitCode }
            }
        }
    }
}
