import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader
import Testing

/// A trace written by another tool (no conctrace metadata): thread and async-track metrics only, and the report
/// says which metrics it could not compute, and why.
@Suite("Foreign traces")
struct ForeignTraceTests {
    /// Times in µs. Thread 10: `X` slices, the inner one written before the outer (as Chrome does); thread 11:
    /// nested `B`/`E`; two async tracks, one with a nested span; an unknown phase; flow, counter and instant events.
    static let text = """
        {"traceEvents":[
        {"ph":"M","name":"process_name","pid":1,"args":{"name":"Browser"}},
        {"ph":"M","name":"thread_name","pid":1,"tid":10,"args":{"name":"CrBrowserMain"}},
        {"ph":"X","name":"inner","pid":1,"tid":10,"ts":110,"dur":20},
        {"ph":"X","name":"outer","pid":1,"tid":10,"ts":100,"dur":100},
        {"ph":"X","name":"next","pid":1,"tid":10,"ts":300,"dur":50},
        {"ph":"B","name":"task","pid":1,"tid":11,"ts":100},
        {"ph":"B","name":"sub","pid":1,"tid":11,"ts":120},
        {"ph":"E","pid":1,"tid":11,"ts":150},
        {"ph":"E","pid":1,"tid":11,"ts":400},
        {"ph":"b","cat":"net","name":"request","id":"0x1","pid":1,"tid":10,"ts":100},
        {"ph":"n","cat":"net","name":"progress","id":"0x1","pid":1,"ts":150},
        {"ph":"b","cat":"net","name":"dns","id":"0x1","pid":1,"ts":110},
        {"ph":"e","cat":"net","name":"dns","id":"0x1","pid":1,"ts":130},
        {"ph":"e","cat":"net","name":"request","id":"0x1","pid":1,"ts":600},
        {"ph":"b","cat":"net","name":"request","id":"0x2","pid":1,"ts":200},
        {"ph":"e","cat":"net","name":"request","id":"0x2","pid":1,"ts":300},
        {"ph":"Z","name":"weird","pid":1,"tid":10,"ts":1},
        {"ph":"s","cat":"flow","name":"f","id":1,"pid":1,"tid":10,"ts":100},
        {"ph":"C","name":"memory","pid":1,"ts":100,"args":{"used":5}},
        {"ph":"i","name":"mark","pid":1,"tid":10,"ts":5,"s":"t"}
        ],"metadata":{"product":"Chrome"}}
        """

    static let analysis = try! TraceAnalyzer.analyze(bytes: Array(text.utf8), path: "chrome.json")

    @Test("per thread: busy time (the union of slices), slice count and slice-duration percentiles")
    func threads() throws {
        let workers = Self.analysis.workers
        try #require(workers.count == 2)
        let main = workers[0]
        #expect(main.tid == 10 && main.name == "CrBrowserMain")
        #expect(main.slices == 3)
        #expect(abs(main.busySeconds - 150e-6) < 1e-12)
        #expect(main.utilization == 0.5)
        #expect(main.switches == nil)
        let slices = try #require(main.sliceMicroseconds)
        // 20, 100 and 50 µs, within the 1% of a per-thread histogram.
        #expect(abs(slices.p50 - 50) <= 0.5 && slices.max == 100)
        let other = workers[1]
        // No thread name: the process's.
        #expect(other.tid == 11 && other.name == "Browser")
        #expect(other.slices == 2)
        #expect(abs(other.busySeconds - 300e-6) < 1e-12)
        #expect(other.utilization == 1)
        #expect(Self.analysis[.span] == 300e-6)
    }

    @Test("async tracks: lifetime from first begin to last end, per track")
    func asyncTracks() {
        #expect(Self.analysis[.asyncTracks] == 2)
        #expect(Self.analysis[.asyncLifetimeMax] == 0.5)
        #expect(Self.analysis[.asyncLifetimeMean] == 0.3)
        #expect(Self.analysis.source.unmatchedEvents == 0)
    }

    @Test("unknown phases are skipped and counted; known unused ones are not")
    func unknownPhases() {
        #expect(Self.analysis.source.unknownPhaseEvents == 1)
        #expect(Self.analysis.source.invalidEvents == 0)
        #expect(Self.analysis.notes == ["skipped 1 event(s) with a missing or unknown phase"])
    }

    @Test("conctrace's metrics are not computed, each with its reason; nothing is a made-up 0")
    func unavailable() {
        let analysis = Self.analysis
        #expect(analysis.source.format == .foreign)
        #expect(analysis.run == nil)
        #expect(analysis.name == "chrome.json")
        for metric in Metric.allCases {
            #expect((analysis[metric] == nil) == (analysis.unavailable[metric] != nil), "\(metric.rawValue)")
        }
        let computed = Set(analysis.values.keys)
        #expect(computed == [.span, .asyncTracks, .asyncLifetimeP50, .asyncLifetimeP90, .asyncLifetimeP99,
                             .asyncLifetimeMax, .asyncLifetimeMean])
        #expect(analysis.unavailable[.latencyP50]?.contains("no task life spans") == true)
        #expect(analysis.unavailable[.switches]?.contains("no running slices of tasks") == true)
        #expect(analysis.unavailable[.recorderEvents]?.contains("no conctrace.stats") == true)
        #expect(analysis.unavailable[.osVoluntarySwitches] == #"no "os switches (<worker>)" counters"#)
    }
}
