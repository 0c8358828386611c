import ConcTraceRecorder
import ConcTraceSiteServer
import ConcTraceWorkloads
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
import ConcTraceSystem
#endif

@testable import ConcTraceStrategies

/// Keeps every event and every annotation of the tasks that ended, as a writer would take them.
final class DetailCollector: TraceSink, @unchecked Sendable {
    private let collected = Locked<(events: [TraceEvent], details: [UInt64: [String: AnnotationValue]])>(([], [:]))
    var events: [TraceEvent] { collected.withLock { $0.events } }
    var details: [UInt64: [String: AnnotationValue]] { collected.withLock { $0.details } }
    func workerStarted(worker: UInt32, name: String) throws {}
    func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws {
        collected.withLock { state in
            state.events.append(contentsOf: events)
            for event in events where [.done, .failed, .cancelled].contains(event.kind) {
                for (key, value) in annotations.take(event.task) { state.details[event.task, default: [:]][key] = value }
            }
        }
    }
    func checkpoint(_ stats: RecorderStats) throws {}
    func finish(_ stats: RecorderStats) throws {}
}

/// One recorded download run: its result, its events, and each task's details by index.
struct DownloadRun {
    var result: RunResult
    var events: [TraceEvent]
    /// Task id of each index.
    var tasks: [Int: UInt64]
    var details: [UInt64: [String: AnnotationValue]]

    func details(ofIndex index: Int) -> [String: AnnotationValue] { details[tasks[index] ?? 0] ?? [:] }
    func error(ofIndex index: Int) -> String? {
        if case .string(let text)? = details(ofIndex: index)["error"] { return text }
        return nil
    }
}

/// Runs the download of `urls` under `kind` with recording on.
func recordDownload(_ urls: [String], _ kind: StrategyKind, workers: Int? = nil, timeoutMilliseconds: Int = 5_000,
                    cancellation: Cancellation = Cancellation()) throws -> DownloadRun {
    let sink = DetailCollector()
    let recorder = Recorder(sink: sink, nsPerEvent: 1)
    let workload = DownloadWorkload(urls: urls, timeoutMilliseconds: timeoutMilliseconds)
    let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"), cancellation: cancellation)
    let strategy = makeStrategy(kind, workers: workers, tasks: urls.count)
    let result = try strategy.run(workload, in: context)
    #expect(recorder.finish().dropped == 0)
    let events = sink.events
    var tasks: [Int: UInt64] = [:]
    for event in events where event.kind == .created && event.label.text == "download" {
        tasks[Int(event.value)] = event.task
    }
    return DownloadRun(result: result, events: events, tasks: tasks, details: sink.details)
}

/// Starts a site server on 127.0.0.1 (a free port, one event loop thread); shut down when `body` returns.
func withSite<T>(_ configuration: SiteConfiguration, _ body: (SiteServer) throws -> T) throws -> T {
    let server = try SiteServer.start(configuration)
    defer { server.shutdown() }
    return try body(server)
}

func site(pages: Int = 15, latencyMilliseconds: Int = 20, errorRate: Double = 0, resetRate: Double = 0,
          stallRate: Double = 0) -> SiteConfiguration {
    SiteConfiguration(pages: pages, latency: .fixed(milliseconds: latencyMilliseconds), errorRate: errorRate,
                      resetRate: resetRate, stallRate: stallRate, eventLoopThreads: 1)
}

@Suite("download under every strategy", .timeLimit(.minutes(1)))
struct DownloadStrategyTests {
    @Test("the tutorial's 15 pages arrive whole: 625,484 bytes, each task's details in its done event",
          arguments: StrategyKind.inProcess)
    func allPages(kind: StrategyKind) throws {
        try withSite(site()) { server in
            let urls = (0..<15).map { "\(server.baseURL)/page/\($0)" }
            let run = try recordDownload(urls, kind)
            #expect(run.result.done == 15 && run.result.failed == 0)
            #expect(run.result.outcomes.map { $0?.bytes } == PageCatalog.tutorialSizes.map { $0 })
            #expect(run.result.outcomes.reduce(0) { $0 + ($1?.bytes ?? 0) } == 625_484)
            for index in 0..<15 {
                let details = run.details(ofIndex: index)
                #expect(details["url"] == .string(urls[index]))
                #expect(details["status"] == .int(200))
                #expect(details["bytes"] == .int(Int64(PageCatalog.size(ofPage: index))))
                guard case .double(let total)? = details["total_ms"], case .double(let firstByte)? = details["first_byte_ms"]
                else {
                    Issue.record("task \(index) has no timings")
                    continue
                }
                // The server waits 20 ms before answering.
                #expect(firstByte >= 15 && total >= firstByte)
            }
            // Every task waited for its transfer as I/O.
            for task in run.tasks.values {
                #expect(run.events.contains { $0.task == task && $0.kind == .waiting && $0.reason == .io })
            }
            #expect(server.stats().ok == 15)
        }
    }

    @Test("each fault ends its own task failed with the reason; the others succeed", arguments: StrategyKind.inProcess)
    func faults(kind: StrategyKind) throws {
        let good = try SiteServer.start(site(latencyMilliseconds: 5))
        let errors = try SiteServer.start(site(latencyMilliseconds: 5, errorRate: 1))
        let resets = try SiteServer.start(site(latencyMilliseconds: 5, resetRate: 1))
        let stalls = try SiteServer.start(site(stallRate: 1))
        let closed = try SiteServer.start(site())
        closed.shutdown()
        defer { [good, errors, resets, stalls].forEach { $0.shutdown() } }
        let urls = [
            "\(good.baseURL)/page/0",
            "\(errors.baseURL)/page/1",  // HTTP 500
            "\(good.baseURL)/page/2",
            "\(good.baseURL)/page/99",  // HTTP 404
            "\(resets.baseURL)/page/4",  // connection reset
            "\(stalls.baseURL)/page/5",  // never answered: the timeout
            "\(closed.baseURL)/page/6",  // connection refused
            "http://nonexistent.invalid/page/7",  // no such host
            "\(good.baseURL)/page/8",
        ]
        let clock = ContinuousClock()
        let started = clock.now
        let run = try recordDownload(urls, kind, workers: 3, timeoutMilliseconds: 600)
        let elapsed = clock.now - started
        #expect(run.result.done == 3 && run.result.failed == 6 && run.result.cancelled == 0)
        #expect([0, 2, 8].map { run.result.outcomes[$0]?.bytes } == [63153, 23965, 79318])
        #expect(run.error(ofIndex: 1) == "HTTP 500")
        #expect(run.details(ofIndex: 1)["status"] == .int(500))
        #expect(run.error(ofIndex: 3) == "HTTP 404")
        let reset = run.error(ofIndex: 4) ?? ""
        #expect(reset.contains("reset") || reset.contains("Empty reply"), "\(reset)")
        #expect(run.error(ofIndex: 5)?.contains("timed out") == true, "\(run.error(ofIndex: 5) ?? "")")
        #expect(run.error(ofIndex: 6)?.contains("onnect") == true, "\(run.error(ofIndex: 6) ?? "")")
        #expect(run.error(ofIndex: 7)?.contains("resolve") == true, "\(run.error(ofIndex: 7) ?? "")")
        for index in [0, 2, 8] { #expect(run.error(ofIndex: index) == nil) }
        // The stall is bounded by the 600 ms timeout (even one after another, the rest is quick).
        #expect(elapsed < .seconds(4), "took \(elapsed)")
    }

    @Test("threads keep one connection per worker alive across their tasks")
    func keepAliveUnderThreads() throws {
        try withSite(site(pages: 30, latencyMilliseconds: 2)) { server in
            let run = try recordDownload((0..<30).map { "\(server.baseURL)/page/\($0)" }, .threads, workers: 3)
            #expect(run.result.done == 30)
            #expect(server.stats().connectionsAccepted <= 3)
            // A reused connection connects in no time: most tasks show connect_ms 0.
            let reused = run.tasks.values.filter { run.details[$0]?["connect_ms"] == .double(0) }
            #expect(reused.count >= 27)
        }
    }

    @Test("on the event loop, every task waits for I/O and the loop runs the others meanwhile")
    func loopSwitches() throws {
        try withSite(site()) { server in
            let run = try recordDownload((0..<15).map { "\(server.baseURL)/page/\($0)" }, .eventloop)
            #expect(run.result.done == 15)
            let children = Set(run.tasks.values)
            let byTask = lifecycles(run.events.filter { children.contains($0.task) })
            for task in children {
                #expect(byTask[task] == [.created, .ready, .running, .waiting, .ready, .running, .done])
            }
            let waits = run.events.filter { children.contains($0.task) && $0.kind == .waiting }
            #expect(waits.count == 15 && waits.allSatisfy { $0.reason == .io })
            // Resumed by the loop's I/O, not by another task: no waker.
            let wakes = run.events.filter { children.contains($0.task) && $0.kind == .ready && $0.related == 0 }
            #expect(wakes.count == 15)
            // The loop switched: every task started (and went waiting) before any finished its transfer.
            let slices = run.events.filter { children.contains($0.task) && $0.kind == .running }.map(\.task)
            #expect(slices.count == 30)
            #expect(Set(slices.prefix(15)) == children)
        }
    }

    @Test("the async pool's I/O thread resumes the tasks; its track only records their wake-ups")
    func asyncIOThread() throws {
        try withSite(site()) { server in
            let run = try recordDownload((0..<15).map { "\(server.baseURL)/page/\($0)" }, .async, workers: 2)
            #expect(run.result.done == 15)
            let children = Set(run.tasks.values)
            let waits = run.events.filter { children.contains($0.task) && $0.kind == .waiting }
            #expect(waits.count == 15 && waits.allSatisfy { $0.reason == .io })
            let runningWorkers = Set(run.events.filter { children.contains($0.task) && $0.kind == .running }.map(\.worker))
            let wakeWorkers = Set(run.events.filter {
                children.contains($0.task) && $0.kind == .ready && $0.related == 0
            }.map(\.worker))
            #expect(wakeWorkers.count == 1 && runningWorkers.isDisjoint(with: wakeWorkers))
        }
    }

    @Test("a run cancelled while its transfers wait on a silent server ends them cancelled, promptly",
          arguments: StrategyKind.inProcess)
    func cancelWhileStalled(kind: StrategyKind) throws {
        try withSite(site(stallRate: 1)) { server in
            let cancellation = Cancellation()
            let canceller = try OSThread(name: "test-cancel") {
                var pause = timespec(tv_sec: 0, tv_nsec: 300_000_000)
                nanosleep(&pause, nil)
                cancellation.cancel()
            }
            defer { canceller.join() }
            let clock = ContinuousClock()
            let started = clock.now
            let run = try recordDownload((0..<4).map { "\(server.baseURL)/page/\($0)" }, kind, workers: 4,
                                         timeoutMilliseconds: 20_000, cancellation: cancellation)
            #expect(run.result.cancelled == 4 && run.result.failed == 0)
            // Threads notice within curl's progress interval (about a second); the multi within 100 ms.
            #expect(clock.now - started < .seconds(3))
        }
    }
}
