import ConcTraceRecorder
import Testing

import ConcTraceSystem
@testable import ConcTraceWorkloads

@Suite("cpu workload")
struct CPUWorkloadTests {
    @Test("the loop matches the closed form", arguments: [0, 1, 2, 3, 10, 1000, 65_537, 1_000_003])
    func smallSums(n: Int) {
        #expect(CPUWorkload.sumOfSquares(below: n) == CPUWorkload.closedForm(below: n))
    }

    @Test("the tutorial's first sum is exact past 64 bits")
    func tutorialSum() {
        let sum = CPUWorkload.sumOfSquares(below: 10_000_000)
        #expect(sum == 333_333_283_333_335_000_000)
        #expect(sum > UInt128(UInt64.max))
        #expect(String(sum) == "333333283333335000000")
    }

    @Test("the tutorial's defaults: 20 tasks from n = 10,000,000; the last sum as Python computes it")
    func lastTask() {
        let workload = CPUWorkload()
        #expect(workload.taskCount == 20)
        #expect(workload.n(forTask: 19) == 10_000_019)
        // python3 -c "n=10000019; print(n*(n-1)*(2*n-1)//6)"
        #expect(CPUWorkload.closedForm(below: 10_000_019) == 333_335_183_336_755_002_109)
    }

    @Test("a task reports its sum as its result")
    func taskResult() throws {
        let workload = CPUWorkload(tasks: 3, base: 100)
        let lane = EventLane(worker: 1, name: "t", capacity: 16)
        let outcome = try workload.runBlocking(
            index: 2, context: BlockingContext(lane: lane, task: 1, cancellation: Cancellation()))
        #expect(outcome.result == CPUWorkload.closedForm(below: 102))
        #expect(lane.recorded == 0)
    }
}

@Suite("sleep workload")
struct SleepWorkloadTests {
    @Test("each step is recorded waiting (timer), then ready and running again")
    func steps() throws {
        let workload = SleepWorkload(tasks: 1, steps: 3, sleepNanoseconds: 1_000_000)
        let lane = EventLane(worker: 1, name: "t", capacity: 64)
        let start = MonotonicClock.now()
        _ = try workload.runBlocking(index: 0, context: BlockingContext(lane: lane, task: 5, cancellation: Cancellation()))
        let elapsed = MonotonicClock.now() - start
        var events: [TraceEvent] = []
        lane.drain(upTo: .max, into: &events)
        #expect(events.map(\.kind) == Array(repeating: [EventKind.waiting, .ready, .running], count: 3).flatMap { $0 })
        #expect(events.filter { $0.kind == .waiting }.allSatisfy { $0.reason == .timer && $0.task == 5 })
        // Each wait really waits (a lower bound: physics, not a timing target).
        #expect(elapsed >= 3_000_000)
        let waits = stride(from: 0, to: events.count, by: 3).map { events[$0 + 1].timestamp - events[$0].timestamp }
        #expect(waits.allSatisfy { $0 >= 1_000_000 })
    }

    @Test("a cancelled run stops a sleeping task between steps")
    func cancellation() {
        let workload = SleepWorkload(tasks: 1, steps: 1000, sleepNanoseconds: 1_000_000)
        let cancellation = Cancellation()
        cancellation.cancel()
        let lane = EventLane(worker: 1, name: "t", capacity: 64)
        #expect(throws: TaskError.cancelled) {
            try workload.runBlocking(index: 0, context: BlockingContext(lane: lane, task: 1, cancellation: cancellation))
        }
        #expect(lane.recorded == 0)
    }
}
