import ConcTraceAnalysis
import Testing

/// Strings from a trace never reach the terminal raw: `analyze` and `compare` in text and markdown escape every
/// control character of a host name, a thread or process name, a path or an argument. Guards issue 14 item 8: a
/// `host` of `vm\e]0;PWNED\a\e[2J\nFAKE LINE` set the terminal's title, cleared the screen and printed a fake line.
@Suite("Terminal safety of printed input")
struct TerminalSafetyTests {
    static let hostile = #"vm\u001b]0;PWNED\u0007\u001b[2J\nFAKE LINE\u009b1m"#

    static let trace: [UInt8] = {
        var text = TraceText()
        text.processName(hostile)
        text.run(#""tool":"conctrace","workload":"sleep","strategy":"threads\u001b[31m","host":"\#(hostile)","tasks":1"#)
        text.threadName(2, hostile)
        text.slice(hostile, task: 2, tid: 2, from: 0, to: 100)
        text.span(hostile, task: 2, from: 0, to: 100, args: #""task":2,"parent":1,"state":"done""#)
        text.raw(#"{"ph":"s","cat":"\#(hostile)","name":"x","id":1,"pid":7,"tid":2,"ts":0.010}"#)
        text.raw(#"{"ph":"f","cat":"\#(hostile)","name":"x","id":1,"bp":"e","pid":7,"tid":2,"ts":0.020}"#)
        return text.bytes
    }()

    /// Only line feeds (the renderer's own) may be control characters; nothing may start a line with "FAKE"; the
    /// hostile text shows as visible escapes (`shown`).
    static func check(_ output: String, shown: String?) {
        let controls = output.unicodeScalars.filter {
            ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value)
        }
        #expect(controls.isEmpty, "control characters: \(controls.map { $0.value })")
        #expect(!output.split(separator: "\n").contains { $0.hasPrefix("FAKE") })
        if let shown { #expect(output.contains(shown)) }
    }

    @Test("analyze: text and markdown", arguments: [ReportFormat.text, .markdown])
    func analyze(_ format: ReportFormat) throws {
        let analysis = try TraceAnalyzer.analyze(bytes: Self.trace, path: "/tmp/t\u{1B}[2J.json")
        let output = format.render(analysis.report())
        // Markdown makes a line break inside a cell a space.
        Self.check(output, shown: format == .text ? #"\x1B]0;PWNED\x07\x1B[2J\nFAKE LINE\x9B1m"#
                                                  : #"\x1B]0;PWNED\x07\x1B[2J FAKE LINE\x9B1m"#)
        #expect(output.contains(#"/tmp/t\x1B[2J.json"#))
    }

    @Test("compare: text and markdown", arguments: [ReportFormat.text, .markdown])
    func compare(_ format: ReportFormat) throws {
        let first = try TraceAnalyzer.analyze(bytes: Self.trace, path: "a.json")
        let second = try TraceAnalyzer.analyze(bytes: TraceText.knownRun.bytes, path: "b.json")
        Self.check(format.render(Comparison([first, second]).report()), shown: #"threads\x1B[31m"#)
    }

    @Test("JSON output escapes DEL and C1 too (JSON allows them raw; a terminal may obey them)")
    func json() throws {
        let analysis = try TraceAnalyzer.analyze(bytes: Self.trace, path: "t.json")
        let output = ReportFormat.json.render(analysis.report())
        #expect(!output.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(output.contains(#"\u009b1m"#))
    }

    @Test("advice: a run's error text is escaped")
    func advice() {
        var failed = SweepResults.Run(strategy: "threads", tasks: 10, status: .error, exitCode: 71)
        failed.error = "cannot start\u{1B}[2J\nFAKE LINE"
        let advice = StrategyAdvice(workload: "sleep", runs: [failed], cores: 2)
        for line in advice.problems + advice.summaryText.split(separator: "\n").map(String.init) {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(line)")
        }
    }
}
