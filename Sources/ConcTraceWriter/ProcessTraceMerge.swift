#if canImport(Glibc)
import Glibc
#endif
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem

/// Merges the event logs of a `--strategy processes` run's workers into the parent's finished trace, so one file
/// holds one `pid` per process.
///
/// ```
///   parent's trace (closed) ──copied, without its "]"──┐
///   worker N's event log ──EventLogReader──▶ ChromeTraceConverter(pid: worker, role: .worker) ─┤
///   spawns, hand-offs, usage ──▶ ChromeTraceConverter(pid: parent): spawn, dispatch, process ──┤
///                                                                                              ▼
///                              a new file beside the trace ──"]", complete──▶ renamed over the trace
/// ```
///
/// Everything goes through the converter's own event model and writer, streamed in bounded memory: nothing is held
/// whole. The parent's trace is replaced only when the merged file is complete, so a merge that fails halfway leaves
/// it as it was. A worker log cut short (the worker died mid-write) is merged up to its last complete record.
/// What each process owns is docs/trace-format.md's: the parent writes the tasks' life spans and the `tasks` counter;
/// each worker, its tasks' states and slices (its own life spans and counter are not written: role `.worker`).
public enum ProcessTraceMerge {
    /// What the merge needs of one worker process.
    public struct Worker {
        /// Its number in the pool (1, 2, ...).
        public var number: Int
        /// Its pid: the `pid` of its events.
        public var pid: Int32
        /// Its posix_spawn, on the parent's clock.
        public var spawnStarted: UInt64
        public var spawnEnded: UInt64
        /// The parent's descriptor of the worker's event log (nil when the run recorded nothing).
        public var eventLog: FileDescriptor?
        /// When the parent saw it end (nil if it never was reaped).
        public var ended: UInt64?
        /// What it reported of itself as it exited (nil if it died first).
        public var usage: ProcessUsage?

        /// Makes a worker record.
        public init(number: Int, pid: Int32, spawnStarted: UInt64, spawnEnded: UInt64, eventLog: FileDescriptor?,
                    ended: UInt64?, usage: ProcessUsage?) {
            self.number = number
            self.pid = pid
            self.spawnStarted = spawnStarted
            self.spawnEnded = spawnEnded
            self.eventLog = eventLog
            self.ended = ended
            self.usage = usage
        }
    }

    /// A worker process's getrusage(RUSAGE_SELF) and peak memory, as it reported them at its exit.
    public struct ProcessUsage: Sendable, Equatable {
        public var userMicroseconds: Int
        public var systemMicroseconds: Int
        public var voluntarySwitches: Int
        public var involuntarySwitches: Int
        /// VmHWM (0 when it could not be read).
        public var peakResidentBytes: Int

        /// Makes a usage record.
        public init(userMicroseconds: Int, systemMicroseconds: Int, voluntarySwitches: Int, involuntarySwitches: Int,
                    peakResidentBytes: Int) {
            self.userMicroseconds = userMicroseconds
            self.systemMicroseconds = systemMicroseconds
            self.voluntarySwitches = voluntarySwitches
            self.involuntarySwitches = involuntarySwitches
            self.peakResidentBytes = peakResidentBytes
        }
    }

    /// One task handed to a worker: made ready by the parent at `readyAt`, written to the worker's pipe at
    /// `dispatchedAt`, running in the worker (thread `workerThread`) from `startedAt`.
    public struct Handoff: Sendable {
        public var task: UInt64
        public var readyAt: UInt64
        public var dispatchedAt: UInt64
        public var workerPID: Int32
        public var workerThread: UInt32
        public var startedAt: UInt64

        /// Makes a hand-off record.
        public init(task: UInt64, readyAt: UInt64, dispatchedAt: UInt64, workerPID: Int32, workerThread: UInt32,
                    startedAt: UInt64) {
            self.task = task
            self.readyAt = readyAt
            self.dispatchedAt = dispatchedAt
            self.workerPID = workerPID
            self.workerThread = workerThread
            self.startedAt = startedAt
        }
    }

    /// Why a merge failed (the parent's trace is then as it was).
    public enum MergeError: Error, CustomStringConvertible {
        /// The parent's trace could not be read.
        case cannotReadTrace(path: String, OSError)
        /// The merged file could not be created or written.
        case cannotWrite(OutputError)

        public var description: String {
            switch self {
            case .cannotReadTrace(let path, let error): "cannot read \(path): \(error)"
            case .cannotWrite(let error): "\(error)"
            }
        }
    }

    /// The parent's last bytes that may hold its closing bracket (and the blank around it).
    private static let tailBytes = 64

    /// Merges `workers`' logs and the `handoffs` into the finished trace at `path`, whose events have `parentPID`.
    /// - Throws: `MergeError`; the trace at `path` is unchanged then.
    public static func merge(into path: String, parentPID: UInt32, workers: [Worker], handoffs: [Handoff])
        throws(MergeError)
    {
        try merge(into: path, parentPID: parentPID, workers: workers, handoffs: handoffs, outputLimit: nil)
    }

    /// `merge`, with the merged file's writes failing past `outputLimit` bytes (a test's full disk).
    package static func merge(into path: String, parentPID: UInt32, workers: [Worker], handoffs: [Handoff],
                              outputLimit: Int?) throws(MergeError) {
        let output: OutputFile
        do {
            output = try OutputFile(path: path, mode: .replaceWhenComplete)
        } catch {
            throw .cannotWrite(error)
        }
        output.byteLimit = outputLimit
        do {
            try copyWithoutFooter(path, to: output)
        } catch let error as OSError {
            throw .cannotReadTrace(path: path, error)
        } catch let error as OutputError {
            throw .cannotWrite(error)
        } catch {
            preconditionFailure("unexpected \(error)")
        }
        do {
            for worker in workers {
                guard let log = worker.eventLog else { continue }
                try convertLog(log, of: worker, parentPID: parentPID, into: output)
            }
            var parent = ChromeTraceConverter(processID: parentPID, continuing: true)
            for worker in workers {
                parent.writeWorkerSpawn(number: worker.number, workerPID: worker.pid, started: worker.spawnStarted,
                                        ended: worker.spawnEnded)
            }
            for handoff in handoffs {
                parent.writeDispatch(task: handoff.task, readyAt: handoff.readyAt, dispatchedAt: handoff.dispatchedAt,
                                     workerPID: handoff.workerPID, workerThread: handoff.workerThread,
                                     startedAt: handoff.startedAt)
            }
            for worker in workers {
                guard let usage = worker.usage, let ended = worker.ended else { continue }
                parent.writeWorkerUsage(
                    number: worker.number, workerPID: worker.pid, at: ended, userMicroseconds: usage.userMicroseconds,
                    systemMicroseconds: usage.systemMicroseconds, voluntarySwitches: usage.voluntarySwitches,
                    involuntarySwitches: usage.involuntarySwitches, peakResidentBytes: usage.peakResidentBytes)
            }
            parent.writeFooter()
            try drain(&parent, into: output)
            try output.commit()
        } catch {
            throw .cannotWrite(error)
        }
    }

    /// One worker's log, converted as its own process (role `.worker`) and appended to `output` round by round.
    private static func convertLog(_ log: FileDescriptor, of worker: Worker, parentPID: UInt32, into output: OutputFile)
        throws(OutputError)
    {
        // A log that cannot be read (the worker died before writing its head) adds nothing.
        guard let reader = try? EventLogReader(descriptor: log) else { return }
        var converter = ChromeTraceConverter(processID: UInt32(bitPattern: worker.pid), role: .worker,
                                             continuing: true)
        var metadata = RunMetadata()
        metadata.set(.tool, .string("conctrace"))
        metadata.set(.role, .string("worker"))
        metadata.set(.worker, .int(Int64(worker.number)))
        metadata.set(.pid, .int(Int64(worker.pid)))
        metadata.set(.parentPID, .int(Int64(parentPID)))
        metadata.set(.clock, .string("CLOCK_MONOTONIC"))
        metadata.set(.startMonotonicNanoseconds, .int(Int64(clamping: worker.spawnEnded)))
        converter.writeHeader(processName: "conctrace worker \(worker.number)", metadata: metadata)
        let annotations = TaskAnnotations()
        // A log cut short ends where its last complete record does (reading errors end it the same way).
        while let record = try? reader.next() {
            switch record {
            case .worker(let id, let name): converter.workerStarted(worker: id, name: name)
            case .events(let events): converter.consume(events, annotations: annotations)
            case .stats(let stats, let timestamp): converter.writeStats(stats, at: timestamp)
            }
            try drain(&converter, into: output)
        }
        try drain(&converter, into: output)
    }

    private static func drain(_ converter: inout ChromeTraceConverter, into output: OutputFile) throws(OutputError) {
        try converter.drainOutput { bytes in
            Result { () throws(OutputError) in try output.write(UnsafeRawBufferPointer(bytes)) }
        }.get()
    }

    /// Copies the trace at `path` to `output`, streamed, without its closing `]` and the blank around it.
    private static func copyWithoutFooter(_ path: String, to output: OutputFile) throws {
        let input = try FileDescriptor.open(path, O_RDONLY)
        defer { try? input.close() }
        var info = stat()
        guard fstat(input.rawValue, &info) == 0 else { throw OSError(call: "fstat", errno: errno) }
        let size = Int(info.st_size)
        let body = max(0, size - tailBytes)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var copied = 0
        while copied < body {
            let wanted = min(chunk.count, body - copied)
            let count = try chunk.withUnsafeMutableBytes { buffer in
                try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
            }
            guard count > 0 else { throw OSError(call: "read", errno: EIO) }
            try chunk.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            copied += count
        }
        var tail = try input.readAll(limit: tailBytes)
        // The writer ends a trace with "\n]\n": drop blank, the bracket, and the newline before it.
        while let last = tail.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { tail.removeLast() }
        if tail.last == UInt8(ascii: "]") { tail.removeLast() }
        while tail.last == UInt8(ascii: "\n") { tail.removeLast() }
        try tail.withUnsafeBytes { try output.write($0) }
    }
}
