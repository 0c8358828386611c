#if canImport(Glibc)
import Glibc
#endif
import CLinux
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads
import Synchronization

/// What one switch between two tasks costs under each strategy, measured with the real strategies and recorder.
///
/// - `threads`: two OS threads of the pool hand a token back and forth with semaphores (futex): every switch is a
///   kernel wake-up and context switch. `threads-1core` pins both to CPU 0.
/// - `async`: two Swift tasks on the 2-thread async pool hand a token through continuations.
/// - `eventloop`: two tasks on the loop alternate with the loop's own yield (a continuation resumed next round).
/// - `floor`: the same two tasks on a bare `TaskExecutor` with an array queue and the same yield, no bookkeeping and
///   no recording (`FloorExecutor`): the Swift runtime's own cost of a switch, so the event loop's distance from it
///   is measured side by side (not instrumented).
/// - `global-executor`: the same two yielding tasks on Swift's default executor, for comparison (not instrumented).
/// - `processes`: this process and a worker process (this binary, `conctrace worker ... --echo`, started with
///   posix_spawn as the processes strategy starts its workers) hand a byte back and forth over two pipes: every
///   switch is a pipe write, a wake-up and a context switch between processes (not instrumented: no task in it).
///
/// Each run times the hand-offs from inside the tasks (no pool start-up), divided by the number of switches.
public enum SwitchBenchmark {
    /// The cases measured, by the name reported.
    public enum Case: String, Sendable, CaseIterable {
        case threads
        case threadsOneCore = "threads-1core"
        case async
        case eventloop
        case floor
        case globalExecutor = "global-executor"
        case processes

        /// Switches per run: enough for a run to take tens of milliseconds.
        var switches: Int {
            switch self {
            case .threads, .threadsOneCore, .processes: 20_000
            case .async, .globalExecutor: 40_000
            case .eventloop, .floor: 200_000
            }
        }

        /// Whether conctrace's recorder can see this case's switches.
        public var isInstrumented: Bool { self != .globalExecutor && self != .processes && self != .floor }

        /// Whether one thread runs both tasks, so its CPU clock measures the switches too.
        var runsOnOneThread: Bool { self == .eventloop || self == .floor }
    }

    /// One run of a case.
    public struct Run: Sendable {
        /// Nanoseconds per switch on the wall clock.
        public var nanoseconds: Double
        /// CPU nanoseconds per switch of the one thread that ran both tasks (eventloop, floor); nil otherwise. On a
        /// machine shared with other work it leaves out the time the thread waited for a core.
        public var cpuNanoseconds: Double?
    }

    /// Measures `benchmark` once (the caller repeats and summarizes).
    /// - Parameters:
    ///   - recording: record every switch (into a discarding sink, with the drain thread running).
    ///   - echo: how to start the `processes` case's echoing worker (required for that case).
    public static func measure(_ benchmark: Case, recording: Bool, echo: ProcessWorkerLaunch? = nil) throws -> Run {
        let clock = HandoffClock()
        let nanoseconds = try measureOnce(benchmark, recording: recording, echo: echo, clock: clock)
        let cpu = benchmark.runsOnOneThread
            ? clock.cpuNanosecondsPerSwitch(switches: 2 * (benchmark.switches / 2)) : nil
        return Run(nanoseconds: nanoseconds, cpuNanoseconds: cpu)
    }

    private static func measureOnce(_ benchmark: Case, recording: Bool, echo: ProcessWorkerLaunch?,
                                    clock: HandoffClock) throws -> Double {
        let rounds = benchmark.switches / 2
        if benchmark == .globalExecutor { return globalExecutorYields(rounds: rounds) }
        if benchmark == .floor { return try floorYields(rounds: rounds, clock: clock) }
        if benchmark == .processes {
            guard let echo else { preconditionFailure("the processes case needs the echoing worker's launch") }
            return try pipePingPong(rounds: rounds, echo: echo)
        }
        let recorder = recording ? Recorder(sink: DiscardingSink()) : Recorder(configuration: .init(enabled: false), sink: nil)
        defer { recorder.finish() }
        let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"),
                                 cancellation: Cancellation())
        switch benchmark {
        case .threads, .threadsOneCore:
            let workload = PingPong(rounds: rounds, clock: clock, pinToCPU: benchmark == .threadsOneCore ? 0 : nil)
            _ = try ThreadPoolStrategy(workers: 2).run(workload, in: context)
        case .async:
            _ = try AsyncPoolStrategy(workers: 2).run(PingPong(rounds: rounds, clock: clock, pinToCPU: nil), in: context)
        case .eventloop:
            _ = try EventLoopStrategy().run(Yielding(rounds: rounds, clock: clock), in: context)
        case .globalExecutor, .processes, .floor:
            break
        }
        return clock.nanosecondsPerSwitch(switches: 2 * rounds)
    }

    /// A byte to a worker process and back, `rounds` times: two switches each.
    /// - Throws: `OSError` if the worker cannot be started, or a pipe fails.
    private static func pipePingPong(rounds: Int, echo launch: ProcessWorkerLaunch) throws -> Double {
        signal(SIGPIPE, SIG_IGN)
        let link = try ProcessWorkerLink(number: 1, launch: launch)
        defer {
            link.closeInput()
            link.closeOutput()
            _ = link.reap()
        }
        var byte: [UInt8] = [1]
        let (input, output) = (FileDescriptor(rawValue: link.input), FileDescriptor(rawValue: link.output))
        func pass() throws {
            try input.writeAll(byte)
            let count = try byte.withUnsafeMutableBytes { raw in
                Result { () throws(OSError) in try output.read(into: raw) }
            }.get()
            if count == 0 { throw OSError(call: "read (switch benchmark pipe)", errno: EPIPE) }
        }
        // One round trip first: the worker has started and is waiting in read.
        try pass()
        let started = MonotonicClock.now()
        for _ in 0..<rounds { try pass() }
        let ended = MonotonicClock.now()
        return Double(ended &- started) / Double(2 * rounds)
    }

    private static func globalExecutorYields(rounds: Int) -> Double {
        final class Done: Sendable { let count = Atomic<Int>(0) }
        let clock = HandoffClock()
        let done = Done()
        for _ in 0..<2 {
            Task.detached {
                clock.started()
                for _ in 0..<rounds { await Task.yield() }
                clock.ended()
                done.count.wrappingAdd(1, ordering: .releasing)
            }
        }
        while done.count.load(ordering: .acquiring) < 2 { usleep(1000) }
        return clock.nanosecondsPerSwitch(switches: 2 * rounds)
    }
}

/// The span of a benchmark's hand-offs: from the first task's start to the last task's end, on the wall clock and,
/// for the cases whose tasks all run on one thread (the event loop, the floor), on that thread's CPU clock.
final class HandoffClock: Sendable {
    private let first = Atomic<UInt64>(.max)
    private let last = Atomic<UInt64>(0)
    private let firstCPU = Atomic<UInt64>(0)
    private let lastCPU = Atomic<UInt64>(0)

    func started() {
        let now = MonotonicClock.now()
        let cpu = Self.threadCPUTime()
        var current = first.load(ordering: .relaxed)
        while now < current {
            let (exchanged, original) = first.compareExchange(expected: current, desired: now, ordering: .relaxed)
            if exchanged {
                firstCPU.store(cpu, ordering: .relaxed)
                break
            }
            current = original
        }
    }

    func ended() {
        let now = MonotonicClock.now()
        let cpu = Self.threadCPUTime()
        if last.max(now, ordering: .relaxed).oldValue < now { lastCPU.store(cpu, ordering: .relaxed) }
    }

    /// The calling thread's CPU time (user and system), in nanoseconds.
    static func threadCPUTime() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// CPU nanoseconds per switch of the thread the tasks ran on: meaningful only when one thread ran them all.
    func cpuNanosecondsPerSwitch(switches: Int) -> Double {
        Double(lastCPU.load(ordering: .relaxed) &- firstCPU.load(ordering: .relaxed)) / Double(switches)
    }

    func nanosecondsPerSwitch(switches: Int) -> Double {
        Double(last.load(ordering: .relaxed) &- first.load(ordering: .relaxed)) / Double(switches)
    }
}

/// Two tasks handing a token back and forth `rounds` times each: on threads through semaphores (each wait is the
/// task `waiting`, reason `queue`), on executors through continuations.
final class PingPong: Workload, @unchecked Sendable {
    let rounds: Int
    let clock: HandoffClock
    let pinToCPU: Int32?
    private let semaphores: UnsafeMutablePointer<sem_t>
    private let arrived = Atomic<Int>(0)
    private let baton = Locked<UnsafeContinuation<Void, Never>?>(nil)

    var name: String { "pingpong" }
    var taskCount: Int { 2 }
    var taskLabel: StaticString { "pingpong" }
    var parameters: [(key: String, value: AnnotationValue)] { [("rounds", .int(Int64(rounds)))] }

    init(rounds: Int, clock: HandoffClock, pinToCPU: Int32?) {
        self.rounds = rounds
        self.clock = clock
        self.pinToCPU = pinToCPU
        semaphores = .allocate(capacity: 2)
        sem_init(semaphores, 0, 0)
        sem_init(semaphores + 1, 0, 0)
    }

    deinit {
        sem_destroy(semaphores)
        sem_destroy(semaphores + 1)
        semaphores.deallocate()
    }

    func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome {
        if let pinToCPU { _ = ct_pin_current_thread(pinToCPU) }
        let mine = semaphores + index
        let other = semaphores + (1 - index)
        // Both threads present before the clock starts.
        arrived.wrappingAdd(1, ordering: .acquiringAndReleasing)
        while arrived.load(ordering: .acquiring) < 2 { sched_yield() }
        clock.started()
        for _ in 0..<rounds {
            if index == 0 {
                sem_post(other)
                context.blockingWait(.queue) { while sem_wait(mine) != 0 {} }
            } else {
                context.blockingWait(.queue) { while sem_wait(mine) != 0 {} }
                sem_post(other)
            }
        }
        clock.ended()
        return TaskOutcome()
    }

    nonisolated(nonsending) func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
        clock.started()
        for _ in 0..<rounds {
            context.waiter.willWait(.queue)
            await pass()
        }
        // Release the other task from its last wait.
        baton.withLock { parked -> UnsafeContinuation<Void, Never>? in
            defer { parked = nil }
            return parked
        }?.resume()
        clock.ended()
        return TaskOutcome()
    }

    /// Parks the calling task and wakes the other one (if it is parked): one switch.
    nonisolated(nonsending) private func pass() async {
        await withUnsafeContinuation { (me: UnsafeContinuation<Void, Never>) in
            let other = baton.withLock { parked -> UnsafeContinuation<Void, Never>? in
                defer { parked = me }
                return parked
            }
            other?.resume()
        }
    }
}

/// Two tasks that yield `rounds` times each: on one event loop, every yield switches to the other task.
final class Yielding: Workload, Sendable {
    let rounds: Int
    let clock: HandoffClock

    var name: String { "yield" }
    var taskCount: Int { 2 }
    var taskLabel: StaticString { "yield" }
    var parameters: [(key: String, value: AnnotationValue)] { [("rounds", .int(Int64(rounds)))] }

    init(rounds: Int, clock: HandoffClock) {
        self.rounds = rounds
        self.clock = clock
    }

    func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome {
        for _ in 0..<rounds { sched_yield() }
        return TaskOutcome()
    }

    nonisolated(nonsending) func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
        clock.started()
        for _ in 0..<rounds { await context.waiter.yield() }
        clock.ended()
        return TaskOutcome()
    }
}
