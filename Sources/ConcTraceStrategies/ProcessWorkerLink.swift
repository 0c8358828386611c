#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem

/// How the parent starts a worker process: an executable and its argv, given by the application layer (which owns
/// the worker's command line), never a shell.
public struct ProcessWorkerLaunch: Sendable {
    /// The descriptor number a recording worker writes its event log to.
    public static let eventLogDescriptor: Int32 = 3

    /// The executable to start (the running conctrace, or the built one in tests).
    public var executable: String
    /// The arguments (argv[1...]) of worker `number`; `eventLog` is the descriptor it writes its event log to, or
    /// nil when the run records nothing.
    public var arguments: @Sendable (_ number: Int, _ eventLog: Int32?) -> [String]
    /// Whether workers record: each then gets a private, nameless temporary file for its event log.
    public var recordsEvents: Bool

    /// Makes a launch description.
    public init(executable: String, recordsEvents: Bool,
                arguments: @escaping @Sendable (_ number: Int, _ eventLog: Int32?) -> [String]) {
        self.executable = executable
        self.recordsEvents = recordsEvents
        self.arguments = arguments
    }
}

/// One worker process seen from the parent: its pid and the two pipe ends the parent holds.
///
/// ```
///   parent ◀──"H\n"── worker stdout (once: it records and reads tasks)
///   parent ──"T <index> <task> <ready-since-ns>\n"──▶ worker stdin
///   parent ◀──"R <index> <start-ns> <end-ns> <tid> ok|err|cancelled ...\n"── worker stdout  (ProcessTaskReport)
///          ◀──"U <user-us> <system-us> <voluntary> <involuntary>\n"   (getrusage, once, at exit)
/// ```
final class ProcessWorkerLink {
    let number: Int
    let pid: pid_t
    /// The parent's write end of the worker's stdin (-1 once closed).
    private(set) var input: Int32
    /// The parent's read end of the worker's stdout (-1 once closed).
    private(set) var output: Int32
    /// The parent's descriptor of the worker's event log (a nameless temporary file; nil when not recording).
    let eventLog: FileDescriptor?
    private var reader: LineReader

    /// Starts worker `number` with posix_spawn: stdin/stdout are pipes, its event log (when recording) is descriptor
    /// 3, every other descriptor of the parent is close-on-exec, the signal mask and SIGINT/SIGTERM/SIGPIPE are
    /// reset, and the worker gets its own process group (a terminal's Ctrl-C reaches the parent only, which then
    /// stops its workers).
    /// - Throws: `OSError` (pipe, the temporary file, or posix_spawn).
    init(number: Int, launch: ProcessWorkerLaunch) throws {
        self.number = number
        // Only the run's thread spawns workers.
        let (toWorker, fromWorker) = try ProcessSpawn.pipePair()
        var redirections: [ProcessSpawn.Redirection] = [
            .descriptor(toWorker[0], as: 0), .descriptor(fromWorker[1], as: 1),
        ]
        let log: FileDescriptor?
        do {
            log = launch.recordsEvents ? try TemporaryFile.anonymous() : nil
        } catch {
            for fd in toWorker + fromWorker { close(fd) }
            throw error
        }
        if let log { redirections.append(.descriptor(log.rawValue, as: ProcessWorkerLaunch.eventLogDescriptor)) }
        let arguments = launch.arguments(number, log.map { _ in ProcessWorkerLaunch.eventLogDescriptor })
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(launch.executable, arguments: arguments, redirections: redirections)
        } catch {
            for fd in toWorker + fromWorker { close(fd) }
            try? log?.close()
            throw error
        }
        close(toWorker[0])
        close(fromWorker[1])
        self.pid = pid
        self.input = toWorker[1]
        self.output = fromWorker[0]
        self.reader = LineReader(FileDescriptor(rawValue: fromWorker[0]))
        self.eventLog = log
    }

    /// Sends task `index` (id `task`, ready since `readySince`); false if the worker is gone (EPIPE).
    func send(index: Int, task: UInt64, readySince: UInt64) -> Bool {
        (try? FileDescriptor(rawValue: input).writeAll("T \(index) \(task) \(readySince)\n")) != nil
    }

    /// Reads what is available; returns the complete lines, or nil at end of file (the worker closed or died).
    func readLines() -> [String]? {
        output < 0 ? nil : reader.readLines()
    }

    /// Closes the worker's stdin: it finishes its trace and exits.
    func closeInput() {
        if input >= 0 { close(input); input = -1 }
    }

    /// Closes the read end.
    func closeOutput() {
        if output >= 0 { close(output); output = -1 }
    }

    /// Waits for the worker's exit and says how it ended ("exit status 0", "signal 9").
    func reap() -> String {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return "unknown end (waitpid: errno \(errno))" }
        }
        let signal = status & 0x7f
        return signal != 0 ? "signal \(signal)" : "exit status \((status >> 8) & 0xff)"
    }
}
