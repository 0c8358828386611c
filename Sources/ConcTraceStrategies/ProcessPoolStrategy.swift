#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads
import Synchronization

/// Why a task run by a worker process failed without an answer from it.
public struct WorkerDied: Error, CustomStringConvertible {
    /// The worker's number, pid and how it ended.
    public var description: String
}

/// An error a worker reported for a task, as text.
public struct WorkerReportedError: Error, CustomStringConvertible {
    public var description: String
}

/// What a process-pool run leaves for the trace merge: the workers' trace files, the cross-process flows, and
/// each worker's resource usage.
public final class ProcessPoolLog: Sendable {
    /// One task handed to a worker: made ready by the parent's root at `spawned` (while the root's slice is
    /// open), written to the worker's pipe at `dispatched`, running there from `started`.
    public struct Handoff: Sendable {
        public var task: UInt64
        public var spawned: UInt64
        public var dispatched: UInt64
        public var workerPID: Int32
        public var workerThread: UInt32
        public var started: UInt64
    }

    /// One worker's start: `posix_spawn` from `started` to `ended` on the parent's main thread.
    public struct Spawn: Sendable {
        public var number: Int
        public var pid: Int32
        public var started: UInt64
        public var ended: UInt64
        /// The parent's descriptor of the worker's event log (nil when the run records nothing).
        public var eventLog: FileDescriptor?
    }

    /// What a worker reports of itself as it exits: getrusage(RUSAGE_SELF) and its peak memory.
    ///
    /// The line: `U <user-µs> <system-µs> <voluntary> <involuntary> <peak-rss-bytes>`.
    public struct WorkerUsage: Sendable, Equatable {
        public var user: Int
        public var system: Int
        public var voluntary: Int
        public var involuntary: Int
        /// VmHWM (0 when it could not be read).
        public var peakResidentBytes: Int

        /// Parses a `U` line; nil for any other line.
        public init?(line: String) {
            let fields = line.split(separator: " ")
            guard fields.count == 6, fields[0] == "U" else { return nil }
            let numbers = fields.dropFirst().compactMap { Int($0) }
            guard numbers.count == 5 else { return nil }
            (user, system, voluntary, involuntary, peakResidentBytes) =
                (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
        }
    }

    /// One worker's end, and its usage as it reported it (nil if it died first).
    public struct WorkerEnd: Sendable {
        public var number: Int
        public var pid: Int32
        public var ended: UInt64
        public var usage: WorkerUsage?
        public var exit: String
    }

    private let state = Locked<(handoffs: [Handoff], workers: [WorkerEnd], spawns: [Spawn])>(([], [], []))

    /// What happens to the pool as it happens, for a reader who watches (`conctrace run --verbose`): called on the
    /// run's thread.
    public enum Event: Sendable {
        /// Worker `number` started as process `pid`.
        case started(number: Int, pid: Int32)
        /// Worker `number` said it is ready: it records (when the run does) and reads tasks.
        case ready(number: Int, pid: Int32)
        /// Task `index` was handed to worker `number`.
        case handedOut(index: Int, number: Int, pid: Int32)
        /// Worker `number` ended (`exit`: "exit status 0", "signal 9").
        case ended(number: Int, pid: Int32, exit: String)
    }

    private let observer: (@Sendable (Event) -> Void)?

    /// Makes an empty log; `observer` hears of every worker's start and end and every hand-off.
    public init(observer: (@Sendable (Event) -> Void)? = nil) {
        self.observer = observer
    }

    /// Tells the observer, if any.
    func note(_ event: Event) {
        observer?(event)
    }

    public var handoffs: [Handoff] { state.withLock { $0.handoffs } }
    /// The workers that ended (and were reaped), in the order they ended.
    public var workers: [WorkerEnd] { state.withLock { $0.workers } }
    /// Every worker started, in order.
    public var spawns: [Spawn] { state.withLock { $0.spawns } }

    public func add(_ handoff: Handoff) { state.withLock { $0.handoffs.append(handoff) } }
    public func add(_ end: WorkerEnd) { state.withLock { $0.workers.append(end) } }
    public func add(_ spawn: Spawn) { state.withLock { $0.spawns.append(spawn) } }

    /// The workers' peak memory added up (each worker's VmHWM as it reported it at exit).
    public var workersPeakResidentBytes: Int {
        state.withLock { $0.workers.reduce(0) { $0 + ($1.usage?.peakResidentBytes ?? 0) } }
    }

    /// Closes the parent's descriptors of the workers' event logs: the nameless files are gone once the workers are
    /// too. Call after the merge (or instead of it). Idempotent.
    public func closeEventLogs() {
        let logs = state.withLock { state -> [FileDescriptor] in
            defer { for index in state.spawns.indices { state.spawns[index].eventLog = nil } }
            return state.spawns.compactMap(\.eventLog)
        }
        for log in logs { try? log.close() }
    }

    /// On a forced exit (the grace period after Ctrl-C ran out, while the run's thread still holds its workers):
    /// kills every worker started and not yet reaped with SIGKILL and reaps it, so none outlives the parent and
    /// their traces are complete to their last flushed line for the merge. Returns how many it stopped.
    @discardableResult
    public func stopUnreapedWorkers() -> Int {
        let (spawns, reaped) = state.withLock { ($0.spawns, Set($0.workers.map(\.pid))) }
        var stopped = 0
        for spawn in spawns where !reaped.contains(spawn.pid) {
            kill(spawn.pid, SIGKILL)
            var status: Int32 = 0
            // ECHILD: the run's thread reaped it in the meantime.
            while waitpid(spawn.pid, &status, 0) < 0, errno == EINTR {}
            stopped += 1
        }
        return stopped
    }
}

/// A pool of worker processes (the conctrace binary itself, `conctrace worker`), kept for the whole run and fed
/// tasks over pipes, one at a time each.
///
/// Who records what (one owner per part of a task's record):
///
/// ```
///   parent (main thread)                               worker process (its own trace, merged later)
///   created (root spawns it) ──T line: ready time──▶   ready (from the parent's ready time) → running …
///   end, at the worker's end time ◀──R line: times──   … → end (its life span is dropped at the merge)
/// ```
///
/// The parent owns each task's life span (created to end, with its result, bytes, details or error) and the run's
/// `tasks` counter; the worker that runs a task owns its states: `ready` from the time the parent made it ready
/// (time queued in the parent and in the pipe), its running slices and its waits. A task that never reached a
/// worker (cancelled) is `ready` in the parent until it ends. Each worker's start is a `spawn worker N` instant on
/// the parent's main thread (written by the merge from ``ProcessPoolLog/spawns``), not a task.
/// A worker that dies fails its in-flight task ("worker N (pid P) died: signal 9") and is replaced while tasks
/// remain (at most `workers` replacements in all; past that the run goes on with fewer).
public struct ProcessPoolStrategy: Strategy {
    public var kind: StrategyKind { .processes }
    public let workers: Int
    public let launch: ProcessWorkerLaunch
    public let log: ProcessPoolLog

    /// The most worker processes a run may ask for (each is a whole conctrace process of about 20 MiB).
    public static let maximumWorkers = 1024

    /// The default pool: one process per core, but no more than there are tasks (a process costs about 15 ms to
    /// start: BENCHMARKS.md).
    public static func defaultWorkers(tasks: Int) -> Int {
        max(1, min(tasks, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }

    /// Makes a pool of `workers` processes started as `launch` says.
    public init(workers: Int, launch: ProcessWorkerLaunch, log: ProcessPoolLog = ProcessPoolLog()) {
        precondition(workers > 0, "a pool needs a worker")
        self.workers = workers
        self.launch = launch
        self.log = log
    }

    public func run(_ workload: any Workload, in context: RunContext) throws -> RunResult {
        // A write to a dead worker's pipe must fail with EPIPE, not kill the parent.
        signal(SIGPIPE, SIG_IGN)
        let batch = Batch(workload: workload, context: context, rootOnCallingThread: true)
        let main = context.mainLane
        main.recordOSSwitches()
        var links: [ProcessWorkerLink?] = []
        var nextNumber = 1
        var replacements = workers

        /// Starts a worker; its spawn is logged for the trace (an instant on the main thread), not a task.
        func start() throws -> ProcessWorkerLink {
            let number = nextNumber
            nextNumber += 1
            let started = MonotonicClock.now()
            let link = try ProcessWorkerLink(number: number, launch: launch)
            log.note(.started(number: number, pid: link.pid))
            log.add(ProcessPoolLog.Spawn(number: number, pid: link.pid, started: started,
                                         ended: MonotonicClock.now(), eventLog: link.eventLog))
            return link
        }

        for _ in 0..<workers {
            do {
                links.append(try start())
            } catch let error as OSError {
                for link in links.compactMap({ $0 }) { link.closeInput(); kill(link.pid, SIGKILL); _ = link.reap() }
                throw StrategyError.cannotStartWorker(index: links.count + 1, error)
            }
        }
        // Created by the root; ready from now on, which the worker that takes a task records (see above).
        var queue: [(index: Int, task: UInt64, spawned: UInt64)] = []
        queue.reserveCapacity(workload.taskCount)
        for index in 0..<workload.taskCount {
            let task = batch.create(index: index, on: main)
            queue.append((index, task, MonotonicClock.now()))
        }
        batch.rootWaitsForChildren()

        var next = 0
        var inFlight: [(index: Int, task: UInt64, spawned: UInt64, dispatched: UInt64)?] = Array(repeating: nil, count: links.count)
        var settled = 0

        /// Ends the task in flight on `slot`, on the main thread, at `ended` (the worker's end time) or now.
        func settle(_ slot: Int, _ outcome: Result<TaskOutcome, any Error>, ended: UInt64? = nil) {
            guard let item = inFlight[slot] else { return }
            inFlight[slot] = nil
            let ending = batch.settle(index: item.index, task: item.task, outcome: outcome, on: main)
            ending.record(task: item.task, on: main, at: ended)
            settled += 1
        }

        /// Ends a task that never reached a worker: it was ready in the parent's queue until now.
        func endUnsent(_ item: (index: Int, task: UInt64, spawned: UInt64), _ error: any Error) {
            main.append(TraceEvent(timestamp: item.spawned, kind: .ready, task: item.task, worker: main.worker,
                                   related: batch.root))
            batch.finish(index: item.index, task: item.task, lane: main, outcome: .failure(error))
        }

        var usages: [Int: ProcessPoolLog.WorkerUsage] = [:]
        func retire(_ slot: Int, usage: ProcessPoolLog.WorkerUsage?) {
            guard let link = links[slot] else { return }
            usages[slot] = nil
            link.closeInput()
            link.closeOutput()
            let exit = link.reap()
            if inFlight[slot] != nil {
                settle(slot, .failure(WorkerDied(description: "worker \(link.number) (pid \(link.pid)) died: \(exit)")))
            }
            log.note(.ended(number: link.number, pid: link.pid, exit: exit))
            log.add(ProcessPoolLog.WorkerEnd(number: link.number, pid: link.pid,
                                             ended: MonotonicClock.now(), usage: usage, exit: exit))
            links[slot] = nil
        }

        while settled < workload.taskCount {
            if context.cancellation.isCancelled { break }
            // Hand the next task to every idle worker.
            for slot in links.indices where links[slot] != nil && inFlight[slot] == nil && next < queue.count {
                let item = queue[next]
                let now = MonotonicClock.now()
                inFlight[slot] = (item.index, item.task, item.spawned, now)
                next += 1
                let link = links[slot]!
                if !link.send(index: item.index, task: item.task, readySince: item.spawned) {
                    // Gone: its end of file is seen below and fails the task with the cause.
                    continue
                }
                log.note(.handedOut(index: item.index, number: link.number, pid: link.pid))
            }
            let live = links.indices.filter { links[$0] != nil }
            if live.isEmpty {
                // No worker left and none may be started: the tasks not yet handed out fail.
                while next < queue.count {
                    endUnsent(queue[next], WorkerDied(description: "no worker process left"))
                    next += 1
                    settled += 1
                }
                break
            }
            var polls = live.map { pollfd(fd: links[$0]!.output, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), 50)
            if ready <= 0 { continue }
            for (position, slot) in live.enumerated() where polls[position].revents != 0 {
                guard let link = links[slot] else { continue }
                guard let lines = link.readLines() else {
                    retire(slot, usage: usages[slot])
                    if next < queue.count, replacements > 0, !context.cancellation.isCancelled {
                        replacements -= 1
                        if let replacement = try? start() { links[slot] = replacement }
                    }
                    continue
                }
                for line in lines {
                    if let usage = ProcessPoolLog.WorkerUsage(line: line) {
                        usages[slot] = usage
                        continue
                    }
                    if line == ProcessWorker.readyLine {
                        log.note(.ready(number: link.number, pid: link.pid))
                        continue
                    }
                    guard let report = ProcessTaskReport(line: line[...]), let item = inFlight[slot],
                          report.index == item.index else { continue }
                    log.add(ProcessPoolLog.Handoff(task: item.task, spawned: item.spawned, dispatched: item.dispatched,
                                                   workerPID: link.pid, workerThread: report.thread,
                                                   started: report.started))
                    // The worker's end time, unless the clock says otherwise (never before the task was created).
                    settle(slot, outcome(of: report, cancellation: context.cancellation),
                           ended: max(report.ended, item.spawned))
                }
            }
        }

        // Cancelled: tasks not handed out end cancelled; workers still running a task are killed (their trace
        // keeps what they flushed), idle ones are asked to finish.
        if context.cancellation.isCancelled {
            for slot in links.indices where inFlight[slot] != nil {
                if let link = links[slot] { kill(link.pid, SIGKILL) }
                settle(slot, .failure(TaskError.cancelled))
            }
            while next < queue.count {
                endUnsent(queue[next], TaskError.cancelled)
                next += 1
            }
        }
        // Closing stdin asks each worker to finish its trace and report its usage, then exit.
        for link in links.compactMap({ $0 }) { link.closeInput() }
        for slot in links.indices {
            guard let link = links[slot] else { continue }
            while let lines = link.readLines() {
                for line in lines {
                    if let usage = ProcessPoolLog.WorkerUsage(line: line) { usages[slot] = usage }
                }
            }
            retire(slot, usage: usages[slot])
        }
        main.recordOSSwitches()
        return batch.complete(workers: workers)
    }

    /// A task's outcome as its worker reported it; a failure that ended after the run was cancelled is a task the
    /// cancellation stopped short (the embedded server shut down under its transfer), as the in-process strategies
    /// count it: cancelled, not failed.
    private func outcome(of report: ProcessTaskReport, cancellation: Cancellation) -> Result<TaskOutcome, any Error> {
        if case .failed = report.ending, let cancelled = cancellation.cancelledAt, report.ended >= cancelled {
            return .failure(TaskError.cancelled)
        }
        return report.outcome
    }
}
