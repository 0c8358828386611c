import ArgumentParser
import ConcTraceLab
import ConcTraceSystem
import ConcTraceWorkloads

extension ConcTrace {
    struct Advise: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Run the candidate strategies briefly on your workload and answer: use X, with the reasons.",
            discussion: """
                Each strategy runs the same work once, as 'conctrace run' in a child process, traced and \
                analyzed (docs/metrics.md). The fastest wins; within 10% the one with the least memory (then the \
                lowest p99 latency). The answer says how it compares with the tutorial's rule (slow I/O: an event \
                loop; fast I/O and few tasks: threads; CPU-bound: processes) and where Swift differs from Python. \
                Exit codes: 0 an answer; 3 no strategy finished the work; 64 bad arguments; 130/143 interrupted.
                """
        )

        @Option(help: "The workload: cpu, sleep or download.")
        var workload: WorkloadKind

        @Option(help: "Tasks per run (default: 20 for cpu, 100 for sleep, 15 for download: the tutorial's).")
        var tasks: Int?

        @OptionGroup
        var runs: MeasuredRunOptions

        @Option(help: "Keep the runs' traces in this folder (default: a temporary folder, removed).")
        var traceDir: String?

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
                var progress = Progress(total: strategies.count, verbose: runs.verbose)
                let request = AdviseRequest(workload: runs.workload(workload, tasks: tasks), strategies: strategies,
                                            workers: runs.workers, limitSeconds: runs.limitS, traceFolder: traceDir)
                let outcome = try ConcTraceLab.Advise.run(request) { progress.begin($0) }
                progress.clear()
                if let signal = ChildRun.stopSignal {
                    printError("interrupted before every candidate ran; no advice")
                    throw ExitStatus.forSignal(signal).exitCode
                }
                printLine("\(workload.rawValue), \(request.workload.taskCount) tasks, \(Machine.cores) cores:")
                printLine(SweepTable(outcome.results).text)
                printLine("")
                printLine(outcome.advice.text)
                if let traceDir { printLine("traces: \(traceDir)/") }
                if outcome.advice.choice == nil { throw ExitStatus.partialFailure.exitCode }
            }
        }
    }
}
