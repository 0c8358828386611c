import ArgumentParser
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceWorkloads

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    /// A worker process of `--strategy processes` (hidden): serves tasks read from stdin, answers on stdout, and
    /// records them in its own trace, which the parent merges into the run's.
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve tasks for --strategy processes over stdin/stdout (started by conctrace run).",
            shouldDisplay: false
        )

        @Option(help: "This worker's number in the pool (its process name in the trace).")
        var number: Int

        @Option(help: "The workload: cpu, sleep or download.")
        var workload: WorkloadKind

        @Option(help: "The run's task count.")
        var tasks: Int

        @OptionGroup
        var parameters: WorkloadParameters

        @OptionGroup(title: "Download options")
        var download: DownloadOptions

        @Option(help: "Where to write this worker's trace (none when omitted).")
        var trace: String?

        @Flag(help: "Echo every byte of stdin to stdout instead (the processes case of 'conctrace bench switch').")
        var echo = false

        func validate() throws {
            if tasks <= 0 { throw ValidationError("worker: --tasks must be at least 1") }
            try parameters.validate(tasks: tasks)
            try download.validate(for: workload)
            // The parent's embedded server is passed as --server: a worker never starts one of its own.
            if workload == .download, download.urls == nil, download.server == nil {
                throw ValidationError("worker: download needs --urls or --server")
            }
        }

        func run() throws {
            if echo {
                ProcessWorker.echo()
                return
            }
            let work: any Workload
            if workload == .download {
                do {
                    let pages = try download.pageSource(pages: tasks)
                    work = DownloadWorkload(urls: pages.urls, tasks: tasks,
                                            timeoutMilliseconds: download.timeoutMilliseconds,
                                            source: pages.description)
                } catch let failure as CLIFailure {
                    printError("worker \(number): \(failure.message)")
                    throw failure.status.exitCode
                }
            } else {
                work = parameters.makeWorkload(workload, tasks: tasks)
            }
            let recorder: Recorder
            if let trace {
                var metadata = RunMetadata()
                metadata.set("tool", .string("conctrace"))
                metadata.set("role", .string("worker"))
                metadata.set("worker", .int(Int64(number)))
                metadata.set("pid", .int(Int64(getpid())))
                metadata.set("parent_pid", .int(Int64(getppid())))
                metadata.set("clock", .string("CLOCK_MONOTONIC"))
                metadata.set("start_monotonic_ns", .int(Int64(MonotonicClock.now())))
                let writer = try ChromeTraceWriter(
                    path: trace, processID: UInt32(truncatingIfNeeded: getpid()),
                    processName: "conctrace worker \(number)", metadata: metadata)
                recorder = Recorder(sink: writer)
            } else {
                recorder = Recorder(configuration: .init(enabled: false), sink: nil)
            }
            let lane = recorder.makeLane(name: "worker \(number)")
            ProcessWorker.serve(work, lane: lane, cancellation: Cancellation())
            _ = recorder.finish()
        }
    }
}
