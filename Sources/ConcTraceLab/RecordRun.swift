#if canImport(Glibc)
import Glibc
#endif
import ConcTraceFormat
import ConcTraceSystem

/// A program to run and trace: what `conctrace record -- PROGRAM [ARGS...]` asks for.
public struct RecordRequest: Sendable {
    /// The program: a path, or a name looked up in `PATH`.
    public var program: String
    /// Its arguments (argv[1...]), as given.
    public var arguments: [String]
    /// Pool threads for the program's global executor (nil: one per core).
    public var workers: Int?
    /// Where the trace goes.
    public var tracePath: String
    /// The command line, for the trace's metadata.
    public var commandLine: String
    /// Where the tracing libraries are (by default, next to this executable).
    public var libraryFolder: String

    /// Makes a request.
    public init(program: String, arguments: [String], workers: Int?, tracePath: String, commandLine: String,
                libraryFolder: String? = nil) {
        self.program = program
        self.arguments = arguments
        self.workers = workers
        self.tracePath = tracePath
        self.commandLine = commandLine
        self.libraryFolder = libraryFolder ?? RecordLibraries.defaultFolder
    }

    /// The default trace path: `traces/record-<program's file name>.json`.
    public static func defaultTracePath(program: String) -> String {
        "traces/record-\(program.split(separator: "/").last.map(String.init) ?? program).json"
    }
}

/// The two shared libraries `record` needs, built by this package next to the `conctrace` binary.
public enum RecordLibraries {
    /// The preload library (C only, safe in any program).
    public static let preload = "libConcTracePreload.so"
    /// The tracing runtime (Swift) it loads into a Swift program.
    public static let runtime = "libConcTraceRecordRuntime.so"

    /// The folder of the running executable.
    public static var defaultFolder: String {
        let path = Machine.executablePath
        return path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    }

    /// Both libraries' paths in `folder`.
    /// - Throws: `LabError` (`cannotStartWorkers`) naming the missing one and how to build it.
    static func locate(in folder: String) throws(LabError) -> (preload: String, runtime: String) {
        let paths = (preload: "\(folder)/\(preload)", runtime: "\(folder)/\(runtime)")
        for path in [paths.preload, paths.runtime] where access(path, R_OK) != 0 {
            throw LabError(.cannotStartWorkers, "the tracing library \(path) is missing; build it with " +
                           "'swift build --product ConcTracePreload && swift build --product ConcTraceRecordRuntime'")
        }
        return paths
    }
}

/// How the recorded program ended.
public enum ProgramExit: Sendable, Equatable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// The status `record` exits with: the program's, or 128 + the signal.
    public var status: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

/// Runs programs under the tracing runtime.
///
/// ```
///   record ──posix_spawn (no shell; same process group; stdin/stdout/stderr inherited)──▶ PROGRAM
///     │  environment: LD_PRELOAD=libConcTracePreload.so, CONCTRACE_RECORD_* (RecordChannel)      │
///     │◀──────────── status pipe: untraceable | error | tracing <pid> | final ... ───────────────┤
///     │◀──────────── event log (an anonymous file both hold) ───────────────────────────────────┘
///     │  SIGINT/SIGTERM sent to record (not a terminal's, which the program gets itself) are forwarded
///     ▼
///   waitpid ──▶ RecordTrace: the log becomes the trace ──▶ RecordSummary
/// ```
public enum RecordRun {
    /// Runs `request`'s program to its end, and says what was recorded.
    /// - Throws: `LabError`: the program cannot be found or run (`noInput`), the tracing libraries are missing or
    ///   the program cannot be started (`cannotStartWorkers`), the trace's path cannot be written
    ///   (`cannotCreateOutput`).
    public static func execute(_ request: RecordRequest) throws(LabError) -> RecordSummary {
        let executable = try ProgramLookup.resolve(request.program)
        let libraries = try RecordLibraries.locate(in: request.libraryFolder)
        do {
            try createParentFolders(of: request.tracePath)
            // Checked before the program runs (a folder, a link, no permission), without touching what is there:
            // the trace replaces it only once complete.
            _ = try OutputFile(path: request.tracePath, mode: .replaceWhenComplete)
        } catch let error as OutputError {
            throw TracedRun.traceOutputFailure(error)
        } catch {
            throw LabError(.cannotCreateOutput, "cannot create the folder for \(request.tracePath): \(error)")
        }
        let log: FileDescriptor
        var ends: [Int32] = [-1, -1]
        do {
            log = try TemporaryFile.anonymous()
        } catch {
            throw LabError(.cannotCreateOutput, "cannot make the recording's temporary file: \(error)")
        }
        defer { try? log.close() }
        guard pipe(&ends) == 0 else {
            throw LabError(.cannotStartWorkers, "\(OSError(call: "pipe", errno: errno))")
        }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        defer { close(ends[0]) }
        // The program inherits the log and the status pipe's write end (only this thread starts processes).
        _ = fcntl(log.rawValue, F_SETFD, 0)
        let environment = childEnvironment(request, libraries: libraries, log: log.rawValue, statusFD: ends[1])
        let started = MonotonicClock.now()
        let startedUnix = MonotonicClock.wallNow()
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(executable, arguments: request.arguments, redirections: [],
                                         environment: environment, ownProcessGroup: false)
        } catch {
            close(ends[1])
            throw LabError(error.errno == ENOENT || error.errno == EACCES ? .noInput : .cannotStartWorkers,
                           "cannot run \(request.program): \(error)")
        }
        close(ends[1])
        _ = fcntl(log.rawValue, F_SETFD, FD_CLOEXEC)
        RecordSignals.forward(to: pid)
        let exit = wait(for: pid)
        RecordSignals.stopForwarding()
        let lines = readStatus(ends[0])
        var converted: RecordTrace.Result?
        if let tracing = lines.lazy.compactMap({ line -> (Int32, Double)? in
            if case .tracing(let pid, let nsPerEvent) = line { return (pid, nsPerEvent) }
            return nil
        }).first {
            let metadata = recordMetadata(request, pid: tracing.0, nsPerEvent: tracing.1, started: started,
                                          startedUnix: startedUnix)
            converted = try RecordTrace.write(log: log, to: request.tracePath, processID: tracing.0,
                                              processName: programName(request.program), metadata: metadata,
                                              nsPerEvent: tracing.1)
        }
        let seconds = Double(MonotonicClock.now() &- started) / 1e9
        return RecordSummary(program: request.program, lines: lines, exit: exit, wallSeconds: seconds,
                             trace: converted == nil ? nil : request.tracePath, converted: converted)
    }

    /// The program's file name.
    static func programName(_ program: String) -> String {
        program.split(separator: "/").last.map(String.init) ?? program
    }

    /// The trace's `conctrace.run`: the program as workload, `recorded` as strategy, its pid and pool.
    static func recordMetadata(_ request: RecordRequest, pid: Int32, nsPerEvent: Double, started: UInt64,
                               startedUnix: UInt64) -> RunMetadata {
        var metadata = RunMetadata()
        metadata.set(.tool, .string("conctrace"))
        metadata.set(.version, .string(Lab.version))
        // The program as invoked (its arguments too): two recordings of one binary doing different things are
        // different workloads, which compare must not take for repeats of one configuration.
        metadata.set(.workload, .string(([programName(request.program)] + request.arguments).joined(separator: " ")))
        metadata.set(.strategy, .string("recorded"))
        metadata.set(.workers, .int(Int64(request.workers ?? Machine.cores)))
        metadata.set(.host, .string(Machine.hostName))
        metadata.set(.cores, .int(Int64(Machine.cores)))
        metadata.set(.pid, .int(Int64(pid)))
        metadata.set(.clock, .string("CLOCK_MONOTONIC"))
        metadata.set(.startMonotonicNanoseconds, .int(Int64(started)))
        metadata.set(.startUnixNanoseconds, .int(Int64(startedUnix)))
        metadata.set(.nsPerEvent, .double((nsPerEvent * 10).rounded() / 10))
        metadata.set(.command, .string(request.commandLine))
        return metadata
    }

    /// The variables the program's environment gets on top of this one's: the preload library first in
    /// `LD_PRELOAD`, and the channel's variables.
    static func childEnvironment(_ request: RecordRequest, libraries: (preload: String, runtime: String),
                                 log: Int32, statusFD: Int32) -> [String: String] {
        var environment: [String: String] = [:]
        let existing = getenv("LD_PRELOAD").map { String(cString: $0) } ?? ""
        environment["LD_PRELOAD"] = existing.isEmpty ? libraries.preload : libraries.preload + ":" + existing
        let values: [(RecordChannel.Variable, String)] = [
            (.preload, libraries.preload), (.runtime, libraries.runtime), (.eventLog, String(log)),
            (.statusDescriptor, String(statusFD)), (.workers, String(request.workers ?? Machine.cores)),
        ]
        for (variable, value) in values { environment[variable.rawValue] = value }
        return environment
    }

    /// Waits for `pid`'s end.
    private static func wait(for pid: pid_t) -> ProgramExit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return .exited(ExitStatus.internalError.rawValue) }
        }
        let signal = status & 0x7f
        return signal != 0 ? .signaled(signal) : .exited((status >> 8) & 0xff)
    }

    /// The status lines written so far (all of them: the program has ended), without blocking on a descriptor
    /// that a process the program started may still hold.
    private static func readStatus(_ fd: Int32) -> [RecordChannel.Status] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap {
            RecordChannel.Status(line: String($0))
        }
    }

}

/// Finds the executable a program name means, as a shell would (without one).
enum ProgramLookup {
    /// `program` itself when it has a `/`; else the first executable of that name in `PATH`.
    /// - Throws: `LabError` (`noInput`) when there is none, or it cannot be executed.
    static func resolve(_ program: String) throws(LabError) -> String {
        if program.contains("/") {
            guard access(program, F_OK) == 0 else {
                throw LabError(.noInput, "cannot run \(program): no such file")
            }
            guard access(program, X_OK) == 0 else {
                throw LabError(.noInput, "cannot run \(program): it is not executable")
            }
            return program
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + program
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw LabError(.noInput, "cannot run \(program): not found in PATH")
    }
}
