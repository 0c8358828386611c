import ConcTraceAnalysis
import Testing

/// Busy time is the union of a thread's slices at any depth and in any file order, and utilization never passes
/// 100 %. Guards issue 14 item 1: siblings written before their parent (viztracer writes slices as they end) were
/// counted twice (145 µs busy and 145 % utilization for a thread busy 100 µs).
@Suite("Busy time: the union of a thread's slices")
struct BusyTimeTests {
    static func analyze(_ text: String) throws -> TraceAnalysis {
        try TraceAnalyzer.analyze(bytes: Array(text.utf8), path: "t.json")
    }

    static func x(_ name: String, tid: Int = 1, _ ts: Int, _ dur: Int) -> String {
        #"{"ph":"X","name":"\#(name)","pid":1,"tid":\#(tid),"ts":\#(ts),"dur":\#(dur)}"#
    }

    static func trace(_ events: [String]) -> String {
        "[" + events.joined(separator: ",\n") + "]"
    }

    @Test("the issue's example: two children written before their parent are busy 100 µs, not 145")
    func childrenBeforeParent() throws {
        let analysis = try Self.analyze(Self.trace([Self.x("A", 5, 45), Self.x("B", 55, 40), Self.x("root", 0, 100)]))
        let worker = try #require(analysis.workers.first)
        #expect(abs(worker.busySeconds - 100e-6) < 1e-12)
        #expect(worker.utilization == 1)
        #expect(worker.slices == 3)
        #expect(analysis.notes.isEmpty)
    }

    /// A thread's slices: a random forest of nested calls (as a profiler records them), shuffled; busy time is
    /// compared with the union computed by brute force over nanoseconds' intervals.
    @Test("nested slices in any file order: busy time is the exact union", arguments: [1, 2, 3, 4, 5])
    func shuffledForest(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var slices: [(start: Int, end: Int)] = []
        var cursor = 0
        // Top-level calls with gaps, each with a few nested children.
        for _ in 0..<300 {
            cursor += Int(random.next() % 50)
            let length = 10 + Int(random.next() % 200)
            slices.append((cursor, cursor + length))
            var child = cursor
            while child < cursor + length - 3, random.next() % 4 != 0 {
                let childLength = min(1 + Int(random.next() % 30), cursor + length - child)
                slices.append((child, child + childLength))
                child += childLength + Int(random.next() % 5)
            }
            cursor += length
        }
        var order = slices
        for index in order.indices.reversed() { order.swapAt(index, Int(random.next() % UInt64(index + 1))) }
        let analysis = try Self.analyze(Self.trace(order.map { Self.x("s", $0.start, $0.end - $0.start) }))
        let worker = try #require(analysis.workers.first)
        // The exact union, by sorting.
        var union = 0
        var runEnd = Int.min
        for slice in slices.sorted(by: { $0.start < $1.start }) {
            if slice.start >= runEnd {
                union += slice.end - slice.start
                runEnd = slice.end
            } else if slice.end > runEnd {
                union += slice.end - runEnd
                runEnd = slice.end
            }
        }
        #expect(abs(worker.busySeconds - Double(union) * 1e-6) < 1e-9)
        #expect((worker.utilization ?? 2) <= 1)
        #expect(worker.slices == slices.count)
    }

    /// viztracer's shape at scale: a parent that calls many short functions is written after all of them.
    @Test("a parent written after 5,000 children (more than the runs kept per thread) is still exact")
    func wideParentLast() throws {
        var events: [String] = []
        for child in 0..<5_000 { events.append(Self.x("leaf", 10 + child * 3, 2)) }
        events.append(Self.x("parent", 5, 15_010))
        let analysis = try Self.analyze(Self.trace(events))
        let worker = try #require(analysis.workers.first)
        #expect(abs(worker.busySeconds - 15_010e-6) < 1e-12)
        #expect(worker.utilization == 1)
        #expect(analysis.notes.isEmpty)
    }

    /// Past the per-thread window, a slice that reaches back into merged runs is estimated: never above 100 %, and
    /// a note says so.
    @Test("a slice reaching back past the window: utilization stays at most 100 % and a note says busy is approximate")
    func pastTheWindow() throws {
        var events: [String] = []
        // 4,000 disjoint slices of 2 µs with 1 µs gaps, then one that covers the second half of them only.
        for index in 0..<4_000 { events.append(Self.x("s", index * 3, 2)) }
        events.append(Self.x("late", 6_001, 5_999))
        let analysis = try Self.analyze(Self.trace(events))
        let worker = try #require(analysis.workers.first)
        #expect((worker.utilization ?? 2) <= 1)
        // The truth is 4,000 + 1,999 µs; an estimate within the merged runs' own gaps is close.
        #expect(abs(worker.busySeconds - 9_999e-6) < 1_000e-6)
        #expect(analysis.notes.contains { $0.contains("busy time") && $0.contains("approximate") })
    }

    @Test("slices in time order, as conctrace writes them, are exact however many there are")
    func inOrderMany() throws {
        var events: [String] = []
        for index in 0..<20_000 { events.append(Self.x("s", index * 4, 3)) }
        let analysis = try Self.analyze(Self.trace(events))
        let worker = try #require(analysis.workers.first)
        #expect(abs(worker.busySeconds - 60_000e-6) < 1e-12)
        #expect(analysis.notes.isEmpty)
    }
}

/// A small deterministic generator for the tests (SplitMix64).
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
