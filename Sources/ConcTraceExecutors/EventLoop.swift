#if canImport(Glibc)
import Glibc
#endif
import CLinux
import ConcTraceRecorder
import ConcTraceSystem
import DequeModule
import Synchronization

/// One thread running many tasks, like asyncio's event loop: a Swift `TaskExecutor` whose jobs all run on its
/// thread, one at a time, switching only where a task waits.
///
/// ```
///   enqueue on the loop thread ──────────────▶ ready (Deque, no lock) ──▶ run one job at a time
///   enqueue from another thread ─▶ inbox (lock) + eventfd ─┘      ▲
///   timers (heap, timerfd): sleeps and callbacks ────────────────┤
///   epoll (eventfd, timerfd, watched fds) ── callbacks ───────────┘
/// ```
///
/// Lifecycle recorded at the executor: a task's job enqueued is `ready` (with the task running at that moment as
/// its waker), a job run is a `running` slice, and a task that suspends is `waiting` with the reason it gave
/// (`sleep`: timer, a task group: child); a task that yields is `ready` at once (reason `yield`). The loop-only
/// state lives behind a pointer: the same-thread path takes no lock and pays no exclusivity check.
public final class EventLoop: TaskExecutor, AsyncWaiter, @unchecked Sendable {
    /// A callback for a watched file descriptor, given the epoll events that fired. Runs on the loop thread.
    public typealias Watcher = (UInt32) -> Void

    struct ReadyJob {
        var job: UnownedJob
        var record: TaskRecord?
    }

    struct LoopState {
        var ready = Deque<ReadyJob>()
        var yielded: [UnsafeContinuation<Void, Never>] = []
        /// The yielded continuations being resumed (swapped with `yielded`, so neither array is copied).
        var resuming: [UnsafeContinuation<Void, Never>] = []
        /// How the `ready` of a task enqueued now is stamped: the clock, unless a batch of tasks is made ready at
        /// once (those whose sleep ended: one clock read for the batch) or their `ready` was recorded already
        /// (those that yielded, ready from their yield on).
        var readyTime = ReadyTime.clock
        /// The due timer actions of a round (kept, so its memory is reused).
        var dueActions: [() -> Void] = []
        var tasks: [UInt: TaskRecord] = [:]
        var current: TaskRecord?
        /// Actions at deadlines: a sleep's resumption, or a reactor callback (`schedule(at:_:)`, e.g. curl's).
        var timers = TimerHeap<() -> Void>()
        var armedDeadline: UInt64 = 0
        var watchers: [Int32: Watcher] = [:]
        var executor: UnownedTaskExecutor?
    }

    /// How an enqueued task's `ready` is stamped (see `LoopState.readyTime`).
    enum ReadyTime {
        /// A clock read at the enqueue.
        case clock
        /// The time a batch became ready together.
        case batch(UInt64)
        /// Already recorded: nothing to record at the enqueue.
        case recorded
    }

    private struct RemoteJob: Sendable {
        var job: UnownedJob
        var timestamp: UInt64
        var spawned: TaskRecord?
    }

    /// The loop thread's lane: only the loop thread records into it.
    public let lane: EventLane
    /// Tasks the loop meets without having spawned them (nil: it runs only conctrace's own tasks).
    package let foreignTasks: ForeignTasks?
    let state: UnsafeMutablePointer<LoopState>
    private let inbox = Locked<[RemoteJob]>([])
    private let inboxPending = Atomic<Bool>(false)
    private let loopThread = Atomic<UInt>(0)
    private let stopping = Atomic<Bool>(false)
    private let thread = Locked<OSThread?>(nil)
    private let epollDescriptor: Int32
    private let wakeDescriptor: Int32
    private let timerDescriptor: Int32

    /// Makes a loop (not yet running).
    /// - Parameters:
    ///   - recorder: where the loop records; its lane is made here.
    ///   - laneCapacity: the most events the loop's lane holds before they are drained; nil for the recorder's
    ///     default. One thread records every event of every task, in bursts (a million tasks created at once) that
    ///     the lane absorbs by growing, within the recorder's lane memory, while the writer catches up.
    ///   - name: the loop thread's worker name in the trace (`async io` for a loop used only as a reactor).
    /// - Throws: `OSError` if epoll, eventfd or timerfd cannot be created.
    public convenience init(recorder: Recorder, laneCapacity: Int? = nil, name: String = "eventloop")
        throws(OSError)
    {
        try self.init(recorder: recorder, laneCapacity: laneCapacity, name: name, foreignTasks: nil)
    }

    /// Makes a loop that also records the tasks it did not spawn (`foreignTasks`: a recorded program's).
    /// - Throws: `OSError` if epoll, eventfd or timerfd cannot be created.
    package init(recorder: Recorder, laneCapacity: Int? = nil, name: String = "eventloop",
                 foreignTasks: ForeignTasks?) throws(OSError) {
        self.foreignTasks = foreignTasks
        lane = recorder.makeLane(name: name, capacity: laneCapacity)
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw OSError(call: "epoll_create1", errno: errno) }
        let wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wake >= 0 else {
            close(epoll)
            throw OSError(call: "eventfd", errno: errno)
        }
        let timer = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_CLOEXEC | TFD_NONBLOCK))
        guard timer >= 0 else {
            close(epoll)
            close(wake)
            throw OSError(call: "timerfd_create", errno: errno)
        }
        epollDescriptor = epoll
        wakeDescriptor = wake
        timerDescriptor = timer
        state = .allocate(capacity: 1)
        state.initialize(to: LoopState())
        for fd in [wake, timer] {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = fd
            guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else {
                throw OSError(call: "epoll_ctl", errno: errno)
            }
        }
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
        close(epollDescriptor)
        close(wakeDescriptor)
        close(timerDescriptor)
    }

    // MARK: Lifecycle of the loop

    /// Starts the loop thread.
    public func start() throws(OSError) {
        let started = try OSThread(name: "ct-eventloop") { [self] in run() }
        thread.withLock { $0 = started }
    }

    /// Stops the loop once nothing is ready, and waits for its thread. Call after the work has ended.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        signalWake()
        let running = thread.withLock { current -> OSThread? in
            defer { current = nil }
            return current
        }
        running?.join()
    }

    /// Whether the caller runs on the loop thread.
    public var inLoopThread: Bool { pthread_self() == loopThread.load(ordering: .acquiring) }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if inLoopThread {
            enqueueLocal(unowned, spawned: SpawnSlot.take(), timestamp: nil)
        } else {
            var spawned = SpawnSlot.take()
            // A new task is named by its creation, which is in progress on this thread now.
            if spawned == nil, let foreignTasks {
                spawned = foreignTasks.record(for: unowned, known: nil, lane: foreignTasks.currentLane)
            }
            let remote = RemoteJob(job: unowned, timestamp: MonotonicClock.now(), spawned: spawned)
            let wasEmpty = inbox.withLock { queue in
                queue.append(remote)
                return queue.count == 1
            }
            inboxPending.store(true, ordering: .releasing)
            if wasEmpty { signalWake() }
        }
    }

    /// The same-thread path: no lock. A job from another thread arrives here with the time it was enqueued.
    func enqueueLocal(_ job: UnownedJob, spawned: TaskRecord?, timestamp: UInt64?) {
        let address = job.address
        var record = state.pointee.tasks[address]
        if record == nil, let spawned, spawned.foreign == nil {
            state.pointee.tasks[address] = spawned
            record = spawned
        }
        if let foreignTasks, spawned?.foreign != nil || (spawned == nil && record?.foreign != nil) || record == nil {
            let known = record
            record = spawned ?? foreignTasks.record(for: job, known: known, lane: lane)
            if let record, record !== known { state.pointee.tasks[address] = record }
            if record == nil { foreignTasks.runtimeJobEnqueued(job, running: state.pointee.current) }
        }
        if let record, record.foreign != nil {
            foreignTasks?.ready(record, on: lane, waker: state.pointee.current, wakerKnown: timestamp == nil,
                                at: timestamp)
        } else if let record {
            record.state = .ready
            if let timestamp {
                lane.append(TraceEvent(timestamp: timestamp, kind: .ready, task: record.id, worker: lane.worker))
            } else {
                switch state.pointee.readyTime {
                case .clock: lane.record(.ready, task: record.id, related: state.pointee.current?.id ?? 0)
                case .batch(let stamp):
                    lane.append(TraceEvent(timestamp: stamp, kind: .ready, task: record.id, worker: lane.worker))
                case .recorded: break
                }
            }
        }
        state.pointee.ready.append(ReadyJob(job: job, record: record))
    }

    // MARK: Waiting (AsyncWaiter)

    /// Suspends the calling task until `nanoseconds` have passed, on the loop's timer heap (reason `timer`).
    nonisolated(nonsending) public func sleep(nanoseconds: UInt64) async {
        let deadline = MonotonicClock.now() &+ nanoseconds
        let state = self.state
        guard inLoopThread, let record = state.pointee.current else {
            // Not a task of this loop: wait on the loop anyway, unrecorded.
            await withUnsafeContinuation { continuation in schedule(deadline, continuation) }
            return
        }
        record.state = .waiting
        lane.record(.waiting, task: record.id, reason: .timer)
        await withUnsafeContinuation { continuation in
            state.pointee.timers.insert(deadline: deadline) { continuation.resume() }
        }
    }

    /// Lets the other ready tasks run first, like asyncio's `sleep(0)`: the task runs again in the loop's next
    /// round, after what is ready now. It waits for nothing but its turn, so it goes from `running` straight to
    /// `ready` (reason `yield`) at the yield, and its time in line is `ready` time. Cheaper than `Task.yield()`
    /// (which also works on the loop, through an extra runtime job): one job per yield. A task of a recorded
    /// program yields through `Task.yield()`, which `ForeignTasks` follows.
    nonisolated(nonsending) public func yield() async {
        let state = self.state
        guard inLoopThread, let record = state.pointee.current, record.foreign == nil else {
            await Task.yield()
            return
        }
        record.state = .ready
        lane.record(.ready, task: record.id, reason: .yield)
        await withUnsafeContinuation { continuation in state.pointee.yielded.append(continuation) }
    }

    public func willWait(_ reason: WaitReason) {
        expectWait(reason)
    }

    /// The running task expects to wait for `reason` when its slice ends (e.g. for its children).
    package func expectWait(_ reason: WaitReason) {
        if inLoopThread { state.pointee.current?.expectWait(reason) }
    }

    private func schedule(_ deadline: UInt64, _ continuation: UnsafeContinuation<Void, Never>) {
        if inLoopThread {
            state.pointee.timers.insert(deadline: deadline) { continuation.resume() }
        } else {
            // From another thread: hop onto the loop with a tiny task of its own.
            Task(executorPreference: self) { [self] in
                await withUnsafeContinuation { inner in
                    state.pointee.timers.insert(deadline: deadline) { inner.resume() }
                }
                continuation.resume()
            }
        }
    }

    // MARK: Callbacks at deadlines

    /// Calls `action` on the loop thread at `deadline` (monotonic nanoseconds), outside any task's slice; a
    /// deadline already past fires in the loop's next round. Call on the loop thread (no lock is taken).
    public func schedule(at deadline: UInt64, _ action: @escaping () -> Void) {
        precondition(inLoopThread, "schedule(at:) is for the loop thread")
        state.pointee.timers.insert(deadline: deadline, action)
    }

    // MARK: File descriptors

    /// Watches `fd` for `events` (EPOLLIN, EPOLLOUT ...), calling `watcher` on the loop thread when they fire.
    /// Call on the loop thread. Watching an fd again replaces its events and callback.
    public func watch(_ fd: Int32, events: UInt32, _ watcher: @escaping Watcher) throws(OSError) {
        precondition(inLoopThread, "watch is for the loop thread")
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        let operation = state.pointee.watchers[fd] == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        guard epoll_ctl(epollDescriptor, operation, fd, &event) == 0 else {
            throw OSError(call: "epoll_ctl", errno: errno)
        }
        state.pointee.watchers[fd] = watcher
    }

    /// Stops watching `fd`. Call on the loop thread.
    public func unwatch(_ fd: Int32) {
        precondition(inLoopThread, "unwatch is for the loop thread")
        guard state.pointee.watchers.removeValue(forKey: fd) != nil else { return }
        var event = epoll_event()
        epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, fd, &event)
    }

    // MARK: The loop

    private func run() {
        loopThread.store(pthread_self(), ordering: .releasing)
        foreignTasks?.bindCurrentThread(to: lane)
        state.pointee.executor = asUnownedTaskExecutor()
        lane.recordOSSwitches()
        while true {
            if inboxPending.load(ordering: .acquiring) { drainInbox() }
            fireDueTimers()
            resumeYielded()
            if !state.pointee.ready.isEmpty {
                // Run what is ready now; what these jobs make ready runs in the next round, after timers and I/O.
                var budget = state.pointee.ready.count
                while budget > 0, let ready = state.pointee.ready.popFirst() {
                    budget -= 1
                    runJob(ready)
                }
                if !state.pointee.watchers.isEmpty { poll(timeout: 0) }
                continue
            }
            if !state.pointee.yielded.isEmpty { continue }
            if stopping.load(ordering: .acquiring) && !inboxPending.load(ordering: .acquiring) { break }
            poll(timeout: -1)
        }
        lane.recordOSSwitches()
    }

    private func runJob(_ ready: ReadyJob) {
        let executor = state.pointee.executor!
        let job = ready.job
        guard let record = ready.record else {
            // A runtime helper job (e.g. the hop of Task.yield): it is the executor's own work, not a task slice.
            job.runSynchronously(on: executor)
            return
        }
        state.pointee.current = record
        let slice = foreignTasks?.sliceBegins(record) ?? 0
        record.state = .running
        lane.record(.running, task: record.id)
        job.runSynchronously(on: executor)
        state.pointee.current = nil
        if record.foreign != nil {
            foreignTasks?.sliceEnded(record, slice: slice, on: lane, at: MonotonicClock.now())
        } else if let ending = record.takeEnding() {
            // Its body ended during this run; the slice ends now (the runtime woke its parent in between).
            ending.record(task: record.id, on: lane)
            state.pointee.tasks.removeValue(forKey: job.address)
        } else if record.state == .running {
            // It suspended without saying why here: the reason it announced, if any.
            record.state = .waiting
            lane.record(.waiting, task: record.id, reason: record.takeExpectedWait())
        }
    }

    private func drainInbox() {
        inboxPending.store(false, ordering: .releasing)
        let arrived = inbox.withLock { queue -> [RemoteJob] in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        for remote in arrived {
            enqueueLocal(remote.job, spawned: remote.spawned, timestamp: remote.timestamp)
        }
    }

    /// Tasks that yielded in the last round go back in line now; each is `ready` since its yield (recorded then).
    private func resumeYielded() {
        guard !state.pointee.yielded.isEmpty else { return }
        swap(&state.pointee.yielded, &state.pointee.resuming)
        state.pointee.readyTime = .recorded
        for continuation in state.pointee.resuming { continuation.resume() }
        state.pointee.readyTime = .clock
        state.pointee.resuming.removeAll(keepingCapacity: true)
    }

    /// Runs the actions whose deadlines have passed: only those due now (an action that schedules another for
    /// now has it run in the next round).
    /// The tasks they wake (sleeps that ended) are all ready from `now`, the time the loop saw them due: one clock
    /// read stamps their `ready` events, and the time the loop takes to resume the batch is theirs to wait.
    private func fireDueTimers() {
        guard let next = state.pointee.timers.nextDeadline else { return }
        let now = MonotonicClock.now()
        guard next <= now else { return }
        var due = state.pointee.dueActions
        state.pointee.dueActions = []
        while let action = state.pointee.timers.popDue(now: now) { due.append(action) }
        state.pointee.readyTime = .batch(now)
        for action in due { action() }
        state.pointee.readyTime = .clock
        due.removeAll(keepingCapacity: true)
        state.pointee.dueActions = due
    }

    /// Waits for the wake-up eventfd, the timer or a watched fd (timeout in ms: -1 forever, 0 just look).
    private func poll(timeout: Int32) {
        armTimer()
        var events = (epoll_event(), epoll_event(), epoll_event(), epoll_event(),
                      epoll_event(), epoll_event(), epoll_event(), epoll_event())
        let count = withUnsafeMutableBytes(of: &events) { buffer in
            epoll_wait(epollDescriptor, buffer.baseAddress!.assumingMemoryBound(to: epoll_event.self), 8, timeout)
        }
        guard count > 0 else { return }
        withUnsafeBytes(of: &events) { buffer in
            let fired = buffer.baseAddress!.assumingMemoryBound(to: epoll_event.self)
            for index in 0..<Int(count) {
                let fd = fired[index].data.fd
                let mask = fired[index].events
                if fd == wakeDescriptor || fd == timerDescriptor {
                    var value: UInt64 = 0
                    _ = read(fd, &value, 8)
                    if fd == timerDescriptor { state.pointee.armedDeadline = 0 }
                } else if let watcher = state.pointee.watchers[fd] {
                    watcher(mask)
                }
            }
        }
    }

    /// Points the timerfd at the earliest deadline, when that changed.
    private func armTimer() {
        guard let next = state.pointee.timers.nextDeadline, next != state.pointee.armedDeadline else { return }
        state.pointee.armedDeadline = next
        var spec = itimerspec()
        spec.it_value = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
        timerfd_settime(timerDescriptor, Int32(TFD_TIMER_ABSTIME), &spec, nil)
    }

    private func signalWake() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }
}
