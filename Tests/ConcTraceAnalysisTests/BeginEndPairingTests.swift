import ConcTraceAnalysis
import Testing

/// `B`/`E` events are paired by time, not file order, as Perfetto's JSON importer does (it sorts every event by
/// timestamp before nesting them). Guards issue 14 item 2: `E@100, B@0, E@30, B@20` read as one slice and two
/// unmatched events.
@Suite("B/E pairing by time")
struct BeginEndPairingTests {
    static func analyze(_ events: [String]) throws -> TraceAnalysis {
        try TraceAnalyzer.analyze(bytes: Array(("[" + events.joined(separator: ",\n") + "]").utf8), path: "t.json")
    }

    static func event(_ phase: String, _ ts: Int, name: String? = nil, tid: Int = 1) -> String {
        let nameText = name.map { #""name":"\#($0)","# } ?? ""
        return #"{"ph":"\#(phase)",\#(nameText)"pid":1,"tid":\#(tid),"ts":\#(ts)}"#
    }

    @Test("the issue's example: E@100, B@0, E@30, B@20 is two slices, 0-100 with 20-30 inside it")
    func issueExample() throws {
        let analysis = try Self.analyze([Self.event("E", 100), Self.event("B", 0), Self.event("E", 30),
                                         Self.event("B", 20)])
        let worker = try #require(analysis.workers.first)
        #expect(worker.slices == 2)
        #expect(abs(worker.busySeconds - 100e-6) < 1e-12)
        #expect(analysis.source.unmatchedEvents == 0)
        let slices = try #require(worker.sliceMicroseconds)
        #expect(slices.max == 100)
        #expect(abs(slices.p50 - 10) < 0.2)
    }

    @Test("at one timestamp an E closes before a B opens: back-to-back slices written in reverse")
    func endBeforeBeginAtOneTime() throws {
        // File order: the second slice's B, then the first slice's E, both at 50.
        let analysis = try Self.analyze([Self.event("B", 0, name: "a"), Self.event("B", 50, name: "b"),
                                         Self.event("E", 50, name: "a"), Self.event("E", 80, name: "b")])
        let worker = try #require(analysis.workers.first)
        #expect(worker.slices == 2)
        #expect(analysis.source.unmatchedEvents == 0)
        #expect(try #require(worker.sliceMicroseconds).max == 50)
    }

    @Test("an E with a name closes the innermost open B of that name, as Perfetto matches them")
    func namedEnd() throws {
        let analysis = try Self.analyze([Self.event("B", 0, name: "outer"), Self.event("B", 10, name: "inner"),
                                         Self.event("E", 20, name: "inner"), Self.event("E", 40, name: "outer"),
                                         Self.event("E", 50, name: "nothing")])
        let worker = try #require(analysis.workers.first)
        #expect(worker.slices == 2)
        #expect(analysis.source.unmatchedEvents == 1)
        #expect(try #require(worker.sliceMicroseconds).max == 40)
    }

    @Test("threads pair independently, and an unmatched B at the end is counted")
    func perThread() throws {
        let analysis = try Self.analyze([Self.event("E", 30, tid: 2), Self.event("B", 0, tid: 1),
                                         Self.event("B", 10, tid: 2), Self.event("B", 5, tid: 1),
                                         Self.event("E", 20, tid: 1)])
        #expect(analysis.workers.map(\.slices) == [1, 1])
        #expect(analysis.source.unmatchedEvents == 1)
    }

    @Test("B/E far out of order (past the reorder window) still pair, with a note")
    func pastTheWindow() throws {
        var events: [String] = []
        // 2,000 slices in order, then one whose B comes last although it began first.
        for index in 0..<2_000 {
            events.append(Self.event("B", 10 + index * 10))
            events.append(Self.event("E", 15 + index * 10))
        }
        events.append(Self.event("E", 30_000, name: "late"))
        events.append(Self.event("B", 1, name: "late"))
        let analysis = try Self.analyze(events)
        let worker = try #require(analysis.workers.first)
        #expect(worker.slices >= 2_000)
        #expect(analysis.notes.contains { $0.contains("B/E") && $0.contains("out of time order") })
    }
}
