import ConcTraceReader
import ConcTraceSession
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A finished trace, read back with conctrace's own reader.
struct ReadTrace {
    let events: [ChromeEvent]

    init(path: String) throws {
        let reader = try ChromeTraceReader(path: path)
        var events: [ChromeEvent] = []
        while let event = try reader.next() { events.append(event) }
        self.events = events
    }

    /// Each task's life span (`b`, category task, with `args.task`), by task id.
    var lives: [Int64: ChromeEvent] {
        var lives: [Int64: ChromeEvent] = [:]
        for event in events where event.phase == .asyncBegin && event.category == "task" {
            if let task = event.args?["task"]?.intValue { lives[task] = event }
        }
        return lives
    }

    /// A task's state spans, in time order.
    func states(of task: Int64) -> [String] {
        events.filter { $0.phase == .asyncBegin && $0.id == UInt64(task) && $0.args?["task"] == nil }
            .sorted { ($0.timestampNanoseconds ?? 0) < ($1.timestampNanoseconds ?? 0) }
            .compactMap(\.name)
    }

    /// A task's state spans with their times, in the order they were written (each `b` is followed by its `e`; a
    /// state is written when it closes, so this is time order, ties included).
    func stateSpans(of task: Int64) -> [(name: String, begin: UInt64, end: UInt64)] {
        let lines = events.filter {
            ($0.phase == .asyncBegin || $0.phase == .asyncEnd) && $0.id == UInt64(task) && $0.category == "task"
                && $0.args?["task"] == nil && $0.name != lives[task]?.name
        }
        return stride(from: 0, to: lines.count - 1, by: 2).compactMap { index in
            let (begin, end) = (lines[index], lines[index + 1])
            guard begin.phase == .asyncBegin, end.phase == .asyncEnd, let name = begin.name,
                  let from = begin.timestampNanoseconds, let to = end.timestampNanoseconds else { return nil }
            return (name, UInt64(from), UInt64(to))
        }
    }

    /// The name of each thread track, by tid.
    var threads: [Int64: String] {
        var names: [Int64: String] = [:]
        for event in events where event.name == "thread_name" {
            if let tid = event.tid, let name = event.args?["name"]?.stringValue { names[tid] = name }
        }
        return names
    }

    /// The running slices of `task`.
    func slices(of task: Int64) -> [ChromeEvent] {
        events.filter { $0.phase == .complete && $0.args?["task"]?.intValue == task }
    }
}

/// A path for a trace in a fresh folder.
func tracePath(_ name: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ct-session-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
}

@Suite("TraceSession: the library API", .serialized)
struct TraceSessionTests {
    @Test("a pool from the session records the program's tasks run on it (withTaskExecutorPreference), by name")
    func pool() async throws {
        let path = try tracePath("pool.json")
        let session = try TraceSession.start(writingTo: path)
        let pool = try session.makeWorkerPool(workers: 2)
        await withTaskExecutorPreference(pool) {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<10 {
                    group.addTask(name: "fetch \(index)") { try? await Task.sleep(for: .milliseconds(2)) }
                }
            }
        }
        // Stopped first: its threads have recorded the end of every slice they ran.
        pool.stop()
        let summary = try session.finish()
        #expect(summary.tasks >= 10)
        #expect(summary.dropped == 0)
        let trace = try ReadTrace(path: path)
        let fetches = trace.lives.filter { $0.value.name?.hasPrefix("fetch ") == true }
        #expect(fetches.count == 10)
        for (id, life) in fetches {
            #expect(trace.states(of: id) == ["ready", "running", "waiting (timer)", "ready", "running"])
            #expect(life.args?["end"]?.stringValue == "inferred")
            let workers = Set(trace.slices(of: id).compactMap { $0.tid.flatMap { trace.threads[$0] } })
            #expect(workers.isSubset(of: ["async 1", "async 2"]), "\(workers)")
        }
    }

    @Test("an event loop from the session runs Task(executorPreference:) tasks on its one thread, recorded")
    func eventLoop() async throws {
        let path = try tracePath("loop.json")
        let session = try TraceSession.start(writingTo: path)
        let loop = try session.makeEventLoop(name: "my loop")
        let tasks = (0..<5).map { index in
            Task(name: "job \(index)", executorPreference: loop) {
                try? await Task.sleep(for: .milliseconds(1))
                await Task.yield()
            }
        }
        for task in tasks { await task.value }
        loop.stop()
        try session.finish()
        let trace = try ReadTrace(path: path)
        let jobs = trace.lives.filter { $0.value.name?.hasPrefix("job ") == true }
        #expect(jobs.count == 5)
        for (id, _) in jobs {
            let states = trace.states(of: id)
            #expect(Array(states.prefix(3)) == ["ready", "running", "waiting (timer)"], "\(states)")
            #expect(Set(trace.slices(of: id).compactMap { $0.tid.flatMap { trace.threads[$0] } }) == ["my loop"])
        }
    }

    @Test("a program's task that yields on a session loop waits (yield) and is made ready again, as Task.yield()")
    func loopYield() async throws {
        let path = try tracePath("yield.json")
        let session = try TraceSession.start(writingTo: path)
        let loop = try session.makeEventLoop(name: "my loop")
        let tasks = (0..<3).map { index in
            Task(name: "yielder \(index)", executorPreference: loop) {
                for _ in 0..<4 { await loop.yield() }
            }
        }
        for task in tasks { await task.value }
        loop.stop()
        try session.finish()
        let trace = try ReadTrace(path: path)
        let yielders = trace.lives.filter { $0.value.name?.hasPrefix("yielder ") == true }
        #expect(yielders.count == 3)
        for (id, _) in yielders {
            let spans = trace.stateSpans(of: id)
            #expect(spans.map(\.name) == ["ready", "running"]
                + Array(repeating: ["waiting (yield)", "ready", "running"], count: 4).joined(), "\(spans)")
            for (index, span) in spans.enumerated() where index > 0 {
                #expect(span.begin == spans[index - 1].end)
            }
        }
    }

    @Test("thread work is a task on the calling thread, with its announced waits; a throw ends it failed")
    func threadWork() throws {
        struct Refused: Error {}
        let path = try tracePath("threads.json")
        let session = try TraceSession.start(writingTo: path)
        let value = session.recordThreadWork(name: "reader") { task in
            task.wait(.io) { usleep(2_000) }
            return 7
        }
        #expect(value == 7)
        #expect(throws: Refused.self) {
            try session.recordThreadWork(name: "writer") { _ throws(Refused) in throw Refused() }
        }
        try session.finish()
        let trace = try ReadTrace(path: path)
        let reader = try #require(trace.lives.first { $0.value.name == "reader" })
        #expect(trace.states(of: reader.key) == ["ready", "running", "waiting (io)", "ready", "running"])
        #expect(reader.value.args?["state"]?.stringValue == "done")
        let writer = try #require(trace.lives.first { $0.value.name == "writer" })
        #expect(writer.value.args?["state"]?.stringValue == "failed")
        #expect(writer.value.args?["error"]?.stringValue?.contains("Refused") == true)
    }

    @Test("finish is idempotent and completes the file; a path that is a folder is refused before anything runs")
    func finishAndRefusal() throws {
        let path = try tracePath("done.json")
        let session = try TraceSession.start(writingTo: path)
        let first = try session.finish()
        let second = try session.finish()
        #expect(first == second)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("]\n"))
        let folder = (path as NSString).deletingLastPathComponent
        #expect(throws: TraceSessionError.self) { try TraceSession.start(writingTo: folder) }
    }

    @Test("the example program installs the pool as its global executor: the same traces as conctrace record")
    func globalExecutor() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("TracedServiceExample")
        let path = try tracePath("service.json")
        let process = Process()
        process.executableURL = binary
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(printed.hasPrefix("total 140, 512 bytes; trace \(path): "))
        let trace = try ReadTrace(path: path)
        let run = try #require(trace.events.first { $0.name == "conctrace.run" })
        #expect(run.args?["strategy"]?.stringValue == "library")
        let fetches = trace.lives.filter { $0.value.name?.hasPrefix("fetch ") == true }
        #expect(fetches.count == 8)
        for (id, life) in fetches {
            let states = trace.states(of: id)
            #expect(Array(states.prefix(3)) == ["ready", "running", "waiting (timer)"], "\(states)")
            #expect(life.args?["parent"]?.intValue != 0)
            let workers = Set(trace.slices(of: id).compactMap { $0.tid.flatMap { trace.threads[$0] } })
            #expect(workers.isSubset(of: ["async 1", "async 2"]), "the global executor is the pool: \(workers)")
        }
        let ticks = trace.lives.filter { $0.value.name?.hasPrefix("tick ") == true }
        #expect(ticks.count == 3)
        for (id, _) in ticks {
            #expect(Set(trace.slices(of: id).compactMap { $0.tid.flatMap { trace.threads[$0] } }) == ["loop"])
        }
        let read = try #require(trace.lives.first { $0.value.name == "read config" })
        #expect(trace.states(of: read.key).contains("waiting (io)"))
    }

    @Test("the library's version is conctrace's (the traces it writes say the same version as conctrace's)")
    func version() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("conctrace")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.hasPrefix("conctrace \(TraceSession.version) "), "\(text)")
    }
}
