import ConcTraceAnalysis
import Foundation
import Testing

/// A merged `--strategy processes` trace, as `ProcessTraceMerge` writes it, with known answers: the parent (pid 10)
/// owns each task's life span and the `tasks` counter; each worker process (pids 11, 12) owns the states of the
/// tasks it ran and their running slices. Guards the bug where `analyze` counted the `spawn worker` tasks as run
/// tasks and saw every task twice (once per process), ready from time 0 until the answer came back.
@Suite("Known answers: a merged processes trace")
struct ProcessesTraceTests {
    /// ```
    /// parent  root 1:  running tid 1 0-100, waiting (child) 100-980, ready 980-990, running tid 1 990-1000
    ///         spawn worker 1, 2: instants at 10, 20; tasks 2, 3, 4 created at 50, 60, 70, ended 400, 450, 800
    /// worker 1 (pid 11)  task 2: ready 50-150, running 150-400; task 4: ready 70-420, running 420-800
    ///                    (and its own view of task 2's life and a tasks counter, both to be ignored)
    /// worker 2 (pid 12)  task 3: ready 60-160, running 160-300, waiting (timer) 300-440, ready 440-445, running 445-450
    /// ```
    static let trace: TraceText = {
        var text = TraceText()
        text.pid = 10
        text.processName("conctrace cpu/processes")
        text.run(#""tool":"conctrace","workload":"cpu","strategy":"processes","tasks":3,"workers":2"#)
        text.threadName(1, "main")
        text.slice("main", task: 1, tid: 1, from: 0, to: 100)
        text.span("running", task: 1, from: 0, to: 100)
        text.span("waiting (child)", task: 1, from: 100, to: 980)
        text.span("ready", task: 1, from: 980, to: 990)
        text.slice("main", task: 1, tid: 1, from: 990, to: 1000)
        text.span("running", task: 1, from: 990, to: 1000)
        text.span("main", task: 1, from: 0, to: 1000, args: #""task":1,"parent":0,"state":"done""#)
        text.span("cpu 0", task: 2, from: 50, to: 400, args: #""task":2,"parent":1,"state":"done","result":"1""#)
        text.span("cpu 1", task: 3, from: 60, to: 450, args: #""task":3,"parent":1,"state":"done","result":"2""#)
        text.span("cpu 2", task: 4, from: 70, to: 800, args: #""task":4,"parent":1,"state":"done","result":"3""#)
        for (ns, value) in [(0, 1), (50, 2), (60, 3), (70, 4), (400, 3), (450, 2), (800, 1), (1000, 0)] {
            text.inFlight(at: ns, value)
        }
        text.stats(at: 1000, #""events":30,"dropped":0,"ns_per_event":25,"final":true"#)

        text.pid = 11
        text.processName("conctrace worker 1")
        text.raw(#"{"ph":"i","name":"conctrace.worker","s":"p","pid":11,"tid":1,"ts":0.005,"args":{"role":"worker"}}"#)
        text.threadName(1, "worker 1")
        text.span("ready", task: 2, from: 50, to: 150)
        text.slice("cpu 0", task: 2, tid: 1, from: 150, to: 400)
        text.span("running", task: 2, from: 150, to: 400)
        text.span("cpu 0", task: 2, from: 50, to: 400, args: #""task":2,"parent":0,"state":"done""#)
        text.inFlight(at: 50, 1)
        text.inFlight(at: 400, 0)
        text.span("ready", task: 4, from: 70, to: 420)
        text.slice("cpu 2", task: 4, tid: 1, from: 420, to: 800)
        text.span("running", task: 4, from: 420, to: 800)
        text.raw(#"{"ph":"i","name":"conctrace.worker_stats","s":"p","pid":11,"tid":1,"ts":0.800,"args":{"events":20,"dropped":3,"lost":0,"ns_per_event":30,"final":true}}"#)

        text.pid = 12
        text.processName("conctrace worker 2")
        text.raw(#"{"ph":"i","name":"conctrace.worker","s":"p","pid":12,"tid":1,"ts":0.006,"args":{"role":"worker"}}"#)
        text.threadName(1, "worker 2")
        text.span("ready", task: 3, from: 60, to: 160)
        text.slice("cpu 1", task: 3, tid: 1, from: 160, to: 300)
        text.span("running", task: 3, from: 160, to: 300)
        text.span("waiting (timer)", task: 3, from: 300, to: 440)
        text.span("ready", task: 3, from: 440, to: 445)
        text.slice("cpu 1", task: 3, tid: 1, from: 445, to: 450)
        text.span("running", task: 3, from: 445, to: 450)
        // A checkpoint, then the final figures (written first here: the final one counts wherever it is).
        text.raw(#"{"ph":"i","name":"conctrace.worker_stats","s":"p","pid":12,"tid":1,"ts":0.450,"args":{"events":12,"dropped":0,"lost":1,"ns_per_event":20,"final":true}}"#)
        text.raw(#"{"ph":"i","name":"conctrace.worker_stats","s":"p","pid":12,"tid":1,"ts":0.400,"args":{"events":10,"dropped":0,"lost":0,"ns_per_event":20,"final":false}}"#)

        // What the merge adds: spawn instants and dispatch flows (not tasks, not slices).
        text.raw(#"{"ph":"i","s":"t","cat":"spawn","name":"spawn worker 1","pid":10,"tid":1,"ts":0.010,"args":{"pid":11,"spawn_us":1}}"#)
        text.raw(#"{"ph":"i","s":"t","cat":"spawn","name":"spawn worker 2","pid":10,"tid":1,"ts":0.020,"args":{"pid":12,"spawn_us":1}}"#)
        text.raw(#"{"ph":"s","cat":"dispatch","name":"dispatch","id":281474976710658,"pid":10,"tid":1,"ts":0.050}"#)
        text.raw(#"{"ph":"f","cat":"dispatch","name":"dispatch","id":281474976710658,"pid":11,"tid":1,"ts":0.150}"#)
        return text
    }()

    static let analysis: TraceAnalysis = try! TraceAnalyzer.analyze(bytes: trace.bytes, path: "processes.json")

    static let expected: [(Metric, Double)] = [
        // The run's 3 tasks: not the workers' spawns, not the worker's own view of task 2.
        (.tasksDone, 3), (.tasksFailed, 0), (.tasksCancelled, 0),
        // created 50 (task 2) to ended 800 (task 4); latencies 350, 390, 730 ns.
        (.wall, 750e-9), (.latencyMean, 490e-6), (.latencyMax, 730e-6),
        // parent ready -> worker start: 100 (task 2), 350 (task 4), 100 and 5 (task 3); the root's 10.
        (.schedulingDelayMean, 565.0 / 5 / 1000), (.schedulingDelayP50, 0.100), (.schedulingDelayP99, 0.350),
        // running 250, 380, 145; ready 100, 350, 105; waiting 0, 0, 140 ns: the workers' states.
        (.runningTimeMean, 775.0 / 3 / 1e6), (.readyTimeMean, 555.0 / 3 / 1e6), (.waitingTimeMean, 140.0 / 3 / 1e6),
        // one switch per thread with two slices (main, worker 1, worker 2).
        (.switches, 3),
        // worker 1 took task 4 (ready since 70) 20 ns after task 2 ended; worker 2's resume does not qualify.
        (.dispatchMean, 0.020),
        // the parent's counter alone, minus its root: 1,470 task·ns over 750 ns, which is Σ latency: ratio 1.
        (.concurrencyMean, 1470.0 / 750), (.littlesLawRatio, 1), (.concurrencyMax, 3),
        // root and three tasks.
        (.asyncTracks, 4),
        // Every process's recorder (issue 14 item 5): the parent's 30 events, worker 1's 20, worker 2's final 12;
        // 30×25 + 20×30 + 12×20 = 1,590 ns of recording over 3 threads × 1,000 ns.
        (.recorderEvents, 62), (.recorderDropped, 3), (.recorderShare, 0.53),
    ]

    @Test("each metric has its hand-computed value", arguments: expected.map(\.0))
    func metric(_ metric: Metric) {
        let expected = Self.expected.first { $0.0 == metric }!.1
        #expect(KnownAnswerTests.near(Self.analysis[metric], expected),
                "\(metric.rawValue): \(String(describing: Self.analysis[metric])) != \(expected)")
    }

    @Test("the recorder's figures of each process, parent first, in JSON and text; a worker's drops are noted")
    func recorderPerProcess() throws {
        let json = ReportFormat.json.render(Self.analysis.report())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let recorder = try #require(object["recorder"] as? [String: Any])
        let processes = try #require(recorder["processes"] as? [[String: Any]])
        #expect(processes.map { $0["pid"] as? Int } == [10, 11, 12])
        #expect(processes.map { $0["name"] as? String } == ["conctrace cpu/processes", "conctrace worker 1",
                                                            "conctrace worker 2"])
        #expect(processes.map { $0["events"] as? Int } == [30, 20, 12])
        #expect(processes.map { $0["dropped"] as? Int } == [0, 3, 0])
        #expect(processes.map { $0["lost"] as? Int } == [nil, 0, 1])
        #expect(processes.map { $0["ns_per_event"] as? Double } == [25, 30, 20])
        #expect(processes.map { $0["final"] as? Bool } == [true, true, true])
        let text = ReportFormat.text.render(Self.analysis.report())
        #expect(text.contains("recorder per process"))
        #expect(Self.analysis.notes.contains { $0.contains("dropped 3 event(s)") && $0.contains("conctrace worker 1") })
        #expect(Self.analysis.notes.contains { $0.contains("1 recorded event(s) were never written") })
    }

    @Test("every process's threads are workers; no task is left unfinished")
    func workers() {
        let names = Self.analysis.workers.map { "\($0.pid)/\($0.name ?? "-")" }
        #expect(names == ["10/main", "11/worker 1", "12/worker 2"])
        #expect(!Self.analysis.notes.contains { $0.contains("no life span") }, "\(Self.analysis.notes)")
    }
}
