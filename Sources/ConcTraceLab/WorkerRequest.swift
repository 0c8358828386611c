#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads
import ConcTraceWriter

/// What a worker process of `--strategy processes` is asked to do, and the command line that asks it: the one place
/// that knows the hidden `conctrace worker` command's arguments (the CLI only registers the command and hands its
/// arguments here).
///
/// ```
///   conctrace worker --number N --parent-pid P --workload cpu --tasks T [workload options] [--event-log-fd 3]
///   conctrace worker --parent-pid P --echo                   (the processes case of `bench switch`)
/// ```
public struct WorkerRequest: Sendable, Equatable {
    /// The worker's number in the pool (its process name in the trace).
    public var number: Int
    /// The parent's pid: the worker ends when the parent does.
    public var parentPID: Int32?
    /// The workload; its pages are a server's base URL or a URL file (a worker never starts a server).
    public var workload: WorkloadSpec
    /// The descriptor the worker writes its event log to; nil to record nothing.
    public var eventLog: Int32?
    /// Echo stdin to stdout instead of serving tasks.
    public var echo: Bool

    /// The worker's command line after the executable.
    public var arguments: [String] {
        var arguments = ["worker", "--number", String(number)]
        if let parentPID { arguments += ["--parent-pid", String(parentPID)] }
        if echo { return arguments + ["--echo"] }
        arguments += ["--workload", workload.kind.rawValue, "--tasks", String(workload.taskCount)]
        arguments += workload.optionArguments
        if let eventLog { arguments += ["--event-log-fd", String(eventLog)] }
        return arguments
    }

    /// Reads a worker's command line (what follows `worker`).
    /// - Throws: `LabError.usage` naming the first argument that is wrong.
    public init(parsing arguments: [String]) throws(LabError) {
        var number = 1
        var parentPID: Int32?
        var spec = WorkloadSpec(kind: .cpu)
        var eventLog: Int32?
        var echo = false
        var kind: WorkloadKind?
        var remaining = arguments[...]
        func value(_ option: String) throws(LabError) -> String {
            guard let value = remaining.popFirst() else { throw LabError(.usage, "worker: \(option) needs a value") }
            return value
        }
        func integer(_ option: String) throws(LabError) -> Int {
            let text = try value(option)
            guard let number = Int(text) else { throw LabError(.usage, "worker: \(option) takes a number (got '\(text)')") }
            return number
        }
        while let option = remaining.popFirst() {
            switch option {
            case "--number": number = try integer(option)
            case "--parent-pid": parentPID = Int32(clamping: try integer(option))
            case "--workload":
                let text = try value(option)
                guard let parsed = WorkloadKind(rawValue: text) else {
                    throw LabError(.usage, "worker: unknown workload '\(text)'")
                }
                kind = parsed
            case "--tasks": spec.tasks = try integer(option)
            case "--base": spec.base = try integer(option)
            case "--sleep-ms":
                let text = try value(option)
                guard let ms = Double(text), ms >= 0 else { throw LabError(.usage, "worker: bad --sleep-ms '\(text)'") }
                spec.sleepMilliseconds = ms
            case "--steps": spec.steps = try integer(option)
            case "--server": spec.pages = .server(try value(option))
            case "--urls": spec.pages = .urls(path: try value(option))
            case "--timeout-ms": spec.timeoutMilliseconds = try integer(option)
            case "--event-log-fd": eventLog = Int32(clamping: try integer(option))
            case "--echo": echo = true
            default: throw LabError(.usage, "worker: unknown argument '\(option)'")
            }
        }
        if !echo {
            guard let kind else { throw LabError(.usage, "worker: --workload is required") }
            spec.kind = kind
            guard let tasks = spec.tasks, tasks > 0 else { throw LabError(.usage, "worker: --tasks must be at least 1") }
            guard spec.steps > 0, spec.base >= 0, spec.base <= CPUWorkload.maximumN - tasks,
                  spec.timeoutMilliseconds > 0 else {
                throw LabError(.usage, "worker: a workload parameter is out of range")
            }
            if kind == .download, case .embedded = spec.pages {
                throw LabError(.usage, "worker: download needs --urls or --server")
            }
        }
        self.init(number: number, parentPID: parentPID, workload: spec, eventLog: eventLog, echo: echo)
    }

    /// Makes a request.
    public init(number: Int, parentPID: Int32?, workload: WorkloadSpec, eventLog: Int32?, echo: Bool = false) {
        self.number = number
        self.parentPID = parentPID
        self.workload = workload
        self.eventLog = eventLog
        self.echo = echo
    }

    /// How a processes run starts its workers: `executable` (this one), `worker` and the run's workload, as argv.
    public static func launch(workload: WorkloadSpec, recordsEvents: Bool,
                              executable: String = Machine.executablePath) -> ProcessWorkerLaunch {
        let parent = getpid()
        return ProcessWorkerLaunch(executable: executable, recordsEvents: recordsEvents) { number, log in
            WorkerRequest(number: number, parentPID: parent, workload: workload, eventLog: log).arguments
        }
    }

    /// How `bench switch` starts its echoing worker.
    public static func echoLaunch() -> ProcessWorkerLaunch {
        let parent = getpid()
        return ProcessWorkerLaunch(executable: Machine.executablePath, recordsEvents: false) { number, _ in
            WorkerRequest(number: number, parentPID: parent, workload: WorkloadSpec(kind: .cpu), eventLog: nil,
                          echo: true).arguments
        }
    }

    /// Serves: reads tasks from stdin until it closes, runs each, answers on stdout, and records into the event log.
    /// - Throws: `LabError` when the pages cannot be opened or the event log cannot be written.
    public func serve() throws(LabError) {
        // Never outlive the parent, whatever ends it: a worker left behind would hold its tasks' files open.
        if let parentPID { ProcessSpawn.endWithParent(parentPID) }
        if echo {
            ProcessWorker.echo()
            return
        }
        let pages = workload.kind == .download ? try OpenPages.open(workload.pages, count: workload.taskCount) : nil
        let work = workload.makeWorkload(pages: pages)
        let recorder: Recorder
        if let eventLog {
            do {
                recorder = Recorder(sink: try EventLogSink(descriptor: FileDescriptor(rawValue: eventLog)))
            } catch {
                throw LabError(.ioError, "worker \(number): cannot write its event log: \(error)")
            }
        } else {
            recorder = Recorder(configuration: .init(enabled: false), sink: nil)
        }
        let lane = recorder.makeLane(name: "worker \(number)")
        ProcessWorker.serve(work, lane: lane, cancellation: Cancellation())
        recorder.finish()
    }
}
