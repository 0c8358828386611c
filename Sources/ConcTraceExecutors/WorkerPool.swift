#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem
import Synchronization

/// Swift structured concurrency on an instrumented pool of OS threads: a `TaskExecutor` whose jobs go to one
/// shared ready queue that `workers` threads take from, so every enqueue and run is recorded, with the thread
/// that ran it, and a task resumed on another thread than before shows as a hop between worker tracks.
///
/// Sleeps go to a timer thread (never blocking a pool thread); tasks it resumes are enqueued from it.
public final class WorkerPool: TaskExecutor, AsyncWaiter, @unchecked Sendable {
    /// A pool thread's own state, found through a thread-specific key.
    final class Worker: @unchecked Sendable {
        let lane: EventLane
        var current: TaskRecord?
        /// Jobs this thread has run: a task that finds the same count after a wait never left its run.
        var runs: UInt64 = 0
        init(lane: EventLane) { self.lane = lane }
    }

    /// How many threads run tasks.
    public let workers: Int
    private let recorder: Recorder
    private let queue = ReadyQueue<UnownedJob>()
    private let tasks = Locked<[UInt: TaskRecord]>([:])
    let timers: TimerThread
    /// Tasks the pool meets without having spawned them (nil: it runs only conctrace's own tasks).
    package let foreignTasks: ForeignTasks?
    private var threads: [OSThread] = []
    private let workerKey: pthread_key_t

    /// Makes and starts a pool.
    /// - Throws: `ExecutorError.cannotStartThread` if a thread cannot be started.
    public convenience init(workers: Int, recorder: Recorder) throws(ExecutorError) {
        try self.init(workers: workers, recorder: recorder, foreignTasks: nil)
    }

    /// Makes and starts a pool that also records the tasks it did not spawn (`foreignTasks`: a recorded program's).
    /// - Throws: `ExecutorError.cannotStartThread` if a thread cannot be started.
    package init(workers: Int, recorder: Recorder, foreignTasks: ForeignTasks?) throws(ExecutorError) {
        precondition(workers > 0, "a pool needs a worker")
        self.workers = workers
        self.recorder = recorder
        self.foreignTasks = foreignTasks
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        workerKey = key
        let timerLane = recorder.makeLane(name: "async timers")
        do {
            timers = try TimerThread { recorder.bindCurrentThread(to: timerLane) }
        } catch {
            throw .cannotStartThread(index: 0, error)
        }
        for number in 1...workers {
            // The thread that runs the root records the burst of every task's creation (2 events per task) while
            // the writer catches up: its lane grows by segments, within the recorder's lane memory, as the others.
            let worker = Worker(lane: recorder.makeLane(name: "async \(number)"))
            do {
                threads.append(try OSThread(name: "ct-async-\(number)") { [self] in run(worker) })
            } catch {
                stop()
                throw .cannotStartThread(index: number, error)
            }
        }
    }

    deinit {
        pthread_key_delete(workerKey)
    }

    /// Stops the threads once the queue is empty, and the timer thread.
    public func stop() {
        timers.stop()
        queue.close()
        threads.forEach { $0.join() }
        threads.removeAll()
    }

    var currentWorker: Worker? {
        pthread_getspecific(workerKey).map { Unmanaged<Worker>.fromOpaque($0).takeUnretainedValue() }
    }

    /// The lane of the calling thread: a pool thread's own, or the thread's bound lane elsewhere (the timer
    /// thread's, the main thread's; any other thread gets one on first use).
    package var currentLane: EventLane {
        currentWorker?.lane ?? recorder.laneForCurrentThread(name: "other thread")
    }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let address = unowned.address
        let spawned = SpawnSlot.take()
        // A recorded program's runtime jobs (an actor's, Task.yield's) are not tasks: no record to look up.
        let isRuntimeJob = foreignTasks != nil && spawned == nil && !RuntimeTask.isTask(unowned)
        var record = isRuntimeJob ? nil : tasks.withLock { table -> TaskRecord? in
            // A new task takes its address even if a record is still there: that task has ended (its memory is
            // this task's now) and its thread has yet to record its end, which it does through its own reference.
            // Preferring the old record lost about 1 task in 2,000 at 100,000 tasks: its events went to the old
            // record, and its life was never written.
            if let spawned {
                table[address] = spawned
                return spawned
            }
            return table[address]
        }
        if let foreignTasks, isRuntimeJob {
            foreignTasks.runtimeJobEnqueued(unowned, running: currentWorker?.current)
        } else if let foreignTasks, spawned == nil, record?.foreign != nil || record == nil {
            let known = record
            record = foreignTasks.record(for: unowned, known: known, lane: currentWorker?.lane ?? foreignTasks.currentLane)
            if let record, record !== known { tasks.withLock { $0[address] = record } }
        }
        if let record {
            let worker = currentWorker
            let lane = worker?.lane ?? (foreignTasks?.currentLane ?? currentLane)
            if record.foreign != nil {
                foreignTasks?.ready(record, on: lane, waker: worker?.current, wakerKnown: worker != nil)
            } else {
                record.state = .ready
                lane.record(.ready, task: record.id, related: worker?.current?.id ?? 0)
            }
        }
        queue.push(unowned)
    }

    private func run(_ worker: Worker) {
        pthread_setspecific(workerKey, Unmanaged.passUnretained(worker).toOpaque())
        // What this thread records through the recorder (a recorded program's main actor jobs it enqueues) goes to
        // its own lane too.
        if foreignTasks != nil { recorder.bindCurrentThread(to: worker.lane) }
        let executor = asUnownedTaskExecutor()
        let lane = worker.lane
        lane.recordOSSwitches()
        while let job = queue.pop() {
            let address = job.address
            guard foreignTasks == nil || RuntimeTask.isTask(job), let record = tasks.withLock({ $0[address] }),
                  record.foreign == nil || foreignTasks?.matches(record, job) == true else {
                job.runSynchronously(on: executor)
                continue
            }
            worker.current = record
            worker.runs &+= 1
            let slice = foreignTasks?.sliceBegins(record) ?? 0
            record.state = .running
            lane.record(.running, task: record.id)
            job.runSynchronously(on: executor)
            worker.current = nil
            // Stamp before claiming the transition: a thread that resumes the task afterwards stamps later.
            let stamp = MonotonicClock.now()
            if record.foreign != nil {
                foreignTasks?.sliceEnded(record, slice: slice, on: lane, at: stamp)
            } else if let ending = record.takeEnding() {
                // Its body ended during this run; the slice ends now (the runtime woke its parent in between).
                ending.record(task: record.id, on: lane, at: stamp)
                tasks.withLock { table in
                    if table[address] === record { table.removeValue(forKey: address) }
                }
            } else if record.transition(from: .running, to: .waiting) {
                lane.append(TraceEvent(timestamp: stamp, kind: .waiting, task: record.id, worker: lane.worker,
                                       reason: record.takeExpectedWait()))
            }
        }
        lane.recordOSSwitches()
        pthread_setspecific(workerKey, nil)
    }

    // MARK: Waiting (AsyncWaiter)

    nonisolated(nonsending) public func sleep(nanoseconds: UInt64) async {
        let deadline = MonotonicClock.now() &+ nanoseconds
        let worker = currentWorker
        let record = worker?.current
        let run = worker?.runs
        if let worker, let record {
            record.state = .waiting
            worker.lane.record(.waiting, task: record.id, reason: .timer)
        }
        await withUnsafeContinuation { continuation in timers.schedule(deadline, continuation) }
        // A continuation resumed before its task finished suspending lets the task run on in the same job, with no
        // enqueue to record: the wait ended now, and the task runs again on this thread (a zero-length `ready`).
        if let worker, let record, currentWorker === worker, worker.runs == run, worker.current === record,
           record.transition(from: .waiting, to: .running) {
            worker.lane.record(.ready, task: record.id)
            worker.lane.record(.running, task: record.id)
        }
    }

    nonisolated(nonsending) public func yield() async {
        if let worker = currentWorker, let record = worker.current {
            record.state = .waiting
            worker.lane.record(.waiting, task: record.id, reason: .yield)
        }
        await Task.yield()
    }

    public func willWait(_ reason: WaitReason) {
        expectWait(reason)
    }

    /// The running task expects to wait for `reason` when its slice ends (e.g. for its children).
    package func expectWait(_ reason: WaitReason) {
        currentWorker?.current?.expectWait(reason)
    }
}
