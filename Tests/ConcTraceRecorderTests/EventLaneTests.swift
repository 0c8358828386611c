#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import Synchronization
import Testing
import ConcTraceSystem

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

    @Test("a lane grows by segments past the first, in order, and reuses drained segments as spares")
    func segments() {
        let memory = LaneMemory(limit: 1 << 30)
        let lane = EventLane(worker: 1, name: "w", capacity: 1 << 20, memory: memory)
        let segment = Int(lane.fullSegmentEvents)
        let count = segment * 5 + 17
        var out: [TraceEvent] = []
        for round in 0..<3 {
            for index in 0..<count { lane.record(.running, task: UInt64(round * count + index)) }
            #expect(lane.dropped == 0)
            out.removeAll()
            lane.replenish()
            #expect(lane.drain(upTo: .max, into: &out) == count)
            #expect(out.map(\.task) == (0..<count).map { UInt64(round * count + $0) })
        }
        // What the lanes hold is bounded by what was recorded between drains, not by everything recorded.
        #expect(memory.bytesInUse <= 40 * segment * MemoryLayout<TraceEvent>.stride)
    }

    @Test("a lane whose memory budget is spent counts drops, and records again once drained")
    func budgetSpent() {
        let segment = EventLane.defaultSegmentEvents
        let memory = LaneMemory(limit: 2 * segment * MemoryLayout<TraceEvent>.stride)
        let lane = EventLane(worker: 1, name: "w", capacity: 1 << 20, memory: memory)
        let total = 4 * segment
        for index in 0..<total { lane.record(.ready, task: UInt64(index)) }
        #expect(lane.recorded + lane.dropped == UInt64(total))
        #expect(lane.recorded >= UInt64(segment) && lane.dropped >= UInt64(segment))
        #expect(memory.bytesInUse <= memory.limit)
        var out: [TraceEvent] = []
        lane.drain(upTo: .max, into: &out)
        // What was kept is the first events, in order.
        #expect(out.map(\.task) == (0..<UInt64(out.count)).map { $0 })
        let dropped = lane.dropped
        lane.replenish()
        lane.record(.ready, task: 999_999)
        out.removeAll()
        lane.drain(upTo: .max, into: &out)
        #expect(out.map(\.task) == [999_999])
        #expect(lane.dropped == dropped)
    }

    @Test("a lane that gets no memory at all counts every event as dropped and does not crash (issue 14 item 11)")
    func noMemory() {
        // A budget smaller than one segment: as when malloc fails under `ulimit -v`.
        let memory = LaneMemory(limit: 64)
        let lane = EventLane(worker: 1, name: "w", capacity: 1 << 20, memory: memory)
        for index in 0..<100 { lane.record(.ready, task: UInt64(index)) }
        lane.replenish()
        #expect(lane.recorded == 0 && lane.dropped == 100)
        var out: [TraceEvent] = []
        #expect(lane.drain(upTo: .max, into: &out) == 0)
        #expect(memory.bytesInUse == 0)
    }

    @Test("a drain round's runs merge by time, the earlier lane first on ties; an unordered run is sorted")
    func drainBatch() {
        func event(_ time: UInt64, _ task: UInt64) -> TraceEvent {
            TraceEvent(timestamp: time, kind: .ready, task: task, worker: 1)
        }
        var batch = DrainBatch()
        batch.appendRun { $0 += [event(1, 1), event(4, 2), event(9, 3)] }
        batch.appendRun { $0 += [] }
        batch.appendRun { $0 += [event(2, 4), event(4, 5), event(5, 6)] }
        batch.appendRun { $0 += [event(0, 7)] }
        batch.merge()
        #expect(batch.events.map(\.task) == [7, 1, 4, 2, 5, 6, 3])
        batch.removeAll()
        batch.appendRun { $0 += [event(5, 1), event(3, 2)] }
        batch.appendRun { $0 += [event(4, 3)] }
        batch.merge()
        #expect(batch.events.map(\.task) == [2, 3, 1])
    }

    // A segment reused in place (the consumer had caught up at its end) and then filled and left for a new one
    // before the consumer came back: the consumer followed the link and skipped the reused segment's events (it
    // crashed on a negative index in bench switch with small segments). Found by this test and fixed.
    @Test("a producer and a consumer racing over small segments: every event in order, or counted as dropped",
          arguments: [64, 256])
    func racingSegments(segmentEvents: Int) throws {
        final class Shared: @unchecked Sendable {
            let done = Atomic<Bool>(false)
        }
        let shared = Shared()
        // Room for 64 segments: the producer runs ahead by several without dropping.
        let lane = EventLane(worker: 1, name: "race", capacity: 64 * segmentEvents, enabled: true,
                             memory: LaneMemory(limit: 1 << 26), segmentEvents: segmentEvents)
        let count = 100_000
        // Segments grow 64, 128, ... up to segmentEvents: past that ramp (segmentEvents - 64 events, none for 64),
        // every segmentEvents-th position is a segment's end. The producer stops at every tenth of them.
        let ramp = segmentEvents - 64
        let stop = 10 * segmentEvents
        let producer = try OSThread(name: "race-producer") {
            for index in 1...count {
                lane.append(TraceEvent(timestamp: UInt64(index), kind: .ready, task: UInt64(index), worker: 1))
                // Every ten small segments, wait at a segment's end until the consumer has caught up exactly, so
                // the segment is reused in place; then run ahead by several segments while the consumer naps.
                if index > ramp, (index - ramp) % stop == 0 { while lane.pending != 0 {} }
            }
            shared.done.store(true, ordering: .releasing)
        }
        var last: UInt64 = 0
        var received = 0
        var out: [TraceEvent] = []
        var rounds = 0
        while true {
            let finished = shared.done.load(ordering: .acquiring)
            out.removeAll(keepingCapacity: true)
            lane.drain(upTo: .max, into: &out)
            for event in out {
                #expect(event.task > last)
                last = event.task
            }
            received += out.count
            rounds += 1
            if rounds % 64 == 0 { lane.replenish() }
            // Caught up where the producer waits: nap, so it runs ahead through the segment it reuses, and past it.
            if let newest = out.last, newest.task > UInt64(ramp), (Int(newest.task) - ramp) % stop == 0 { usleep(50) }
            if finished && lane.pending == 0 { break }
        }
        producer.join()
        #expect(received == count && lane.dropped == 0)
    }
}
