#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder

/// How the parent starts a worker process: the conctrace binary itself, with explicit argv, no shell.
public struct ProcessWorkerLaunch: Sendable {
    /// The executable to start (the running conctrace, resolved from /proc/self/exe, or the built one in tests).
    public var executable: String
    /// Arguments after `worker` that say what the worker runs (e.g. `--workload cpu --base 10000000`).
    public var workloadArguments: [String]
    /// Where workers write their temporary traces; nil when the run records nothing.
    public var traceFolder: String?

    /// Makes a launch description.
    public init(executable: String, workloadArguments: [String], traceFolder: String?) {
        self.executable = executable
        self.workloadArguments = workloadArguments
        self.traceFolder = traceFolder
    }

    /// The running executable, resolved (/proc/self/exe).
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One worker process seen from the parent: its pid and the two pipe ends the parent holds.
///
/// ```
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
    let tracePath: String?
    private var buffer: [UInt8] = []

    /// Starts worker `number` with posix_spawn: stdin/stdout are pipes, every other descriptor of the parent is
    /// close-on-exec, the signal mask and SIGINT/SIGTERM/SIGPIPE are reset, and the worker gets its own process
    /// group (a terminal's Ctrl-C reaches the parent only, which then stops its workers).
    /// - Throws: `OSError` (pipe or posix_spawn).
    init(number: Int, launch: ProcessWorkerLaunch) throws {
        self.number = number
        // Only the run's thread spawns workers.
        let (toWorker, fromWorker) = try ProcessSpawn.pipePair()
        let trace = launch.traceFolder.map { "\($0)/conctrace-worker-\(getpid())-\(number).json" }
        var arguments = ["worker", "--number", String(number)] + launch.workloadArguments
        if let trace { arguments += ["--trace", trace] }
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(launch.executable, arguments: arguments, redirections: [
                .descriptor(toWorker[0], as: 0), .descriptor(fromWorker[1], as: 1),
            ])
        } catch {
            for fd in toWorker + fromWorker { close(fd) }
            throw error
        }
        close(toWorker[0])
        close(fromWorker[1])
        self.pid = pid
        self.input = toWorker[1]
        self.output = fromWorker[0]
        self.tracePath = trace
    }

    /// Sends task `index` (id `task`, ready since `readySince`); false if the worker is gone (EPIPE).
    func send(index: Int, task: UInt64, readySince: UInt64) -> Bool {
        let line = Array("T \(index) \(task) \(readySince)\n".utf8)
        var offset = 0
        while offset < line.count {
            let written = line[offset...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Reads what is available; returns the complete lines, or nil at end of file (the worker closed or died).
    func readLines() -> [String]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EINTR || errno == EAGAIN ? [] : nil }
        if count == 0 { return nil }
        buffer += chunk[0..<count]
        var lines: [String] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
            buffer.removeSubrange(...newline)
        }
        return lines
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
