#if canImport(Glibc)
import Glibc
#endif
@testable import ConcTraceRecorder
import Synchronization
import Testing
import ConcTraceSystem

@Suite("Recorder")
struct RecorderTests {
    @Test("a lane that fills segments steadily reuses the drained ones: no new memory per round, even after a round that saw little (a fixed bug: every drained segment was freed and a fresh one made, each page faulting on the recording thread)")
    func sparesReused() {
        let recorder = Recorder(sink: DiscardingSink(), startDraining: false, nsPerEvent: 1)
        let lane = recorder.makeLane(name: "busy")
        let perRound = 3 * Int(lane.fullSegmentEvents) + 100
        var task: UInt64 = 0
        func round(events: Int) {
            for _ in 0..<events {
                lane.record(.running, task: task)
                task &+= 1
            }
            recorder.drainNow()
        }
        // Warm up: the segments the lane grows through, and its first spares.
        for _ in 0..<3 {
            round(events: perRound)
            round(events: 10)
        }
        let made = recorder.laneMemory.segmentsMade
        for _ in 0..<5 {
            round(events: perRound)
            // The round right after a busy one, as the drain thread runs it without pausing.
            round(events: 10)
        }
        #expect(recorder.laneMemory.segmentsMade == made)
        #expect(lane.dropped == 0)
        recorder.finish()
    }

    @Test("events from several threads all reach the sink, each lane in order, each batch sorted by time")
    func manyThreads() throws {
        let sink = CollectingSink()
        let recorder = Recorder(sink: sink)
        let threadCount = 4
        let perThread = 20_000
        var threads: [OSThread] = []
        for number in 1...threadCount {
            let lane = recorder.makeLane(name: "t\(number)")
            threads.append(try OSThread(name: "test-\(number)") {
                for index in 0..<perThread {
                    lane.record(.ready, task: UInt64(number) << 32 | UInt64(index))
                }
            })
        }
        threads.forEach { $0.join() }
        let stats = recorder.finish()
        let snapshot = sink.snapshot
        #expect(stats.events + stats.dropped == UInt64(threadCount * perThread))
        #expect(snapshot.finished == stats)
        #expect(snapshot.workers.map(\.1).sorted() == ["t1", "t2", "t3", "t4"])
        for batch in snapshot.batches {
            #expect(zip(batch, batch.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        }
        // Per lane, the delivered events are an in-order prefix-free subsequence: indices strictly increase.
        var last: [UInt32: UInt64] = [:]
        for event in sink.events {
            let index = event.task & 0xFFFF_FFFF
            if let previous = last[event.worker] { #expect(index > previous) }
            last[event.worker] = index
        }
        #expect(UInt64(sink.events.count) == stats.events)
    }

    @Test("a round holds back events stamped after it began, so an earlier event still unpublished is not overtaken")
    func watermarkKeepsCausalOrder() {
        let sink = CollectingSink()
        let recorder = Recorder(sink: sink, startDraining: false)
        let a = recorder.makeLane(name: "A")
        let b = recorder.makeLane(name: "B")
        // A stamped `ready` at 100 but has not published it yet; B, having seen the task, published `running` at 200.
        b.append(TraceEvent(timestamp: 200, kind: .running, task: 1, worker: b.worker))
        recorder.drain(upTo: 150)  // a round that began at 150
        #expect(sink.events.isEmpty)
        a.append(TraceEvent(timestamp: 100, kind: .ready, task: 1, worker: a.worker))
        recorder.drain(upTo: 250)
        #expect(sink.events.map(\.kind) == [.ready, .running])
        recorder.finish()
    }

    @Test("a task handed from one thread to another arrives in causal order, while draining runs concurrently")
    func causalOrderAcrossLanes() throws {
        // Thread A makes tasks ready and publishes them; thread B takes each and records it running. However the
        // drain thread interleaves its rounds, B's `running` must never reach the sink before A's `ready`.
        let sink = CollectingSink()
        // Drain continuously (interval 0) so rounds often fall between A's publish and B's.
        let recorder = Recorder(configuration: .init(drainInterval: 0), sink: sink)
        let count = 50_000
        let handoff = Shared()
        let producer = recorder.makeLane(name: "A")
        let consumer = recorder.makeLane(name: "B")
        let a = try OSThread(name: "A") {
            for task in 1...count {
                producer.record(.ready, task: UInt64(task))
                handoff.value.store(task, ordering: .releasing)
                while handoff.value.load(ordering: .acquiring) != -task {}
            }
        }
        let b = try OSThread(name: "B") {
            for task in 1...count {
                while handoff.value.load(ordering: .acquiring) != task {}
                consumer.record(.running, task: UInt64(task))
                handoff.value.store(-task, ordering: .releasing)
            }
        }
        a.join()
        b.join()
        recorder.finish()
        var seenReady = Set<UInt64>()
        var violations = 0
        for event in sink.events {
            if event.kind == .ready { seenReady.insert(event.task) }
            if event.kind == .running, !seenReady.contains(event.task) { violations += 1 }
        }
        #expect(sink.events.count == 2 * count)
        #expect(violations == 0)
    }

    @Test("finish is idempotent and reports the same final statistics")
    func finishTwice() {
        let sink = CollectingSink()
        let recorder = Recorder(sink: sink)
        let lane = recorder.makeLane(name: "main")
        lane.record(.created, task: recorder.makeTaskID(), label: TaskLabel("x"))
        let first = recorder.finish()
        let second = recorder.finish()
        #expect(first.events == 1)
        #expect(first == second)
        #expect(first.isFinal)
        // The statistics carry the recorder's own calibration, which traces quote as the cost per event.
        #expect(first.nsPerEvent == recorder.nsPerEvent)
    }

    @Test("a failing sink stops receiving; what it missed is counted as lost and the failure is reported")
    func sinkFailure() {
        let sink = CollectingSink(failAfterBatches: 1)
        let recorder = Recorder(sink: sink, startDraining: false)
        let lane = recorder.makeLane(name: "main")
        lane.record(.ready, task: 1)
        recorder.drainNow()
        lane.record(.ready, task: 2)
        lane.record(.ready, task: 3)
        recorder.drainNow()
        lane.record(.ready, task: 4)
        let stats = recorder.finish()
        #expect(recorder.sinkFailure is CollectingSink.Full)
        #expect(sink.events.map(\.task) == [1])
        #expect(stats.lost == 3)
        #expect(sink.snapshot.finished == nil)
    }

    @Test("task ids are unique across threads and never 0")
    func taskIDs() throws {
        let recorder = Recorder(configuration: .init(enabled: false), sink: nil)
        let ids = Locked<[UInt64]>([])
        let threads = try (0..<4).map { number in
            try OSThread(name: "ids-\(number)") {
                var mine: [UInt64] = []
                for _ in 0..<1000 { mine.append(recorder.makeTaskID()) }
                ids.withLock { $0.append(contentsOf: mine) }
            }
        }
        threads.forEach { $0.join() }
        let all = ids.withLock { $0 }
        #expect(Set(all).count == 4000)
        #expect(!all.contains(0))
    }

    @Test("annotations are taken once, in the order attached")
    func annotations() {
        let recorder = Recorder(sink: CollectingSink(), startDraining: false)
        recorder.annotate(9, "error", .string("boom"))
        recorder.annotate(9, "status", .int(500))
        let taken = recorder.annotations.take(9)
        #expect(taken.map(\.0) == ["error", "status"])
        #expect(taken.map(\.1) == [.string("boom"), .int(500)])
        #expect(recorder.annotations.take(9).isEmpty)
        recorder.finish()
    }

    @Test("the lane bound to a thread is made once and reused")
    func threadLane() throws {
        let recorder = Recorder(sink: CollectingSink(), startDraining: false)
        let workers = Locked<[UInt32]>([])
        let thread = try OSThread(name: "bound") {
            let first = recorder.laneForCurrentThread(name: "bound")
            let second = recorder.laneForCurrentThread(name: "other")
            workers.withLock { $0 = [first.worker, second.worker] }
        }
        thread.join()
        let seen = workers.withLock { $0 }
        #expect(seen.count == 2 && seen[0] == seen[1])
        recorder.finish()
    }

    @Test("a checkpoint reaches the sink while the run goes on")
    func checkpoints() throws {
        let sink = CollectingSink()
        let recorder = Recorder(configuration: .init(drainInterval: 1_000_000, checkpointInterval: 1_000_000),
                                sink: sink)
        let lane = recorder.makeLane(name: "main")
        let deadline = MonotonicClock.now() + 5_000_000_000
        // A round that began before the lane was made counts the lanes it saw then (none): under load its checkpoint
        // can come first (a flaky failure seen on a busy machine), so wait for one that has seen the lane.
        while !sink.snapshot.checkpoints.contains(where: { $0.workers == 1 }) && MonotonicClock.now() < deadline {
            lane.record(.ready, task: 1)
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
        recorder.finish()
        let checkpoint = try #require(sink.snapshot.checkpoints.first { $0.workers == 1 })
        #expect(!checkpoint.isFinal)
    }
}

final class Shared: Sendable {
    let value = Atomic<Int>(0)

    @Test("past the lane memory limit a recorder counts drops, and every event is either delivered or counted")
    func tinyLaneMemory() throws {
        let sink = CollectingSink()
        // Room for about two full segments in all, for two lanes that each record four segments' worth before any
        // drain.
        let segment = EventLane.defaultSegmentEvents
        let recorder = Recorder(
            configuration: .init(laneMemoryLimit: 2 * segment * MemoryLayout<TraceEvent>.stride), sink: sink,
            startDraining: false)
        let lanes = [recorder.makeLane(name: "a"), recorder.makeLane(name: "b")]
        for lane in lanes {
            for index in 0..<(4 * segment) { lane.record(.ready, task: UInt64(index)) }
        }
        let stats = recorder.finish()
        #expect(stats.events + stats.dropped == UInt64(8 * segment))
        #expect(stats.dropped >= UInt64(4 * segment))
        #expect(UInt64(sink.events.count) == stats.events)
        #expect(sink.snapshot.finished?.dropped == stats.dropped)
    }
}
