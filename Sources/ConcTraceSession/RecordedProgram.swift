#if canImport(Glibc)
import Glibc
#endif
import CConcTraceHooks
import ConcTraceExecutors
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWriter
import Synchronization

/// The tracing runtime inside a program that `conctrace record` started: a recording of the whole process into the
/// event log `record` gave it, begun by the preload library at the program's first task, finished when the program
/// exits or is stopped by SIGINT or SIGTERM. `record` turns the log into the trace once the program has ended: the
/// program itself only appends fixed-size binary records (no JSON is made in it).
///
/// ```
///   preload library (first task) ──conctrace_record_start──▶ session + executor hooks, atexit, signals
///   exit(), or main returns ───────▶ finish: inferred ends, final statistics; `final` status line
///   SIGINT / SIGTERM (not handled by the program) ─▶ signal thread: finish, then die of the same signal
///   crash, _exit, SIGKILL ─────────▶ the log holds what was written (every few ms); no `final` line
/// ```
///
/// Nothing is printed on the program's own streams: everything `record` needs to hear comes on the status pipe.
final class RecordedProgram: Sendable {
    /// The program's recording, once started.
    static let current = Locked<RecordedProgram?>(nil)
    /// The write end of the signal pipe (a signal handler may only write to a descriptor).
    private static let signalWriteEnd = Atomic<Int32>(-1)

    let session: TraceSession
    private let status: FileDescriptor?

    private init(session: TraceSession, status: FileDescriptor?) {
        self.session = session
        self.status = status
    }

    /// Starts recording the process, as `configuration` (the channel's variables) says. Returns 0, or 1 when
    /// tracing could not start (said on the status pipe; the program runs on, untraced).
    static func start(configuration: [String: String]) -> Int32 {
        let status = configuration[RecordChannel.Variable.statusDescriptor.rawValue].flatMap { Int32($0) }
            .map { FileDescriptor(rawValue: $0) }
        func fail(_ message: String) -> Int32 {
            report(.error(message), to: status)
            return 1
        }
        guard let logDescriptor = configuration[RecordChannel.Variable.eventLog.rawValue].flatMap({ Int32($0) })
        else { return fail("no event log given") }
        let workers = configuration[RecordChannel.Variable.workers.rawValue].flatMap { Int($0) }
            .map { max(1, $0) } ?? Machine.cores
        let startedAt = MonotonicClock.now()
        let calibration = RecordCost.calibrate()
        let log: EventLogSink
        do {
            log = try EventLogSink(descriptor: FileDescriptor(rawValue: logDescriptor))
        } catch {
            return fail("cannot write the event log: \(error)")
        }
        // `record` writes the trace's head (it knows the command line); the program only appends events.
        let session = TraceSession(path: "", options: TraceSession.Options(strategy: "recorded"), sink: log,
                                   nsPerEvent: calibration, startedAt: startedAt)
        do {
            try session.installGlobalExecutor(workers: workers)
        } catch {
            _ = try? session.finish()
            return fail("\(error)")
        }
        let program = RecordedProgram(session: session, status: status)
        current.withLock { $0 = program }
        ct_hooks_on_unscheduled_creation { task in RecordedProgram.current.withLock { $0 }?.mainTaskCreated(task) }
        ct_hooks_on_main_drain { RecordedProgram.current.withLock { $0 }?.mainTaskSuspended() }
        atexit { RecordedProgram.current.withLock { $0 }?.finish(reason: "exit") }
        program.finishOnSignals()
        report(.tracing(pid: getpid(), nsPerEvent: calibration), to: status)
        return 0
    }

    // MARK: The async main's first slice

    /// The async main's task and its first slice, which the runtime runs at once on the main thread.
    private let mainTask = Locked<(record: TaskRecord, slice: UInt64)?>(nil)
    private let mainTaskSeen = Atomic<Bool>(false)

    /// A task created unscheduled: the first one, made on the main thread outside any task, is the async main's.
    private func mainTaskCreated(_ task: UnsafeMutableRawPointer) {
        guard ThreadNames.threadID == getpid(), RuntimeTask.currentID() == 0,
              !mainTaskSeen.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let job = unsafeBitCast(task, to: UnownedJob.self)
        let lane = session.foreignTasks.currentLane
        if let adopted = session.foreignTasks.adoptRunning(job, label: .main, on: lane) {
            mainTask.withLock { $0 = adopted }
        }
    }

    /// The async main suspended for the first time: its first slice ends now.
    private func mainTaskSuspended() {
        guard let (record, slice) = mainTask.withLock({ $0 }) else { return }
        session.foreignTasks.sliceEnded(record, slice: slice, on: session.foreignTasks.currentLane,
                                        at: MonotonicClock.now())
    }

    /// Completes the trace and says so on the status pipe (once: later calls do nothing).
    func finish(reason: String) {
        let alreadyDone = Self.current.withLock { current -> Bool in
            defer { current = nil }
            return current !== self
        }
        guard !alreadyDone else { return }
        do {
            let summary = try session.finish(processEnds: true)
            Self.report(.final(tasks: summary.tasks, ended: summary.ended, events: summary.events,
                               dropped: summary.dropped, reason: reason), to: status)
        } catch {
            Self.report(.error("\(error)"), to: status)
        }
    }

    private static func report(_ line: RecordChannel.Status, to status: FileDescriptor?) {
        _ = try? status?.writeAll(Array(line.line.utf8))
    }

    // MARK: Signals

    /// For SIGINT and SIGTERM left at their default action by the program: finish the trace first, then die of
    /// the signal as the program would have. A program that handles them itself keeps its handlers (and its
    /// exit, through `exit()`, still finishes the trace).
    private func finishOnSignals() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        Self.signalWriteEnd.store(ends[1], ordering: .releasing)
        let readEnd = ends[0]
        var installed = false
        for signal in [SIGINT, SIGTERM] {
            var old = sigaction()
            guard sigaction(signal, nil, &old) == 0, old.__sigaction_handler.sa_handler == nil,
                  old.sa_flags & SA_SIGINFO == 0 else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                var byte = UInt8(truncatingIfNeeded: signal)
                _ = write(RecordedProgram.signalWriteEnd.load(ordering: .acquiring), &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            if sigaction(signal, &action, nil) == 0 { installed = true }
        }
        guard installed else { return }
        _ = try? OSThread(name: "ct-record-sig") { [self] in
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
            let signal = Int32(byte)
            finish(reason: "signal:\(signal)")
            // Die of it, as the program would have without the tracer.
            Glibc.signal(signal, SIG_DFL)
            var unblock = sigset_t()
            sigemptyset(&unblock)
            sigaddset(&unblock, signal)
            pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            kill(getpid(), signal)
        }
    }
}

/// The tracing runtime's entry point, called by the preload library (`CConcTracePreload`) at the program's first
/// global job: `configuration` is the channel's variables, one `NAME=value` per line. Returns 0 when tracing
/// started.
@_cdecl("conctrace_record_start")
public func conctraceRecordStart(_ configuration: UnsafePointer<CChar>) -> Int32 {
    var values: [String: String] = [:]
    for line in String(cString: configuration).split(separator: "\n") {
        guard let equals = line.firstIndex(of: "=") else { continue }
        values[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return RecordedProgram.start(configuration: values)
}
