#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem
import Synchronization

/// The floor under the `eventloop` switch: a bare `TaskExecutor` on one thread with an array queue and the same
/// continuation-based yield as the event loop, but no task table, no task states, no timers, no epoll and no
/// recording. What a switch costs here is what Swift's runtime itself costs for one; `bench switch` measures it
/// beside the event loop every run, so the loop's own bookkeeping and recording show as the distance above it.
final class FloorExecutor: TaskExecutor, @unchecked Sendable {
    // Loop-thread state behind a pointer: no lock and no exclusivity check on the same-thread path.
    private struct LoopState {
        var ready: [UnownedJob] = []
        var running: [UnownedJob] = []
        var yielded: [UnsafeContinuation<Void, Never>] = []
        var resuming: [UnsafeContinuation<Void, Never>] = []
    }

    private let state: UnsafeMutablePointer<LoopState>
    private let inbox = Locked<[UnownedJob]>([])
    private let inboxPending = Atomic<Bool>(false)
    private let loopThread = Atomic<UInt>(0)
    private let stopping = Atomic<Bool>(false)
    private var thread: OSThread?

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: LoopState())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Starts the loop thread.
    func start() throws(OSError) {
        thread = try OSThread(name: "ct-floor") { [self] in run() }
    }

    /// Stops the loop once nothing is ready and waits for its thread.
    func stop() {
        stopping.store(true, ordering: .releasing)
        thread?.join()
        thread = nil
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if pthread_self() == loopThread.load(ordering: .relaxed) {
            state.pointee.ready.append(unowned)
        } else {
            inbox.withLock { $0.append(unowned) }
            inboxPending.store(true, ordering: .releasing)
        }
    }

    /// Lets the other ready tasks run first: the task's continuation is resumed in the loop's next round.
    nonisolated(nonsending) func yield() async {
        let state = self.state
        await withUnsafeContinuation { continuation in state.pointee.yielded.append(continuation) }
    }

    private func run() {
        loopThread.store(pthread_self(), ordering: .releasing)
        let executor = asUnownedTaskExecutor()
        while true {
            if inboxPending.load(ordering: .acquiring) {
                inboxPending.store(false, ordering: .relaxed)
                let arrived = inbox.withLock { queue in
                    defer { queue.removeAll(keepingCapacity: true) }
                    return queue
                }
                state.pointee.ready.append(contentsOf: arrived)
            }
            if !state.pointee.yielded.isEmpty {
                swap(&state.pointee.yielded, &state.pointee.resuming)
                for continuation in state.pointee.resuming { continuation.resume() }
                state.pointee.resuming.removeAll(keepingCapacity: true)
            }
            if state.pointee.ready.isEmpty {
                if stopping.load(ordering: .acquiring) { break }
                sched_yield()
                continue
            }
            swap(&state.pointee.ready, &state.pointee.running)
            for job in state.pointee.running { job.runSynchronously(on: executor) }
            state.pointee.running.removeAll(keepingCapacity: true)
        }
    }
}

extension SwitchBenchmark {
    /// Two tasks on a `FloorExecutor` that yield `rounds` times each: every yield switches to the other task.
    static func floorYields(rounds: Int, clock: HandoffClock) throws -> Double {
        final class Done: Sendable { let count = Atomic<Int>(0) }
        let floor = FloorExecutor()
        try floor.start()
        defer { floor.stop() }
        let done = Done()
        for _ in 0..<2 {
            Task(executorPreference: floor) {
                clock.started()
                for _ in 0..<rounds { await floor.yield() }
                clock.ended()
                done.count.wrappingAdd(1, ordering: .releasing)
            }
        }
        while done.count.load(ordering: .acquiring) < 2 { usleep(1000) }
        return clock.nanosecondsPerSwitch(switches: 2 * rounds)
    }
}
