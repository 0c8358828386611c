#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
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

    /// One worker's end: getrusage(RUSAGE_SELF) as it reported it (nil if it died first).
    public struct WorkerEnd: Sendable {
        public var number: Int
        public var pid: Int32
        public var tracePath: String?
        public var ended: UInt64
        /// user µs, system µs, voluntary and involuntary context switches.
        public var usage: (user: Int, system: Int, voluntary: Int, involuntary: Int)?
        public var exit: String
    }

    private let state = Mutex<(handoffs: [Handoff], workers: [WorkerEnd])>(([], []))

    public init() {}

    public var handoffs: [Handoff] { state.withLock { $0.handoffs } }
    public var workers: [WorkerEnd] { state.withLock { $0.workers } }

    func add(_ handoff: Handoff) { state.withLock { $0.handoffs.append(handoff) } }
    func add(_ end: WorkerEnd) { state.withLock { $0.workers.append(end) } }
}

/// A pool of worker processes (the conctrace binary itself, `conctrace worker`), kept for the whole run and fed
/// tasks over pipes, one at a time each.
///
/// The parent records every task `created` and `ready` (the root spawns them all); a task stays `ready` while it
/// waits in the parent's queue, in the pipe and in the worker; the worker records its own `created`/`running`/end
/// for the same task id in its own trace, and the parent records the task's end when the answer comes back.
/// A worker that dies fails its in-flight task ("worker N (pid P) died: signal 9") and is replaced while tasks
/// remain (at most `workers` replacements in all; past that the run goes on with fewer).
public struct ProcessPoolStrategy: Strategy {
    public var kind: StrategyKind { .processes }
    public let workers: Int
    public let launch: ProcessWorkerLaunch
    public let log: ProcessPoolLog

    /// The default pool: one process per core.
    public static func defaultWorkers() -> Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

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
        var lanes: [EventLane] = []
        var nextNumber = 1
        var replacements = workers

        /// Starts a worker, recorded as a `spawn worker` task on the main lane.
        func start() throws -> ProcessWorkerLink {
            let spawn = context.recorder.makeTaskID()
            main.record(.created, task: spawn, related: batch.root, label: "spawn worker")
            main.record(.ready, task: spawn, related: batch.root)
            main.record(.running, task: spawn)
            let number = nextNumber
            nextNumber += 1
            do {
                let link = try ProcessWorkerLink(number: number, launch: launch)
                context.recorder.annotate(spawn, "pid", .int(Int64(link.pid)))
                main.record(.done, task: spawn, value: UInt128(link.pid), hasValue: true)
                lanes.append(context.recorder.makeLane(name: "worker \(number) (pid \(link.pid))"))
                return link
            } catch {
                context.recorder.annotate(spawn, "error", .string("\(error)"))
                main.record(.failed, task: spawn)
                throw error
            }
        }

        for _ in 0..<workers {
            do {
                links.append(try start())
            } catch let error as OSError {
                for link in links.compactMap({ $0 }) { link.closeInput(); kill(link.pid, SIGKILL); _ = link.reap() }
                throw StrategyError.cannotStartWorker(index: links.count + 1, error)
            }
        }
        var queue: [(index: Int, task: UInt64, spawned: UInt64)] = []
        queue.reserveCapacity(workload.taskCount)
        for index in 0..<workload.taskCount {
            let task = batch.spawn(index: index)
            queue.append((index, task, MonotonicClock.now()))
        }
        batch.rootWaitsForChildren()

        var next = 0
        var inFlight: [(index: Int, task: UInt64, spawned: UInt64, dispatched: UInt64)?] = Array(repeating: nil, count: links.count)
        var laneOf = Array(lanes.indices)
        var settled = 0

        func settle(_ slot: Int, _ outcome: Result<TaskOutcome, any Error>) {
            guard let item = inFlight[slot] else { return }
            inFlight[slot] = nil
            batch.finish(index: item.index, task: item.task, lane: lanes[laneOf[slot]], outcome: outcome)
            settled += 1
        }

        var usages: [Int: ProcessPoolLog.WorkerEnd] = [:]
        func retire(_ slot: Int, usage: ProcessPoolLog.WorkerEnd?) {
            guard let link = links[slot] else { return }
            usages[slot] = nil
            link.closeInput()
            link.closeOutput()
            let exit = link.reap()
            if inFlight[slot] != nil {
                settle(slot, .failure(WorkerDied(description: "worker \(link.number) (pid \(link.pid)) died: \(exit)")))
            }
            log.add(ProcessPoolLog.WorkerEnd(number: link.number, pid: link.pid, tracePath: link.tracePath,
                                             ended: MonotonicClock.now(), usage: usage?.usage, exit: exit))
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
                if !links[slot]!.send(index: item.index, task: item.task) {
                    // Gone: its end of file is seen below and fails the task with the cause.
                    continue
                }
            }
            let live = links.indices.filter { links[$0] != nil }
            if live.isEmpty {
                // No worker left and none may be started: the tasks not yet handed out fail.
                while next < queue.count {
                    let item = queue[next]
                    next += 1
                    batch.finish(index: item.index, task: item.task, lane: main,
                                 outcome: .failure(WorkerDied(description: "no worker process left")))
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
                        if let replacement = try? start() {
                            links[slot] = replacement
                            laneOf[slot] = lanes.count - 1
                        }
                    }
                    continue
                }
                for line in lines {
                    let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false)
                    if fields.first == "U", fields.count == 5 {
                        usages[slot] = ProcessPoolLog.WorkerEnd(
                            number: link.number, pid: link.pid, tracePath: nil, ended: 0,
                            usage: (Int(fields[1]) ?? 0, Int(fields[2]) ?? 0, Int(fields[3]) ?? 0,
                                    Int(fields[4]) ?? 0), exit: "")
                        continue
                    }
                    guard fields.first == "R", fields.count >= 5, let item = inFlight[slot],
                          Int(fields[1]) == item.index else { continue }
                    log.add(ProcessPoolLog.Handoff(task: item.task, spawned: item.spawned, dispatched: item.dispatched, workerPID: link.pid,
                                                   workerThread: UInt32(fields[3]) ?? 1,
                                                   started: UInt64(fields[2]) ?? item.dispatched))
                    if fields[4] == "ok" {
                        let result = fields.count > 5 && fields[5] != "-" ? UInt128(String(fields[5])) : nil
                        settle(slot, .success(TaskOutcome(result: result)))
                    } else {
                        let text = fields.count > 5 ? String(fields[5]) : "error"
                        settle(slot, .failure(text == "cancelled" ? TaskError.cancelled
                                                  : WorkerReportedError(description: text)))
                    }
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
                let item = queue[next]
                next += 1
                batch.finish(index: item.index, task: item.task, lane: main, outcome: .failure(TaskError.cancelled))
            }
        }
        // Closing stdin asks each worker to finish its trace and report its usage, then exit.
        for link in links.compactMap({ $0 }) { link.closeInput() }
        for slot in links.indices {
            guard let link = links[slot] else { continue }
            while let lines = link.readLines() {
                for line in lines where line.hasPrefix("U ") {
                    let fields = line.split(separator: " ")
                    if fields.count == 5 {
                        usages[slot] = ProcessPoolLog.WorkerEnd(
                            number: link.number, pid: link.pid, tracePath: nil, ended: 0,
                            usage: (Int(fields[1]) ?? 0, Int(fields[2]) ?? 0, Int(fields[3]) ?? 0,
                                    Int(fields[4]) ?? 0), exit: "")
                    }
                }
            }
            retire(slot, usage: usages[slot])
        }
        main.recordOSSwitches()
        return batch.complete(workers: workers)
    }
}
