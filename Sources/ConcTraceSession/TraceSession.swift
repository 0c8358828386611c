#if canImport(Glibc)
import Glibc
#endif
import CConcTraceHooks
@_exported import ConcTraceExecutors
import ConcTraceFormat
@_exported import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWriter

/// Records a program's own tasks into a Chrome trace, from inside the program: what `conctrace record` does to a
/// program it starts, as a library.
///
/// ```swift
/// import ConcTraceSession
///
/// let session = try TraceSession.start(writingTo: "traces/mine.json")
/// try session.installGlobalExecutor()          // every task on the global executor, recorded
/// await withTaskGroup(of: Void.self) { group in ... }
/// let summary = try session.finish()           // the trace is complete
/// ```
///
/// What a session records, each on the same lifecycle model as `conctrace run` (docs/trace-format.md):
/// - the program's tasks on the global executor, once `installGlobalExecutor` has replaced it with conctrace's
///   instrumented pool (the same hooks `conctrace record` installs);
/// - the tasks run on a pool or an event loop the session made (`makeWorkerPool`, `makeEventLoop`), with
///   `withTaskExecutorPreference` or `Task(executorPreference:)`;
/// - work on plain threads, through `recordThreadWork`.
///
/// The trace is written as the program runs (a cut trace loads up to the cut); `finish` completes it.
public final class TraceSession: Sendable {
    /// How a session describes its program in the trace.
    public struct Options: Sendable {
        /// The process track's name (default: the executable's name).
        public var processName: String
        /// The command line written into the trace's metadata (default: this process's).
        public var commandLine: String
        /// The `strategy` of the trace's metadata: how the program was recorded.
        public var strategy: String
        /// conctrace's version, for the metadata.
        public var version: String

        /// Makes options; every default describes this process.
        public init(processName: String? = nil, commandLine: String? = nil, strategy: String = "library",
                    version: String = TraceSession.version) {
            self.processName = processName ?? TraceSession.executableName
            self.commandLine = commandLine ?? CommandLine.arguments.joined(separator: " ")
            self.strategy = strategy
            self.version = version
        }
    }

    /// conctrace's version (the same as `conctrace --version` says).
    public static let version = "0.1.0"

    /// The trace's path.
    public let path: String
    /// The options it was started with.
    public let options: Options
    let recorder: Recorder
    let foreignTasks: ForeignTasks
    private let globalPool = Locked<WorkerPool?>(nil)
    private let summary = Locked<TraceSummary?>(nil)
    private let startedAt: UInt64

    /// Starts recording into `path` (created, or truncated if it is a regular file; never a link or a folder).
    /// - Throws: `TraceSessionError.cannotCreateTrace`.
    public static func start(writingTo path: String, options: Options = Options()) throws(TraceSessionError)
        -> TraceSession
    {
        try TraceSession(path: path, options: options)
    }

    private convenience init(path: String, options: Options) throws(TraceSessionError) {
        let startedAt = MonotonicClock.now()
        let calibration = RecordCost.calibrate()
        let writer: ChromeTraceWriter
        do {
            writer = try ChromeTraceWriter(
                path: path, processID: UInt32(truncatingIfNeeded: getpid()), processName: options.processName,
                metadata: Self.metadata(options, nsPerEvent: calibration, startedAt: startedAt))
        } catch {
            throw .cannotCreateTrace(error)
        }
        self.init(path: path, options: options, sink: writer, nsPerEvent: calibration, startedAt: startedAt)
    }

    /// A session recording into `sink` (`conctrace record`'s tracer: an event log that `record` turns into the
    /// trace).
    init(path: String, options: Options, sink: sending any TraceSink, nsPerEvent: Double, startedAt: UInt64) {
        self.path = path
        self.options = options
        self.startedAt = startedAt
        recorder = Recorder(sink: sink, nsPerEvent: nsPerEvent)
        // The first lane is the trace's thread 1, where process-level events sit: the thread that starts recording.
        recorder.bindCurrentThread(to: recorder.makeLane(name: ThreadNames.current))
        foreignTasks = ForeignTasks(recorder: recorder, creations: Self.takeCreation)
    }

    /// The recorder's calibrated cost per event, in nanoseconds.
    var nsPerEvent: Double { recorder.nsPerEvent }

    /// The pool that runs the program's global executor jobs, once installed.
    var installedPool: WorkerPool? { globalPool.withLock { $0 } }

    // MARK: Executors

    /// Replaces Swift's global executor with conctrace's instrumented pool for the rest of the process: every
    /// job the runtime gives the global executor (tasks not bound to an actor or an executor preference) runs on
    /// the pool's `workers` threads and is recorded. Call it once, before the work to record starts.
    /// - Parameter workers: pool threads (default: one per core, as the runtime's own pool).
    /// - Throws: `TraceSessionError.globalExecutorUnavailable` when the runtime has no hooks or another global
    ///   executor (SwiftNIO's, another session's) holds them; `.cannotStartThreads`.
    public func installGlobalExecutor(workers: Int? = nil) throws(TraceSessionError) {
        let pool = try makeWorkerPool(workers: workers ?? Machine.cores)
        try globalPool.withLock { installed throws(TraceSessionError) in
            guard installed == nil else { throw .globalExecutorUnavailable("this session installed it already") }
            try GlobalExecutorHook.install(pool, main: RecordingMainExecutor(foreignTasks: foreignTasks))
            installed = pool
        }
    }

    /// A pool of `workers` threads as a `TaskExecutor` that records every task it runs (with
    /// `withTaskExecutorPreference(pool)` or `Task(executorPreference: pool)`), and its threads.
    /// - Throws: `TraceSessionError.cannotStartThreads`.
    public func makeWorkerPool(workers: Int) throws(TraceSessionError) -> WorkerPool {
        precondition(workers > 0, "a pool needs a worker")
        do {
            return try WorkerPool(workers: workers, recorder: recorder, foreignTasks: foreignTasks)
        } catch {
            throw .cannotStartThreads("\(error)")
        }
    }

    /// A started event loop (one thread, like asyncio's) as a `TaskExecutor` that records every task it runs.
    /// Stop it with `stop()` when its tasks are done.
    /// - Parameter name: its thread's name in the trace.
    /// - Throws: `TraceSessionError.cannotStartThreads`.
    public func makeEventLoop(name: String = "eventloop") throws(TraceSessionError) -> EventLoop {
        do {
            let loop = try EventLoop(recorder: recorder, name: name, foreignTasks: foreignTasks)
            try loop.start()
            return loop
        } catch {
            throw .cannotStartThreads("\(error)")
        }
    }

    // MARK: Finishing

    /// Ends the recording and completes the trace: the program's tasks never made ready after their last slice
    /// end there (marked inferred), the recorder's last events and final statistics are written, and the file is
    /// closed. The global executor goes back to the runtime's. Idempotent: later calls return the same summary.
    ///
    /// Stop the pools and loops the session made first (`stop()`): a slice still ending on one of their threads
    /// when the trace closes is lost (counted in the statistics).
    /// - Throws: `TraceSessionError.writeFailed` when the trace could not be written (what was written is kept).
    @discardableResult
    public func finish() throws(TraceSessionError) -> TraceSummary {
        try finish(processEnds: false)
    }

    /// `finish()`; with `processEnds` (the process is exiting), the tasks still running end now, inferred.
    func finish(processEnds: Bool) throws(TraceSessionError) -> TraceSummary {
        let result = summary.withLock { done -> TraceSummary in
            if let done { return done }
            // New global jobs go to the runtime's executor; the pool's threads stay, for jobs still bound to them.
            if installedPool != nil, !processEnds { GlobalExecutorHook.uninstall() }
            let lane = recorder.laneForCurrentThread(name: ThreadNames.current)
            let (seen, ended) = foreignTasks.finish(on: lane, processEnds: processEnds)
            let stats = recorder.finish()
            let made = TraceSummary(
                path: path, tasks: seen, ended: ended, events: Int(stats.events), dropped: Int(stats.dropped),
                nsPerEvent: stats.nsPerEvent, seconds: Double(MonotonicClock.now() &- startedAt) / 1e9,
                failure: recorder.sinkFailure.map { "\($0)" })
            done = made
            return made
        }
        if let failure = result.failure { throw .writeFailed(failure) }
        return result
    }

    // MARK: Pieces

    /// The trace's `conctrace.run` metadata for a recorded program.
    private static func metadata(_ options: Options, nsPerEvent: Double, startedAt: UInt64) -> RunMetadata {
        var metadata = RunMetadata()
        metadata.set(.tool, .string("conctrace"))
        metadata.set(.version, .string(options.version))
        metadata.set(.workload, .string(options.processName))
        metadata.set(.strategy, .string(options.strategy))
        metadata.set(.host, .string(Machine.hostName))
        metadata.set(.cores, .int(Int64(Machine.cores)))
        metadata.set(.pid, .int(Int64(getpid())))
        metadata.set(.clock, .string("CLOCK_MONOTONIC"))
        metadata.set(.startMonotonicNanoseconds, .int(Int64(startedAt)))
        metadata.set(.startUnixNanoseconds, .int(Int64(MonotonicClock.wallNow())))
        metadata.set(.nsPerEvent, .double((nsPerEvent * 10).rounded() / 10))
        metadata.set(.command, .string(options.commandLine))
        return metadata
    }

    /// What the program said about the task it is creating on this thread (the interposed `swift_task_create`).
    @Sendable private static func takeCreation() -> TaskCreation? {
        var creation = ct_creation()
        guard ct_creation_take(&creation) else { return nil }
        // Flag bit 8: a child task; bit 11: inherits its creator's context (Task {}); neither: Task.detached.
        let detached = creation.flags & (1 << 8 | 1 << 11) == 0
        return TaskCreation(name: creation.name.map { String(cString: $0) }, creator: creation.creator,
                            isDetached: detached)
    }

    /// This executable's file name.
    static var executableName: String {
        let path = Machine.executablePath
        return path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// What a finished session recorded.
public struct TraceSummary: Sendable, Equatable {
    /// The trace's path.
    public var path: String
    /// The program's tasks met.
    public var tasks: Int
    /// Those whose end was recorded (inferred: never made ready after their last slice).
    public var ended: Int
    /// Events recorded.
    public var events: Int
    /// Events dropped (a full buffer).
    public var dropped: Int
    /// The recorder's calibrated cost per event, in nanoseconds.
    public var nsPerEvent: Double
    /// From the session's start to its finish.
    public var seconds: Double
    /// Why the trace could not be written in full, if it could not.
    public var failure: String?
}
