import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads
import Foundation

/// A sink that keeps every event (tests of runs driven as a library).
final class EventCollector: TraceSink, @unchecked Sendable {
    private let collected = Locked<[TraceEvent]>([])
    var events: [TraceEvent] { collected.withLock { $0 } }
    func workerStarted(worker: UInt32, name: String) throws {}
    func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws {
        collected.withLock { $0 += events }
    }
    func checkpoint(_ stats: RecorderStats) throws {}
    func finish(_ stats: RecorderStats) throws {}
}

/// Runs `workload` under `strategy` with a recorder into an `EventCollector`; nothing may be dropped.
func record(_ workload: any Workload, _ strategy: any Strategy) throws -> (RunResult, [TraceEvent]) {
    let sink = EventCollector()
    let recorder = Recorder(sink: sink)
    let context = RunContext(recorder: recorder, mainLane: recorder.makeLane(name: "main"), cancellation: Cancellation())
    let result = try strategy.run(workload, in: context)
    recorder.finish()
    return (result, sink.events)
}

/// The conctrace binary `swift test` built next to this bundle.
let conctraceBinary: String = {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return exe.deletingLastPathComponent().appendingPathComponent("conctrace").path
}()

/// A fresh folder for one test's files.
func makeTestFolder() throws -> String {
    let path = NSTemporaryDirectory() + "conctrace-lab-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
