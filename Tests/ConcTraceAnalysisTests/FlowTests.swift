import ConcTraceAnalysis
import Foundation
import Testing

/// `analyze` reports the flow arrows (spawn, wake, dispatch, any category): how many, and how many bind to a slice
/// at both ends by Perfetto's rules. Guards issue 14 item 4: `analyze` reported no flows at all.
@Suite("Flows: arrows per category and what they bind to")
struct FlowTests {
    static func analyze(_ events: [String]) throws -> TraceAnalysis {
        try TraceAnalyzer.analyze(bytes: Array(("[" + events.joined(separator: ",\n") + "]").utf8), path: "t.json")
    }

    /// The `flows` array of `analyze --format json`, by category.
    static func flows(_ analysis: TraceAnalysis) throws -> [String: [String: Int]] {
        let json = ReportFormat.json.render(analysis.report())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let rows = try #require(object["flows"] as? [[String: Any]])
        var result: [String: [String: Int]] = [:]
        for row in rows {
            let category = try #require(row["category"] as? String)
            var counts: [String: Int] = [:]
            for (key, value) in row where key != "category" { counts[key] = value as? Int }
            result[category] = counts
        }
        return result
    }

    static func x(tid: Int, _ ts: Int, _ dur: Int) -> String {
        #"{"ph":"X","name":"s","cat":"running","pid":1,"tid":\#(tid),"ts":\#(ts),"dur":\#(dur)}"#
    }

    static func flow(_ phase: String, _ category: String, id: Int, tid: Int, _ ts: Int, enclosing: Bool = true,
                     pid: Int = 1) -> String {
        let bp = phase == "f" && enclosing ? #""bp":"e","# : ""
        return #"{"ph":"\#(phase)","cat":"\#(category)","name":"\#(category)","id":\#(id),\#(bp)"pid":\#(pid),"tid":\#(tid),"ts":\#(ts)}"#
    }

    @Test("ends before or after their slices in the file, each binds by time; unbound ends and lone halves are counted")
    func categories() throws {
        let analysis = try Self.analyze([
            // spawn 1: s inside tid 1's slice (written later), f at the start of tid 2's slice (bp e): bound.
            Self.flow("s", "spawn", id: 1, tid: 1, 20),
            Self.flow("f", "spawn", id: 1, tid: 2, 100),
            Self.x(tid: 1, 10, 90),
            Self.x(tid: 2, 100, 50),
            // spawn 2: s in a gap of tid 1 (no slice encloses it): start unbound.
            Self.flow("s", "spawn", id: 2, tid: 1, 105),
            Self.flow("f", "spawn", id: 2, tid: 2, 120),
            // wake 1: f without bp binds to the next slice beginning after it (tid 2 at 300, written later).
            Self.flow("s", "wake", id: 1, tid: 2, 130),
            Self.flow("f", "wake", id: 1, tid: 2, 200, enclosing: false),
            // dispatch 1: across processes, f written before s; f inside a slice of pid 2.
            #"{"ph":"X","name":"w","cat":"running","pid":2,"tid":1,"ts":400,"dur":50}"#,
            Self.flow("f", "dispatch", id: 9, tid: 1, 410, pid: 2),
            Self.flow("s", "dispatch", id: 9, tid: 1, 50),
            // dispatch 2: an s whose f never comes.
            Self.flow("s", "dispatch", id: 10, tid: 1, 60),
            // custom: an f without bp after the last slice of its thread: end unbound.
            Self.flow("s", "custom", id: 3, tid: 2, 110),
            Self.flow("f", "custom", id: 3, tid: 2, 900, enclosing: false),
            Self.x(tid: 2, 300, 10),
        ])
        let flows = try Self.flows(analysis)
        #expect(flows["spawn"] == ["count": 2, "bound": 1, "start_unbound": 1, "end_unbound": 0, "unpaired": 0])
        #expect(flows["wake"] == ["count": 1, "bound": 1, "start_unbound": 0, "end_unbound": 0, "unpaired": 0])
        #expect(flows["dispatch"] == ["count": 1, "bound": 1, "start_unbound": 0, "end_unbound": 0, "unpaired": 1])
        #expect(flows["custom"] == ["count": 1, "bound": 0, "start_unbound": 0, "end_unbound": 1, "unpaired": 0])
        let text = ReportFormat.text.render(analysis.report())
        #expect(text.contains("flows"))
        #expect(ReportFormat.markdown.render(analysis.report()).contains("### flows"))
    }

    @Test("a B/E slice and a thread-scoped instant (a zero-length slice, in Perfetto) bind like X slices")
    func beginEndSlices() throws {
        let analysis = try Self.analyze([
            Self.flow("s", "wake", id: 1, tid: 3, 15),
            Self.flow("f", "wake", id: 1, tid: 4, 5),
            #"{"ph":"B","name":"a","pid":1,"tid":3,"ts":10}"#,
            #"{"ph":"E","name":"a","pid":1,"tid":3,"ts":20}"#,
            #"{"ph":"i","name":"mark","s":"t","pid":1,"tid":4,"ts":5}"#,
        ])
        #expect(try Self.flows(analysis)["wake"] == ["count": 1, "bound": 1, "start_unbound": 0, "end_unbound": 0,
                                                     "unpaired": 0])
    }

    @Test("conctrace's known run: its one spawn arrow binds at both ends")
    func knownRun() throws {
        let analysis = try TraceAnalyzer.analyze(bytes: TraceText.knownRun.bytes, path: "known.json")
        #expect(try Self.flows(analysis)["spawn"] == ["count": 1, "bound": 1, "start_unbound": 0, "end_unbound": 0,
                                                      "unpaired": 0])
    }
}
