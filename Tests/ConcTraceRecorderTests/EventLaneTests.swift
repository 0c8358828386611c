import ConcTraceRecorder
import Testing

@testable import ConcTraceRecorder

@Suite("EventLane")
struct EventLaneTests {
    @Test("events come out in the order recorded, with the lane's worker id")
    func order() {
        let lane = EventLane(worker: 7, name: "w", capacity: 64)
        for task in 1...10 { lane.record(.running, task: UInt64(task)) }
        var out: [TraceEvent] = []
        #expect(lane.drain(upTo: .max, into: &out) == 10)
        #expect(out.map(\.task) == Array(1...10).map(UInt64.init))
        #expect(out.allSatisfy { $0.worker == 7 })
        #expect(zip(out, out.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(lane.pending == 0)
    }

    @Test("a full ring counts drops instead of overwriting or blocking")
    func drops() {
        let lane = EventLane(worker: 1, name: "w", capacity: 8)
        for task in 1...13 { lane.record(.ready, task: UInt64(task)) }
        #expect(lane.recorded == 8)
        #expect(lane.dropped == 5)
        var out: [TraceEvent] = []
        lane.drain(upTo: .max, into: &out)
        #expect(out.map(\.task) == Array(1...8).map(UInt64.init))
        // Space again after draining: recording resumes.
        lane.record(.ready, task: 99)
        out.removeAll()
        lane.drain(upTo: .max, into: &out)
        #expect(out.map(\.task) == [99])
        #expect(lane.dropped == 5)
    }

    @Test("capacity is rounded up to a power of two")
    func capacityRounding() {
        let lane = EventLane(worker: 1, name: "w", capacity: 5)
        #expect(lane.capacity == 8)
    }

    @Test("draining stops at the watermark and leaves later events for the next round")
    func watermark() {
        let lane = EventLane(worker: 1, name: "w", capacity: 16)
        for (index, time) in [10, 20, 30, 40].enumerated() {
            lane.append(TraceEvent(timestamp: UInt64(time), kind: .ready, task: UInt64(index + 1), worker: 1))
        }
        var out: [TraceEvent] = []
        #expect(lane.drain(upTo: 25, into: &out) == 2)
        #expect(out.map(\.timestamp) == [10, 20])
        #expect(lane.pending == 2)
        out.removeAll()
        #expect(lane.drain(upTo: 40, into: &out) == 2)
        #expect(out.map(\.timestamp) == [30, 40])
    }

    @Test("a disabled lane records nothing")
    func disabled() {
        let lane = EventLane(worker: 1, name: "w", capacity: 16, enabled: false)
        lane.record(.running, task: 1)
        #expect(lane.recorded == 0)
        #expect(lane.dropped == 0)
    }

    @Test("payloads survive: 128-bit values, labels, reasons")
    func payloads() {
        let lane = EventLane(worker: 3, name: "w", capacity: 4)
        let big: UInt128 = 333_333_283_333_335_000_000
        lane.record(.created, task: 5, related: 2, value: 4, hasValue: true, label: TaskLabel("cpu"))
        lane.record(.waiting, task: 5, reason: .timer)
        lane.record(.done, task: 5, value: big, hasValue: true)
        var out: [TraceEvent] = []
        lane.drain(upTo: .max, into: &out)
        #expect(out[0].label.text == "cpu")
        #expect(out[0].related == 2)
        #expect(out[0].value == 4)
        #expect(out[1].reason == .timer)
        #expect(out[2].value == big)
        #expect(out[2].hasValue)
    }
}
