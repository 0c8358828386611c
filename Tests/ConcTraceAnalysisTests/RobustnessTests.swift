import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader
import Testing

/// Inputs that are cut, empty, malformed or hostile: each is analyzed or refused with a clear error; none crashes.
@Suite("Robustness: cut, empty, malformed and hostile traces")
struct RobustnessTests {
    static func analyze(_ text: String) throws(TraceAnalysisError) -> TraceAnalysis {
        try TraceAnalyzer.analyze(bytes: Array(text.utf8), path: "t.json")
    }

    static func failure(_ text: String) -> TraceAnalysisError? {
        do {
            _ = try analyze(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("a trace cut mid-event is analyzed up to the cut and says so")
    func truncated() throws {
        let full = TraceText.knownRun
        // Cut inside the line of task 4's life span `b`: tasks 3 ended before the cut, 2 and 4 did not.
        let cutLine = try #require(full.lines.firstIndex { $0.contains(#""task":4,"parent":1"#) })
        let prefix = "[\n" + full.lines[..<cutLine].joined(separator: ",\n") + ",\n"
        let text = prefix + String(full.lines[cutLine].prefix(40))
        let analysis = try Self.analyze(text)
        #expect(analysis.source.isTruncated)
        #expect(analysis.source.events == cutLine)
        #expect(analysis[.tasksFailed] == 1 && analysis[.tasksDone] == 0)
        #expect(analysis[.latencyMax] == 360e-6)
        #expect(analysis.notes.first?.hasPrefix("the trace is cut short") == true)
        // The root and tasks 2 and 4 had states before the cut, but no life span.
        #expect(analysis.notes.contains { $0.hasPrefix("3 task(s) with states or slices but no life span") })
        #expect(analysis.report().sections.contains { $0.title == "source" })
        #expect(ReportFormat.json.render(analysis.report()).contains(#""truncated":true"#))
    }

    @Test("a trace cut after a complete line (the usual kill -9 case) loses nothing before the cut")
    func cutAfterLine() throws {
        let analysis = try Self.analyze(TraceText.knownRun.cutForm)
        let complete = try Self.analyze(TraceText.knownRun.arrayForm)
        #expect(analysis.source.isTruncated)
        #expect(analysis.values == complete.values)
    }

    @Test("an empty file, white space, and traces without events are refused", arguments: ["", "  \n\t ", "[]", "[", "[\n", #"{"traceEvents":[]}"#, "{"])
    func empty(_ text: String) {
        let blank = text.allSatisfy { $0.isWhitespace }
        switch Self.failure(text) {
        case .unreadable(_, .empty)?: #expect(blank)
        case .noEvents(let path)?: #expect(path == "t.json" && !blank)
        case let other: Issue.record("unexpected outcome \(String(describing: other)) for \(text.debugDescription)")
        }
    }

    @Test("malformed JSON is refused with the byte offset of the offending byte",
          arguments: [(#"[{"ph":}]"#, 7), (#"[{"ph":"X"}, 42]"#, 13), ("[{\"ph\":\"X\"} {}]", 12), ("hello", 0),
                      (#"[{"ph":"X"}] trailing"#, 13)])
    func malformed(_ text: String, offset: Int) {
        guard case .unreadable(_, .malformed(let at, _))? = Self.failure(text) else {
            Issue.record("not refused as malformed: \(text)")
            return
        }
        #expect(at == offset)
        #expect(Self.failure(text)!.description.contains("at byte \(offset)"))
    }

    @Test("nesting deeper than the reader's limit is refused; nesting within it is analyzed")
    func deeplyNested() throws {
        let deep = String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)
        let tooDeep = #"[{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":1,"args":"# + deep + "}]"
        guard case .unreadable(_, .tooDeep(let offset, _))? = Self.failure(tooDeep) else {
            Issue.record("a 100-level event was not refused")
            return
        }
        #expect(offset == 1)
        let fine = String(repeating: "[", count: 20) + "1" + String(repeating: "]", count: 20)
        let analysis = try Self.analyze(#"[{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":2,"args":{"task":"# + fine + "}}]")
        #expect(analysis.workers.first?.slices == 1)
        #expect(analysis[.switches] == nil)
    }

    @Test("huge and non-finite numbers are skipped as invalid, never trapped on")
    func hugeNumbers() throws {
        let text = """
            [{"ph":"X","name":"a","pid":1,"tid":1,"ts":1e300,"dur":1},
            {"ph":"X","name":"b","pid":1,"tid":1,"ts":1,"dur":1e400},
            {"ph":"X","name":"c","pid":1,"tid":99999999999999999999999,"ts":1,"dur":1},
            {"ph":"X","name":"d","pid":1,"tid":1,"ts":9223372036854775807,"dur":9223372036854775807},
            {"ph":"X","name":"e","pid":1,"tid":1,"ts":-9223372036854775808,"dur":1},
            {"ph":"X","name":"f","pid":1,"tid":1,"ts":2305843009213693,"dur":2305843009213693},
            {"ph":"X","name":"g","pid":1,"tid":1,"ts":-2305843009213693,"dur":2305843009213693},
            {"ph":"b","cat":"task","name":"h","id":18446744073709551615,"pid":1,"ts":1,"args":{"task":9223372036854775807,"parent":-1,"bytes":1e308}},
            {"ph":"e","cat":"task","name":"h","id":18446744073709551615,"pid":1,"ts":2305843009213693},
            {"ph":"C","name":"tasks","pid":1,"tid":1,"ts":1,"args":{"in_flight":9223372036854775807}},
            {"ph":"C","name":"tasks","pid":1,"tid":1,"ts":2,"args":{"in_flight":-9223372036854775808}},
            {"ph":"C","name":"os switches (x)","pid":1,"tid":1,"ts":1,"args":{"voluntary":-9223372036854775808,"involuntary":0}},
            {"ph":"C","name":"os switches (x)","pid":1,"tid":1,"ts":2,"args":{"voluntary":9223372036854775807,"involuntary":0}},
            {"ph":"i","name":"conctrace.stats","pid":1,"tid":1,"ts":3,"args":{"events":9223372036854775807,"ns_per_event":1e308,"final":true}}]
            """
        let analysis = try Self.analyze(text)
        // a, b, c (tid beyond Int64), d, e: out of range; f, g: at the limits and kept.
        #expect(analysis.source.invalidEvents == 5)
        #expect(analysis.workers.first?.slices == 2)
        #expect(analysis[.span] != nil)
        // Sums that would overflow are held finite or reported as not computed, never a trap.
        for (metric, value) in analysis.values { #expect(value.isFinite, "\(metric.rawValue)") }
        _ = ReportFormat.allCases.map { $0.render(analysis.report()) }
    }

    @Test("fields of the wrong type are skipped and counted, never trapped on")
    func wrongTypes() throws {
        let text = """
            [{"ph":"X","name":"a","pid":"1","tid":1,"ts":"10","dur":1},
            {"ph":"X","name":1,"pid":1,"tid":1,"ts":10,"dur":"1"},
            {"ph":"X","name":"b","pid":1,"tid":[1],"ts":10,"dur":1},
            {"ph":"X","name":"c","cat":"running","pid":1,"tid":1,"ts":10,"dur":5,"args":{"task":"3"}},
            {"ph":"X","name":"d","cat":"running","pid":1,"tid":1,"ts":20,"dur":5,"args":[3]},
            {"ph":5,"name":"e"},
            {"ph":"XX","name":"f"},
            {"ph":"b","cat":"task","name":"g","id2":"nope","pid":1,"ts":1},
            {"ph":"b","cat":"task","name":"g","id2":{"local":true},"pid":1,"ts":1},
            {"ph":"e","cat":"task","name":"g","id":"0xzz","pid":1,"ts":1},
            {"ph":"b","cat":"task","name":"h","id":1,"pid":1,"ts":1,"args":{"task":"1","parent":"0","state":7}},
            {"ph":"e","cat":"task","name":"h","id":1,"pid":1,"ts":5},
            {"ph":"C","name":"tasks","pid":1,"tid":1,"ts":1,"args":{"in_flight":"3"}},
            {"ph":"C","name":"os switches (x)","pid":1,"tid":1,"ts":1,"args":{"voluntary":"1","involuntary":0}},
            {"ph":"i","name":"conctrace.run","pid":1,"tid":1,"ts":0,"args":"run"},
            {"ph":"i","name":"conctrace.stats","pid":1,"tid":1,"ts":0,"args":{"events":"1","final":"yes"}},
            {"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":5}},
            {"ph":"B","pid":1,"tid":1,"ts":"1"},
            {"ph":"E","pid":1,"tid":1}]
            """
        let analysis = try Self.analyze(text)
        // Slices a (ts a string), the second one (dur a string), b (tid an array); ids g, g and zz; os switches;
        // the B and the E (ts missing).
        #expect(analysis.source.invalidEvents == 9)
        #expect(analysis.source.unknownPhaseEvents == 2)
        #expect(analysis.workers.first?.slices == 2)
        // A `task` that is not an integer is no task: no slices of tasks, no life spans.
        #expect(analysis[.switches] == nil && analysis[.tasksDone] == nil)
        #expect(analysis[.asyncTracks] == 1)
        // An `args` that is not an object is no metadata, but conctrace.run is still there.
        #expect(analysis.source.format == .conctrace)
        #expect(analysis[.recorderEvents] == nil)
        #expect(analysis.unavailable[.recorderEvents] == "conctrace.stats has no events count")
        _ = ReportFormat.allCases.map { $0.render(analysis.report()) }
    }

    @Test("memory stays bounded on hostile input: too many threads, too deep B nesting, never-closed b events")
    func memoryLimits() throws {
        var lines = (0...TraceAnalyzer.maxThreads).map { #"{"ph":"X","pid":1,"tid":\#($0),"ts":1,"dur":1}"# }
        lines += (0...TraceAnalyzer.maxOpenSlices).map { #"{"ph":"B","pid":1,"tid":0,"ts":\#($0)}"# }
        lines += (0...TraceAnalyzer.maxOpenAsyncSpans).map { #"{"ph":"b","cat":"c","name":"n","id":\#($0),"pid":1,"ts":1}"# }
        let analysis = try Self.analyze("[" + lines.joined(separator: ",\n") + "]")
        #expect(analysis.workers.count == TraceAnalyzer.maxThreads)
        // One X, one B and one b over the limits.
        #expect(analysis.source.invalidEvents == 3)
        #expect(analysis.source.unmatchedEvents == TraceAnalyzer.maxOpenSlices + TraceAnalyzer.maxOpenAsyncSpans)
        #expect(analysis.notes.contains { $0.hasPrefix("skipped 3 event(s) past the memory limits") })
    }

    @Test("unmatched begin and end events are counted, not paired by guess")
    func unmatched() throws {
        let text = """
            [{"ph":"E","pid":1,"tid":1,"ts":5},
            {"ph":"B","pid":1,"tid":1,"ts":10},
            {"ph":"e","cat":"x","name":"a","id":1,"pid":1,"ts":4},
            {"ph":"b","cat":"x","name":"a","id":2,"pid":1,"ts":4},
            {"ph":"B","pid":1,"tid":1,"ts":20},
            {"ph":"E","pid":1,"tid":1,"ts":15}]
            """
        let analysis = try Self.analyze(text)
        // By time (issue 14 item 2): the E at 5 closes nothing, the E at 15 closes the B at 10, the B at 20 stays
        // open; the e of id 1 and the b of id 2 have no partner.
        #expect(analysis.source.unmatchedEvents == 4)
        #expect(analysis.source.invalidEvents == 0)
        #expect(analysis[.span] == 5e-6)
    }
}
