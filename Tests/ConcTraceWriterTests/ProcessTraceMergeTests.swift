import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem
import Foundation
import Testing

@testable import ConcTraceWriter

/// A worker's event log written through `EventLogSink`, as a worker process writes it, into a nameless file.
private func workerLog(_ events: [TraceEvent], worker: UInt32 = 1, final: Bool = true) throws -> FileDescriptor {
    let log = try TemporaryFile.anonymous()
    let sink = try EventLogSink(descriptor: log)
    try sink.workerStarted(worker: worker, name: "worker 1")
    try sink.consume(events, annotations: TaskAnnotations())
    let stats = RecorderStats(events: UInt64(events.count), dropped: 0, lost: 0, nsPerEvent: 25, workers: 1,
                              isFinal: final)
    if final { try sink.finish(stats) } else { try sink.checkpoint(stats) }
    return log
}

/// A finished parent trace written by the real writer: the root task and one task created, the task ended.
private func parentTrace(at path: String, pid: UInt32) throws {
    let writer = try ChromeTraceWriter(path: path, processID: pid, processName: "conctrace cpu/processes",
                                       metadata: RunMetadata())
    try writer.workerStarted(worker: 1, name: "main")
    let label = TaskLabel("cpu")
    try writer.consume([
        TraceEvent(timestamp: 1_000_000, kind: .created, task: 1, worker: 1, label: .main),
        TraceEvent(timestamp: 1_000_100, kind: .ready, task: 1, worker: 1),
        TraceEvent(timestamp: 1_000_200, kind: .running, task: 1, worker: 1),
        TraceEvent(timestamp: 1_000_300, kind: .created, task: 7, worker: 1, related: 1, value: 3, hasValue: true,
                   label: label),
        TraceEvent(timestamp: 1_900_000, kind: .done, task: 7, worker: 1, value: 14, hasValue: true),
    ], annotations: TaskAnnotations())
    try writer.finish(RecorderStats(events: 5, dropped: 0, lost: 0, nsPerEvent: 25, workers: 1, isFinal: true))
}

/// What worker 1 (pid 11) recorded of task 7: its states, its slice, an OS-switch sample, its own view of the end.
private let workerEvents: [TraceEvent] = [
    TraceEvent(timestamp: 1_000_300, kind: .created, task: 7, worker: 1, value: 3, hasValue: true,
               label: TaskLabel("cpu")),
    TraceEvent(timestamp: 1_000_300, kind: .ready, task: 7, worker: 1),
    TraceEvent(timestamp: 1_200_000, kind: .running, task: 7, worker: 1),
    TraceEvent(timestamp: 1_300_000, kind: .waiting, task: 7, worker: 1, reason: .timer),
    TraceEvent(timestamp: 1_400_000, kind: .ready, task: 7, worker: 1),
    TraceEvent(timestamp: 1_400_000, kind: .running, task: 7, worker: 1),
    TraceEvent(timestamp: 1_500_000, kind: .osSwitches, task: 0, worker: 1, value: UInt128(2) << 64 | 1,
               hasValue: true),
    TraceEvent(timestamp: 1_800_000, kind: .done, task: 7, worker: 1),
]

private func events(at path: String) throws -> [[String: Any]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
}

private func folder() throws -> String {
    let path = NSTemporaryDirectory() + "conctrace-merge-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("event log")
struct EventLogTests {
    @Test("events, labels, workers and statistics come back as written")
    func roundTrip() throws {
        let log = try workerLog(workerEvents)
        defer { try? log.close() }
        let reader = try EventLogReader(descriptor: log)
        var read: [TraceEvent] = []
        var workers: [String] = []
        var finals: [Bool] = []
        while let record = try reader.next() {
            switch record {
            case .worker(_, let name): workers.append(name)
            case .events(let events): read += events
            case .stats(let stats, _): finals.append(stats.isFinal)
            }
        }
        #expect(workers == ["worker 1"] && finals == [true] && !reader.isTruncated)
        #expect(read.map(\.timestamp) == workerEvents.map(\.timestamp))
        #expect(read.map(\.kind) == workerEvents.map(\.kind))
        #expect(read.map(\.reason) == workerEvents.map(\.reason))
        #expect(read.map(\.value) == workerEvents.map(\.value))
        #expect(read.first?.label.text == "cpu")
    }

    @Test("a log cut at any byte reads its complete records and says it was cut")
    func cutAnywhere() throws {
        let whole = try workerLog(workerEvents)
        defer { try? whole.close() }
        var info = stat()
        fstat(whole.rawValue, &info)
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        _ = bytes.withUnsafeMutableBytes { pread(whole.rawValue, $0.baseAddress, $0.count, 0) }
        for cut in EventLog.magic.count..<bytes.count {
            let log = try TemporaryFile.anonymous()
            defer { try? log.close() }
            try log.writeAll(Array(bytes[..<cut]))
            let reader = try EventLogReader(descriptor: log)
            var count = 0
            while let record = try reader.next() {
                if case .events(let events) = record { count += events.count }
            }
            // Events are one record: all or none of them, never part.
            #expect(count == 0 || count == workerEvents.count)
        }
    }

    @Test("a file that is not an event log is refused")
    func notALog() throws {
        let log = try TemporaryFile.anonymous()
        defer { try? log.close() }
        try log.writeAll("[{}]")
        #expect(throws: EventLogReader.ReadError.self) { try EventLogReader(descriptor: log) }
    }
}

@Suite("processes merge")
struct ProcessTraceMergeTests {
    @Test("the merge adds each worker's states and slices (not its tasks' lives), spawns, dispatch arrows and usage")
    func merge() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/trace.json"
        try parentTrace(at: path, pid: 10)
        let log = try workerLog(workerEvents)
        defer { try? log.close() }
        let worker = ProcessTraceMerge.Worker(
            number: 1, pid: 11, spawnStarted: 900_000, spawnEnded: 950_000, eventLog: log, ended: 3_000_001,
            usage: .init(userMicroseconds: 1000, systemMicroseconds: 2000, voluntarySwitches: 3,
                         involuntarySwitches: 4, peakResidentBytes: 5 << 20))
        let handoff = ProcessTraceMerge.Handoff(task: 7, readyAt: 1_000_500, dispatchedAt: 1_100_000, workerPID: 11,
                                                workerThread: 1, startedAt: 1_200_000)
        try ProcessTraceMerge.merge(into: path, parentPID: 10, workers: [worker], handoffs: [handoff])
        let merged = try events(at: path)
        let workers = merged.filter { $0["pid"] as? Int == 11 }
        // The worker's own metadata and statistics, renamed: readers that take the last conctrace.run see the parent's.
        #expect(merged.filter { $0["name"] as? String == "conctrace.run" }.count == 1)
        #expect(workers.contains { $0["name"] as? String == "conctrace.worker" })
        #expect(workers.contains { $0["name"] as? String == "conctrace.worker_stats" })
        // Its slices and state spans stay; the task's life span and the tasks counter are the parent's alone.
        #expect(workers.filter { $0["ph"] as? String == "X" }.map { $0["name"] as? String } == ["cpu 3", "cpu 3"])
        let spans = Set(workers.filter { $0["ph"] as? String == "b" }.compactMap { $0["name"] as? String })
        #expect(spans == ["ready", "running", "waiting (timer)"])
        #expect(!workers.contains { $0["name"] as? String == "tasks" })
        #expect(workers.contains { $0["name"] as? String == "os switches (worker 1)" })
        let lives = merged.filter { $0["ph"] as? String == "b" && ($0["args"] as? [String: Any])?["task"] != nil }
        #expect(lives.count == 1 && lives.first?["pid"] as? Int == 10)
        // The parent's view of its workers.
        let spawn = try #require(merged.first { $0["name"] as? String == "spawn worker 1" })
        #expect(spawn["pid"] as? Int == 10 && (spawn["args"] as? [String: Any])?["spawn_us"] as? Int == 50)
        let flows = merged.filter { $0["cat"] as? String == "dispatch" }
        #expect(flows.compactMap { $0["id"] as? Int } == [Int(TraceNames.dispatchFlowBase) + 7,
                                                          Int(TraceNames.dispatchFlowBase) + 7])
        #expect(flows.last?["pid"] as? Int == 11 && flows.last?["bp"] as? String == "e")
        let usage = try #require(merged.first { $0["name"] as? String == "process (worker 1)" }?["args"]
                                     as? [String: Any])
        #expect(usage["user_cpu_ms"] as? Int == 1 && usage["peak_rss_mib"] as? Int == 5)
    }

    @Test("a worker's log cut short is merged up to its last complete record, and the result is strict JSON")
    func cutLog() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/trace.json"
        try parentTrace(at: path, pid: 10)
        let whole = try workerLog(workerEvents, final: false)
        defer { try? whole.close() }
        var info = stat()
        fstat(whole.rawValue, &info)
        // Killed mid-write: the last record (its statistics) is cut inside its payload.
        ftruncate(whole.rawValue, info.st_size - 3)
        let worker = ProcessTraceMerge.Worker(number: 1, pid: 11, spawnStarted: 900_000, spawnEnded: 950_000,
                                              eventLog: whole, ended: nil, usage: nil)
        try ProcessTraceMerge.merge(into: path, parentPID: 10, workers: [worker], handoffs: [])
        let merged = try events(at: path)
        #expect(merged.filter { $0["pid"] as? Int == 11 && $0["ph"] as? String == "X" }.count == 2)
        #expect(!merged.contains { $0["name"] as? String == "conctrace.worker_stats" })
    }

    @Test("a merge that fails halfway (the disk fills) leaves the parent's trace exactly as it was")
    func failedMerge() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/trace.json"
        try parentTrace(at: path, pid: 10)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let log = try workerLog(workerEvents)
        defer { try? log.close() }
        let worker = ProcessTraceMerge.Worker(number: 1, pid: 11, spawnStarted: 900_000, spawnEnded: 950_000,
                                              eventLog: log, ended: nil, usage: nil)
        // Room for the parent's copy, not for the worker's events.
        #expect(throws: ProcessTraceMerge.MergeError.self) {
            try ProcessTraceMerge.merge(into: path, parentPID: 10, workers: [worker], handoffs: [],
                                        outputLimit: before.count + 100)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["trace.json"])
    }
}
