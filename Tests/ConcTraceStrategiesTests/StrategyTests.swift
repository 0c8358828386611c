import ConcTraceRecorder
import ConcTraceWorkloads
import Synchronization
import Testing
import ConcTraceSystem

@testable import ConcTraceStrategies

/// Keeps every event, for checking lifecycles.
final class EventCollector: TraceSink, @unchecked Sendable {
    private let collected = Locked<[TraceEvent]>([])
    var events: [TraceEvent] { collected.withLock { $0 } }
    func workerStarted(worker: UInt32, name: String) throws {}
    private let taken = Locked<[UInt64: String]>([:])
    /// The `error` annotation of each failed task, taken as a writer would when it sees the failure.
    var errors: [UInt64: String] { taken.withLock { $0 } }
    func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws {
        collected.withLock { $0.append(contentsOf: events) }
        for event in events where event.kind == .failed {
            for (key, value) in annotations.take(event.task) where key == "error" {
                if case .string(let text) = value { taken.withLock { $0[event.task] = text } }
            }
        }
    }
    func checkpoint(_ stats: RecorderStats) throws {}
    func finish(_ stats: RecorderStats) throws {}
}

/// Runs a workload under a strategy with recording on; returns the result and every event.
func record(_ workload: any Workload, _ strategy: any Strategy,
            cancellation: Cancellation = Cancellation()) throws -> (RunResult, [TraceEvent]) {
    let sink = EventCollector()
    let recorder = Recorder(sink: sink)
    let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"), cancellation: cancellation)
    let result = try strategy.run(workload, in: context)
    let stats = recorder.finish()
    #expect(stats.dropped == 0)
    return (result, sink.events)
}

/// Each task's states in the order the sink saw them.
func lifecycles(_ events: [TraceEvent]) -> [UInt64: [EventKind]] {
    var byTask: [UInt64: [EventKind]] = [:]
    for event in events where event.task != 0 { byTask[event.task, default: []].append(event.kind) }
    return byTask
}

@Suite("strategies")
struct StrategyTests {
    @Test("every task is created, ready, running, done, in that order, with exact results",
          arguments: StrategyKind.inProcess)
    func cpuLifecycles(kind: StrategyKind) throws {
        let workload = CPUWorkload(tasks: 12, base: 20_000)
        let strategy = makeStrategy(kind, workers: kind == .sequential ? nil : 3, tasks: 12)
        let (result, events) = try record(workload, strategy)
        #expect(result.done == 12 && result.failed == 0 && result.cancelled == 0)
        for index in 0..<12 {
            #expect(result.outcomes[index]?.result == CPUWorkload.closedForm(below: 20_000 + index))
        }
        let tasks = lifecycles(events)
        #expect(tasks.count == 13)  // the root and its 12 children
        let children = events.filter { $0.kind == .created && $0.label.text == "cpu" }
        #expect(children.count == 12)
        #expect(Set(children.map { Int($0.value) }) == Set(0..<12))
        for child in children {
            #expect(tasks[child.task] == [.created, .ready, .running, .done])
        }
        let root = try #require(events.first { $0.kind == .created && $0.label.text == "main" })
        #expect(tasks[root.task] == [.created, .ready, .running, .waiting, .ready, .running, .done])
        #expect(children.allSatisfy { $0.related == root.task })
        // The root's wake-up names the task that ended last, which recorded it before its own end.
        let wake = try #require(events.last { $0.kind == .ready && $0.task == root.task })
        #expect(wake.related != 0)
        let lastDone = try #require(events.last { $0.kind == .done && $0.task != root.task })
        #expect(wake.related == lastDone.task)
        #expect(wake.timestamp <= lastDone.timestamp)
    }

    @Test("a pool runs tasks on its own workers, never two slices at once on one worker")
    func poolWorkers() throws {
        let workload = SleepWorkload(tasks: 8, steps: 2, sleepNanoseconds: 2_000_000)
        let (result, events) = try record(workload, ThreadPoolStrategy(workers: 4))
        #expect(result.done == 8)
        let workers = Set(events.filter { $0.kind == .running && $0.worker != 1 }.map(\.worker))
        #expect(workers.count >= 2 && workers.count <= 4)
        // Per worker: running, then that task's next event, before the next running.
        var current: [UInt32: UInt64] = [:]
        for event in events {
            if event.kind == .running {
                #expect(current[event.worker] == nil, "worker \(event.worker) started a slice inside another")
                current[event.worker] = event.task
            } else if [.waiting, .done, .failed, .cancelled].contains(event.kind),
                      current[event.worker] == event.task {
                current[event.worker] = nil
            } else if event.kind == .ready, current[event.worker] == event.task {
                current[event.worker] = nil
            }
        }
        // Each sleeping task: waiting (timer) twice, each followed by ready and running.
        for (_, kinds) in lifecycles(events) where kinds.count == 10 {
            #expect(kinds == [.created, .ready, .running, .waiting, .ready, .running, .waiting, .ready, .running, .done])
        }
    }

    @Test("10 threads run 20 sleeping tasks in two rounds, not twenty")
    func poolConcurrency() throws {
        let workload = SleepWorkload(tasks: 20, steps: 1, sleepNanoseconds: 50_000_000)
        let (result, _) = try record(workload, ThreadPoolStrategy(workers: 10))
        #expect(result.done == 20)
        // A physical lower bound (two rounds of 50 ms) and a generous upper one (far below 20 rounds).
        #expect(result.wallNanoseconds >= 100_000_000)
        #expect(result.wallNanoseconds < 600_000_000)
    }

    @Test("every sleeping task waits on a timer at each step, under every strategy", arguments: StrategyKind.inProcess)
    func sleepLifecycles(kind: StrategyKind) throws {
        let workload = SleepWorkload(tasks: 30, steps: 2, sleepNanoseconds: 2_000_000)
        let (result, events) = try record(workload, makeStrategy(kind, workers: 4, tasks: 30))
        #expect(result.done == 30)
        let children = events.filter { $0.kind == .created && $0.label.text == "sleep" }
        #expect(children.count == 30)
        let tasks = lifecycles(events)
        for child in children {
            #expect(tasks[child.task] == [.created, .ready, .running, .waiting, .ready, .running, .waiting, .ready,
                                          .running, .done])
        }
        #expect(events.filter { $0.kind == .waiting && $0.label.text.isEmpty }
            .allSatisfy { $0.reason == .timer || $0.reason == .child })
    }

    @Test("one event loop thread runs CPU work one task at a time")
    func loopRunsOneAtATime() throws {
        let (result, events) = try record(CPUWorkload(tasks: 6, base: 200_000), EventLoopStrategy())
        #expect(result.done == 6)
        let slices = events.filter { $0.kind == .running && $0.label.text.isEmpty }
        let loopWorkers = Set(slices.map(\.worker))
        #expect(loopWorkers.count == 1)
        // Each child runs whole: running then done, with no other task's event on the loop in between.
        var running: UInt64?
        for event in events where loopWorkers.contains(event.worker) {
            if event.kind == .running {
                #expect(running == nil)
                running = event.task
            } else if running == event.task, [.done, .waiting, .ready].contains(event.kind) {
                running = nil
            }
        }
    }

    @Test("a task that yields on the loop goes from running straight to ready (reason yield), in line behind the other")
    func loopYield() throws {
        let (result, events) = try record(Yielding(rounds: 5, clock: HandoffClock()), EventLoopStrategy())
        #expect(result.done == 2)
        let yielders = Set(events.filter { $0.kind == .created && $0.label.text == "yield" }.map(\.task))
        #expect(yielders.count == 2)
        for task in yielders {
            let life = events.filter { $0.task == task }
            #expect(life.map(\.kind) == [.created, .ready, .running]
                + Array(repeating: [EventKind.ready, .running], count: 5).joined() + [.done])
            #expect(life.filter { $0.kind == .ready }.map(\.reason) == [.none] + Array(repeating: .yield, count: 5))
            // Each yield lets the other task's slice run before this task runs again.
            for (index, event) in life.enumerated() where event.reason == .yield {
                let other = events.filter {
                    $0.kind == .running && $0.task != task && yielders.contains($0.task)
                        && $0.timestamp >= event.timestamp && $0.timestamp <= life[index + 1].timestamp
                }
                #expect(other.count == 1)
            }
        }
    }

    @Test("the async pool records every task's whole life when task memory is reused at once")
    func asyncPoolAddressReuse() throws {
        // Tasks are known by their job's address, and a task that ends frees it while its thread has yet to
        // record the end: a new task at the same address got the old record, and its own life was never written
        // (about 1 task in 2,000 at this size, in every run; fixed in WorkerPool.enqueue).
        let workload = SleepWorkload(tasks: 20_000, steps: 1, sleepNanoseconds: 100_000)
        let (result, events) = try record(workload, AsyncPoolStrategy(workers: 2))
        #expect(result.done == 20_000)
        let lives = lifecycles(events).values.filter { $0.first == .created && $0.count > 1 }
        #expect(lives.count == 20_001)  // the root and every task
        #expect(lives.filter { $0.last == .done }.count == 20_001)
        // One slice before the sleep and one after, for each task (and two for the root: before and after its wait),
        // also when the sleep ended before its task finished suspending (it runs on in the same job).
        #expect(events.filter { $0.kind == .running }.count == 2 + 2 * 20_000)
    }

    @Test("the async pool runs tasks in parallel, one per thread")
    func asyncPoolThreads() throws {
        // Two tasks that each hold their thread until the other is running: they can only both finish in time on
        // two different pool threads at once (the deadline only bounds a failing run).
        final class Rendezvous: Workload, @unchecked Sendable {
            let arrived = Atomic<Int>(0)
            let met = Atomic<Int>(0)
            var name: String { "rendezvous" }
            var taskCount: Int { 2 }
            var taskLabel: StaticString { "rendezvous" }
            var parameters: [(key: String, value: AnnotationValue)] { [] }
            func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome { TaskOutcome() }
            nonisolated(nonsending) func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
                arrived.wrappingAdd(1, ordering: .acquiringAndReleasing)
                let deadline = MonotonicClock.now() + 5_000_000_000
                while arrived.load(ordering: .acquiring) < 2 && MonotonicClock.now() < deadline {}
                if arrived.load(ordering: .acquiring) == 2 { met.wrappingAdd(1, ordering: .relaxed) }
                return TaskOutcome()
            }
        }
        let workload = Rendezvous()
        let (result, events) = try record(workload, AsyncPoolStrategy(workers: 2))
        #expect(result.done == 2 && result.workers == 2)
        #expect(workload.met.load(ordering: .relaxed) == 2)
        let children = Set(events.filter { $0.kind == .created && $0.label.text == "rendezvous" }.map(\.task))
        let workers = Set(events.filter { $0.kind == .running && children.contains($0.task) }.map(\.worker))
        #expect(workers.count == 2)
    }

    @Test("a cancelled run ends every task cancelled and still completes", arguments: StrategyKind.inProcess)
    func cancelled(kind: StrategyKind) throws {
        let cancellation = Cancellation()
        cancellation.cancel()
        let (result, events) = try record(CPUWorkload(tasks: 5, base: 10), makeStrategy(kind, workers: 2, tasks: 5),
                                          cancellation: cancellation)
        #expect(result.cancelled == 5 && result.done == 0)
        let ends = events.filter { $0.kind == .cancelled }
        #expect(ends.count == 6)  // the five tasks and the root
    }

    @Test("a task that throws ends failed with its error, and the others go on", arguments: StrategyKind.inProcess)
    func failure(kind: StrategyKind) throws {
        struct Flaky: Workload {
            struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
            var name: String { "flaky" }
            var taskCount: Int { 4 }
            var taskLabel: StaticString { "flaky" }
            var parameters: [(key: String, value: AnnotationValue)] { [] }
            func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome {
                if index == 2 { throw Boom() }
                return TaskOutcome(result: UInt128(index))
            }
            nonisolated(nonsending) func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
                if index == 2 { throw Boom() }
                return TaskOutcome(result: UInt128(index))
            }
        }
        let sink = EventCollector()
        let recorder = Recorder(sink: sink)
        let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"),
                                 cancellation: Cancellation())
        let result = try makeStrategy(kind, workers: 2, tasks: 4).run(Flaky(), in: context)
        #expect(result.done == 3 && result.failed == 1)
        #expect(result.outcomes[2] == nil && result.outcomes[3]?.result == 3)
        recorder.finish()
        let failed = try #require(sink.events.first { $0.kind == .failed })
        #expect(failed.task == sink.events.first { $0.kind == .created && $0.value == 2 && $0.label.text == "flaky" }?.task)
        // The error went to the sink with the failed event (the sink takes annotations as it writes them).
        #expect(sink.errors[failed.task] == "boom")
    }

    @Test("with recording off, runs give the same results")
    func untraced() throws {
        let recorder = Recorder(configuration: .init(enabled: false), sink: nil)
        let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"),
                                 cancellation: Cancellation())
        let result = try ThreadPoolStrategy(workers: 2).run(CPUWorkload(tasks: 4, base: 1000), in: context)
        #expect(result.outcomes.map { $0?.result } == (0..<4).map { CPUWorkload.closedForm(below: 1000 + $0) })
        #expect(recorder.finish().events == 0)
    }
}
