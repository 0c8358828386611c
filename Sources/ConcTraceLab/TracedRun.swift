#if canImport(Glibc)
import Glibc
#endif
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads
import ConcTraceWriter

/// One run of a workload under a strategy, recorded into a Chrome trace: what `conctrace run` does.
///
/// ```
///   RunRequest ──▶ pages (download) ──▶ workload ──▶ strategy ──▶ Recorder ──ChromeTraceWriter──▶ trace
///                                                      │ processes: worker event logs ──merge──▶ trace
///                                                      ▼
///                                                 RunSummary
/// ```
public struct RunRequest: Sendable {
    public var workload: WorkloadSpec
    public var strategy: StrategyKind
    /// Workers asked for; nil for the strategy's default.
    public var workers: Int?
    /// Where the trace goes; nil to record nothing.
    public var tracePath: String?
    /// The command line, for the trace's metadata.
    public var commandLine: String
    /// The executable `processes` starts as its workers (this one, unless a test says otherwise).
    public var workerExecutable = Machine.executablePath

    /// Makes a request.
    public init(workload: WorkloadSpec, strategy: StrategyKind, workers: Int?, tracePath: String?, commandLine: String) {
        self.workload = workload
        self.strategy = strategy
        self.workers = workers
        self.tracePath = tracePath
        self.commandLine = commandLine
    }

    /// The default trace path: `traces/<workload>-<strategy>.json`.
    public static func defaultTracePath(workload: WorkloadKind, strategy: StrategyKind) -> String {
        "traces/\(workload.rawValue)-\(strategy.rawValue).json"
    }

    /// A note when `workers` is given to a strategy that runs on one thread (and is ignored), else nil.
    public var ignoredWorkersNote: String? {
        guard let workers, strategy == .sequential || strategy == .eventloop else { return nil }
        return "note: \(strategy.rawValue) runs on 1 thread; --workers \(workers) is ignored"
    }
}

/// What a run ended with.
public struct RunOutcome: Sendable {
    /// Its figures.
    public var summary: RunSummary
    /// The signal that interrupted it (its running tasks were cancelled), if one did.
    public var interruptedBy: Int32?
}

/// Carries out `RunRequest`s.
public enum TracedRun {
    /// Runs `request` in this process, with `session` watching for signals; `log` (when given) hears what the run
    /// does as it does it, a line at a time: its start, and each worker process's start, hand-offs and end.
    /// - Throws: `LabError`: the trace cannot be created (`cannotCreateOutput`) or written (`ioError`; what was
    ///   written is kept and loads), workers cannot start (`cannotStartWorkers`), a download's pages cannot be
    ///   opened (`noInput`, `dataError`, `cannotListen`).
    public static func execute(_ request: RunRequest, session: RunSession,
                               log: (@Sendable (String) -> Void)? = nil) throws(LabError) -> RunOutcome {
        // Past a file-size limit, writes fail with EFBIG like a full disk: report it rather than die of SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let spec = request.workload
        let pages = spec.kind == .download ? try OpenPages.open(spec.pages, count: spec.taskCount) : nil
        // At the end, and on Ctrl-C (which makes the transfers still waiting on it end at once).
        defer { pages?.server?.shutdown() }
        if let server = pages?.server { session.attach(server: server) }
        if spec.kind == .download { Machine.raiseOpenFileLimit() }
        let workload = spec.makeWorkload(pages: pages)
        var workerSpec = spec
        if let pages { workerSpec.pages = pages.sharedSource(of: spec.pages) }
        workerSpec.tasks = workload.taskCount
        let observer: (@Sendable (ProcessPoolLog.Event) -> Void)? = if let log {
            { event in log(describe(event)) }
        } else {
            nil
        }
        let processLog = ProcessPoolLog(observer: observer)
        let launch = request.strategy == .processes
            ? WorkerRequest.launch(workload: workerSpec, recordsEvents: request.tracePath != nil,
                                   executable: request.workerExecutable) : nil
        let strategy = makeStrategy(request.strategy, workers: request.workers, tasks: workload.taskCount,
                                    launch: launch, processLog: processLog)

        let recorder: Recorder
        if let tracePath = request.tracePath {
            let calibration = RecordCost.calibrate()
            let metadata = runMetadata(workload: workload, strategy: strategy, commandLine: request.commandLine,
                                       nsPerEvent: calibration)
            do {
                try createParentFolders(of: tracePath)
            } catch {
                throw LabError(.cannotCreateOutput, "cannot create the folder for \(tracePath): \(error)")
            }
            let writer: ChromeTraceWriter
            do {
                writer = try ChromeTraceWriter(
                    path: tracePath, processID: UInt32(truncatingIfNeeded: getpid()),
                    processName: "conctrace \(workload.name)/\(strategy.kind.rawValue)", metadata: metadata)
            } catch {
                throw traceOutputFailure(error)
            }
            recorder = Recorder(sink: writer, nsPerEvent: calibration)
        } else {
            recorder = Recorder(configuration: .init(enabled: false), sink: nil)
        }
        session.attach(recorder: recorder, tracePath: request.tracePath)
        if request.strategy == .processes { session.attach(processLog: processLog) }
        defer { processLog.closeEventLogs() }
        let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"),
                                 cancellation: session.cancellation)

        log?("running \(workload.name)/\(strategy.kind.rawValue): \(workload.taskCount) tasks on " +
             "\(strategy.workers) worker(s)" + (request.tracePath.map { ", recording into \($0)" } ?? ", not recorded") +
             "; Ctrl-C stops it and keeps the trace")
        let result: RunResult
        do {
            result = try strategy.run(workload, in: context)
        } catch {
            recorder.finish()
            throw LabError(.cannotStartWorkers, "\(error)")
        }
        guard session.beginExit() else { session.waitForever() }
        let stats = recorder.finish()
        if let failure = recorder.sinkFailure, let tracePath = request.tracePath {
            throw LabError(.ioError, "\(failure); the trace up to that point is kept in \(tracePath) and still loads")
        }
        if request.strategy == .processes, let tracePath = request.tracePath {
            do {
                try merge(processLog, into: tracePath)
            } catch {
                throw LabError(.ioError, "merging the workers' traces into \(tracePath) failed: \(error)")
            }
        }
        let summary = RunSummary(
            workload: workload.name, strategy: strategy.kind.rawValue, tasks: workload.taskCount, done: result.done,
            failed: result.failed, cancelled: result.cancelled,
            bytes: result.outcomes.reduce(0) { $0 + ($1?.bytes ?? 0) }, countsBytes: spec.kind == .download,
            workers: result.workers, wallSeconds: result.wallSeconds, trace: request.tracePath,
            events: Int(stats.events), dropped: Int(stats.dropped), nsPerEvent: stats.nsPerEvent,
            // The run's own process, plus its worker processes under --strategy processes.
            peakResidentBytes: peakResidentBytes().map { $0 + processLog.workersPeakResidentBytes })
        return RunOutcome(summary: withFailures(summary), interruptedBy: session.receivedSignal)
    }

    /// `summary` with its failed tasks grouped by error, read back from its trace (the messages are recorded there,
    /// not kept by the strategies); unchanged when no task failed or there is no trace.
    static func withFailures(_ summary: RunSummary) -> RunSummary {
        guard summary.failed > 0, let trace = summary.trace, let failures = try? FailedTasks.read(path: trace) else {
            return summary
        }
        var grouped = summary
        grouped.failures = failures.byCount
        return grouped
    }

    /// A worker process's event as a line of the run's log.
    private static func describe(_ event: ProcessPoolLog.Event) -> String {
        switch event {
        case .started(let number, let pid): "worker \(number) (pid \(pid)) started"
        case .ready(let number, let pid): "worker \(number) (pid \(pid)) ready"
        case .handedOut(let index, let number, let pid): "task \(index) to worker \(number) (pid \(pid))"
        case .ended(let number, let pid, let exit): "worker \(number) (pid \(pid)) ended: \(exit)"
        }
    }

    /// Merges the event logs of a processes run's workers into its finished trace (`ProcessTraceMerge`).
    static func merge(_ log: ProcessPoolLog, into tracePath: String) throws(ProcessTraceMerge.MergeError) {
        let ends = Dictionary(log.workers.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        let workers = log.spawns.map { spawn in
            let end = ends[spawn.pid]
            return ProcessTraceMerge.Worker(
                number: spawn.number, pid: spawn.pid, spawnStarted: spawn.started, spawnEnded: spawn.ended,
                eventLog: spawn.eventLog, ended: end?.ended,
                usage: end?.usage.map {
                    ProcessTraceMerge.ProcessUsage(
                        userMicroseconds: $0.user, systemMicroseconds: $0.system, voluntarySwitches: $0.voluntary,
                        involuntarySwitches: $0.involuntary, peakResidentBytes: $0.peakResidentBytes)
                })
        }
        let handoffs = log.handoffs.map {
            ProcessTraceMerge.Handoff(task: $0.task, readyAt: $0.spawned, dispatchedAt: $0.dispatched,
                                      workerPID: $0.workerPID, workerThread: $0.workerThread, startedAt: $0.started)
        }
        try ProcessTraceMerge.merge(into: tracePath, parentPID: UInt32(truncatingIfNeeded: getpid()),
                                    workers: workers, handoffs: handoffs)
    }

    /// The `conctrace.run` metadata of a run.
    static func runMetadata(workload: any Workload, strategy: any Strategy, commandLine: String, nsPerEvent: Double)
        -> RunMetadata
    {
        var metadata = RunMetadata()
        metadata.set(.tool, .string("conctrace"))
        metadata.set(.version, .string(Lab.version))
        metadata.set(.workload, .string(workload.name))
        metadata.set(.strategy, .string(strategy.kind.rawValue))
        metadata.set(.tasks, .int(Int64(workload.taskCount)))
        metadata.set(.workers, .int(Int64(strategy.workers)))
        for (key, value) in workload.parameters { metadata.set(key, TraceValue(value)) }
        metadata.set(.host, .string(Machine.hostName))
        metadata.set(.cores, .int(Int64(Machine.cores)))
        metadata.set(.pid, .int(Int64(getpid())))
        metadata.set(.clock, .string("CLOCK_MONOTONIC"))
        metadata.set(.startMonotonicNanoseconds, .int(Int64(MonotonicClock.now())))
        metadata.set(.startUnixNanoseconds, .int(Int64(MonotonicClock.wallNow())))
        metadata.set(.nsPerEvent, .double((nsPerEvent * 10).rounded() / 10))
        metadata.set(.command, .string(commandLine))
        return metadata
    }

    /// The one-line failure for a trace file that cannot be written.
    static func traceOutputFailure(_ error: OutputError) -> LabError {
        switch error {
        case .cannotCreate(let path, let cause):
            LabError(.cannotCreateOutput, "cannot create trace \(path): \(cause); choose a writable --out")
        case .refused(let path, let reason):
            LabError(.cannotCreateOutput, "will not write the trace to \(path): \(reason); choose another --out")
        case .writeFailed:
            LabError(.ioError, "\(error)")
        }
    }
}

extension TraceValue {
    /// A task annotation or workload parameter as a trace value.
    init(_ value: AnnotationValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        }
    }
}
