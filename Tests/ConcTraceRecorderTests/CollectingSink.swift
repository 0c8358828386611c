import ConcTraceRecorder
import Synchronization
import ConcTraceSystem

/// A sink that keeps everything it is given, for tests.
final class CollectingSink: TraceSink, @unchecked Sendable {
    struct Snapshot {
        var workers: [(UInt32, String)] = []
        var batches: [[TraceEvent]] = []
        var checkpoints: [RecorderStats] = []
        var finished: RecorderStats?
    }

    private let state = Locked(Snapshot())
    let failAfterBatches: Int?

    init(failAfterBatches: Int? = nil) {
        self.failAfterBatches = failAfterBatches
    }

    struct Full: Error {}

    var snapshot: Snapshot { state.withLock { $0 } }
    var events: [TraceEvent] { snapshot.batches.flatMap { $0 } }

    func workerStarted(worker: UInt32, name: String) throws {
        state.withLock { $0.workers.append((worker, name)) }
    }

    func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws {
        try state.withLock {
            if let failAfterBatches, $0.batches.count >= failAfterBatches { throw Full() }
            $0.batches.append(events)
        }
    }

    func checkpoint(_ stats: RecorderStats) throws {
        state.withLock { $0.checkpoints.append(stats) }
    }

    func finish(_ stats: RecorderStats) throws {
        state.withLock { $0.finished = stats }
    }
}
