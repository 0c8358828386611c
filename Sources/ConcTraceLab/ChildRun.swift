#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem
import Synchronization

/// One `conctrace` command run as a child process, as `sweep`, `demo` and `advise` run each measurement: apart, so
/// that its peak memory is its own, and a run that cannot reach a size (too many threads, a crash) is reported as
/// such instead of taking the caller down.
///
/// The child is this binary, started with posix_spawn and an explicit argv (no shell), in a process group of its
/// own: a Ctrl-C reaches the caller, which forwards it (`ChildRun.forward(signal:)`), so the child still closes its
/// trace and the caller still writes what it has.
public struct ChildRun {
    /// How the child ended.
    public struct Ending: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public var status: Int32
        /// What it printed.
        public var stdout: String
        public var stderr: String
        /// It was stopped for passing its time limit.
        public var timedOut: Bool

        /// The child's own one-line error (the last `conctrace: error:` line, without the prefix), or its last
        /// line on stderr.
        public var errorLine: String? {
            let lines = stderr.split(separator: "\n").map(String.init)
            let prefix = "conctrace: error: "
            if let line = lines.last(where: { $0.hasPrefix(prefix) }) { return String(line.dropFirst(prefix.count)) }
            return lines.last
        }
    }

    /// The child running now, if any: where `forward(signal:)` sends a signal.
    private static let current = Locked<pid_t>(0)
    /// A signal arrived: children started after it are not started.
    private static let stopped = Atomic<Int32>(0)

    /// The signal that stopped the caller, if one did.
    public static var stopSignal: Int32? {
        let value = stopped.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Sends `signal` to the running child (it closes its trace and exits), and marks the caller stopped.
    public static func forward(signal: Int32) {
        _ = stopped.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
        let pid = current.withLock { $0 }
        if pid > 0 { kill(pid, signal) }
    }

    /// Runs `conctrace <arguments>` and waits for it, for at most `limitSeconds` (then SIGTERM, and SIGKILL 3 s
    /// later).
    /// - Throws: `OSError` when the child cannot be started.
    public static func run(_ arguments: [String], limitSeconds: Double) throws -> Ending {
        let executable = Machine.executablePath
        // Only the calling thread starts children.
        let (outPipe, errPipe) = try ProcessSpawn.pipePair()
        // Under the lock a forwarded signal either sees this child or stops it from being started.
        let spawned = current.withLock { current -> Result<pid_t, OSError> in
            guard stopped.load(ordering: .acquiring) == 0 else {
                return .failure(OSError(call: "posix_spawn \(executable) (interrupted)", errno: EINTR))
            }
            let result = Result { () throws(OSError) in
                // The child ends with this process (ProcessLife.start in the child), whatever ends it.
                try ProcessSpawn.spawn(executable, arguments: arguments, redirections: [
                    .descriptor(outPipe[1], as: 1), .descriptor(errPipe[1], as: 2), .null(as: 0),
                ], environment: ProcessLife.childEnvironment)
            }
            if case .success(let pid) = result { current = pid }
            return result
        }
        close(outPipe[1])
        close(errPipe[1])
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let error):
            close(outPipe[0]); close(errPipe[0])
            throw error
        }
        defer { current.withLock { $0 = 0 } }

        var output: [[UInt8]] = [[], []]
        var open = [outPipe[0], errPipe[0]]
        let deadline = MonotonicClock.now() + UInt64(max(limitSeconds, 0) * 1e9)
        var timedOut = false
        var killAt: UInt64?
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while open.contains(where: { $0 >= 0 }) {
            let now = MonotonicClock.now()
            if !timedOut, now >= deadline {
                timedOut = true
                kill(pid, SIGTERM)
                killAt = now + 3_000_000_000
            }
            if let at = killAt, now >= at {
                kill(pid, SIGKILL)
                killAt = nil
            }
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), 100)
            if ready <= 0 { continue }
            for index in open.indices where open[index] >= 0 && polls[index].revents != 0 {
                let descriptor = FileDescriptor(rawValue: open[index])
                let count = try? chunk.withUnsafeMutableBytes { raw in
                    Result { () throws(OSError) in try descriptor.read(into: raw) }
                }.get()
                if let count, count > 0 {
                    output[index] += chunk[0..<count]
                } else {
                    try? descriptor.close()
                    open[index] = -1
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { break }
        }
        let signal = status & 0x7f
        return Ending(
            status: signal != 0 ? 128 + signal : (status >> 8) & 0xff,
            stdout: String(decoding: output[0], as: UTF8.self),
            stderr: String(decoding: output[1], as: UTF8.self),
            timedOut: timedOut)
    }
}

extension ChildRun {
    /// Starts forwarding SIGINT and SIGTERM to the running child (and marking the caller stopped): the handling of
    /// `sweep`, `demo` and `advise`. Call before starting any child.
    public static func forwardSignals() {
        SignalWatcher.start { forward(signal: $0) }
    }
}
