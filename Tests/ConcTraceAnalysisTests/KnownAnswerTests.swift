import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader
import Testing

/// Every metric of docs/metrics.md, computed by hand for `TraceText.knownRun` (times in ns; all below 2,048 ns, so
/// even the histogram's percentiles are exact).
@Suite("Known answers: every metric of a hand-written run")
struct KnownAnswerTests {
    static let analysis: TraceAnalysis = try! TraceAnalyzer.analyze(bytes: TraceText.knownRun.bytes, path: "known.json")

    /// `value` is within a relative 1e-9 of `expected`.
    static func near(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= 1e-9 * max(abs(expected), 1e-12)
    }

    static let expected: [(Metric, Double)] = [
        // wall: first created (task 2, 20) to last ended (task 2, 600); span: first slice 10 to last slice end 620.
        (.wall, 580e-9), (.span, 610e-9),
        (.tasksDone, 2), (.tasksFailed, 1), (.tasksCancelled, 0),
        (.throughputTasks, 2 / 580e-9), (.throughputBytes, 1500 / 580e-9),
        // latencies 580, 360, 440 ns.
        (.latencyP50, 440e-6), (.latencyP90, 580e-6), (.latencyP99, 580e-6), (.latencyMax, 580e-6),
        (.latencyMean, 460e-6),
        // ready-to-running: root 10, 10; task 2: 80, 20; task 3: 60; task 4: 250 ns.
        (.schedulingDelayP50, 0.020), (.schedulingDelayP99, 0.250), (.schedulingDelayMean, 430.0 / 6 / 1000),
        // per task (root excluded): running 280, 300, 190; ready 100, 60, 250; waiting 200, 0, 0 ns.
        (.runningTimeMean, 770.0 / 3 / 1e6), (.runningTimeP50, 280e-6), (.runningTimeP99, 300e-6),
        (.readyTimeMean, 410.0 / 3 / 1e6), (.readyTimeP50, 100e-6), (.readyTimeP99, 250e-6),
        (.waitingTimeMean, 200.0 / 3 / 1e6), (.waitingTimeP50, 0), (.waitingTimeP99, 200e-6),
        // task slices per worker: 2, 3, 1 -> 1 + 2 + 0 switches, over 3 tasks.
        (.switches, 3), (.switchesPerTask, 1),
        // thread 1: 1->5 and 0->2 (samples out of file order); thread 2: 0->3 and 0->1.
        (.osVoluntarySwitches, 7), (.osInvoluntarySwitches, 3),
        // gaps: task 4 at 310 after 300 (ready since 60): 10; task 2 at 520 after 500 (ready at 500): 20 ns.
        (.dispatchMean, 0.015), (.dispatchP99, 0.020), (.dispatchShare, 30.0 / (610 * 3)),
        // in flight (counter minus the root): area 1,380 task·ns over the 580 ns wall; 3 tasks, mean latency 460.
        (.concurrencyMax, 3), (.concurrencyMean, 1380.0 / 580), (.littlesLawRatio, 1),
        // the final stats win over the earlier checkpoint.
        (.recorderEvents, 40), (.recorderDropped, 2), (.recorderNsPerEvent, 25),
        (.recorderShare, 40 * 25.0 / (610 * 3)),
        // tracks: root 620, tasks 580, 360, 440 ns.
        (.asyncTracks, 4), (.asyncLifetimeP50, 440e-6), (.asyncLifetimeP90, 620e-6), (.asyncLifetimeP99, 620e-6),
        (.asyncLifetimeMax, 620e-6), (.asyncLifetimeMean, 500e-6),
    ]

    @Test("every metric has its hand-computed value", arguments: expected.map(\.0))
    func metric(_ metric: Metric) {
        let expected = Self.expected.first { $0.0 == metric }!.1
        #expect(Self.near(Self.analysis[metric], expected), "\(metric.rawValue): \(String(describing: Self.analysis[metric])) != \(expected)")
    }

    @Test("the hand-computed list covers every metric")
    func coverage() {
        #expect(Set(Self.expected.map(\.0)) == Set(Metric.allCases))
        #expect(Self.analysis.unavailable.isEmpty, "\(Self.analysis.unavailable)")
    }

    @Test("workers: busy time, slices, utilization over the span, switches, slice percentiles")
    func workers() throws {
        let workers = Self.analysis.workers
        try #require(workers.count == 3)
        #expect(workers.map(\.tid) == [1, 2, 3])
        #expect(workers.map(\.pid) == [7, 7, 7])
        #expect(workers.map(\.name) == ["main", "thread 1", "thread 2"])
        #expect(workers.map(\.slices) == [2, 3, 1])
        #expect(workers.map(\.switches) == [1, 2, 0])
        for (worker, busy) in zip(workers, [100.0, 470, 300]) {
            #expect(Self.near(worker.busySeconds, busy * 1e-9))
            #expect(Self.near(worker.utilization, busy / 610))
        }
        #expect(workers[1].sliceMicroseconds == .init(p50: 0.19, p90: 0.2, p99: 0.2, max: 0.2))
        #expect(workers[2].sliceMicroseconds == .init(p50: 0.3, p90: 0.3, p99: 0.3, max: 0.3))
    }

    @Test("source and run metadata")
    func sourceAndRun() {
        let source = Self.analysis.source
        #expect(source.format == .conctrace)
        #expect(!source.isTruncated)
        #expect(source.path == "known.json")
        #expect(source.bytes == TraceText.knownRun.bytes.count)
        #expect(source.events == TraceText.knownRun.lines.count)
        #expect(source.unknownPhaseEvents == 0 && source.invalidEvents == 0 && source.unmatchedEvents == 0)
        #expect(Self.analysis.run?.prefix(4).map(\.key) == ["tool", "version", "workload", "strategy"])
        #expect(Self.analysis.run("workers") == .int(2))
        #expect(Self.analysis.name == "threads")
        // Dropped events are worth a warning.
        #expect(Self.analysis.notes == ["the recorder dropped 2 event(s) (a worker's buffer was full): counts and times may miss them"])
    }

    @Test("the Object form gives the same metrics as the Array form")
    func objectForm() throws {
        let object = try TraceAnalyzer.analyze(bytes: Array(TraceText.knownRun.objectForm.utf8))
        #expect(object.values == Self.analysis.values)
        #expect(object.source.format == .conctrace)
    }

    @Test("events in reverse file order give the same task, worker-independent metrics where order is not needed")
    func reversed() throws {
        // Pairs stay together (a `b` before its `e`); everything else is reversed.
        var trace = TraceText.knownRun
        var units: [[String]] = []
        var index = 0
        while index < trace.lines.count {
            if trace.lines[index].hasPrefix(#"{"ph":"b""#) {
                units.append([trace.lines[index], trace.lines[index + 1]])
                index += 2
            } else {
                units.append([trace.lines[index]])
                index += 1
            }
        }
        trace.lines = units.reversed().flatMap { $0 }
        let analysis = try TraceAnalyzer.analyze(bytes: trace.bytes)
        for metric in [Metric.wall, .latencyMean, .tasksDone, .schedulingDelayMean, .osVoluntarySwitches,
                       .recorderEvents, .asyncLifetimeMean, .runningTimeMean, .readyTimeMean] {
            #expect(Self.near(analysis[metric], Self.analysis[metric]!), "\(metric.rawValue)")
        }
        // Each worker's slices now come last-first: dispatch gaps need them in order, so they are not guessed.
        #expect(analysis[.dispatchMean] == nil)
        #expect(analysis.unavailable[.dispatchMean]?.contains("in time order") == true)
        // The counter samples run backwards too.
        #expect(analysis[.littlesLawRatio] == nil)
    }
}
