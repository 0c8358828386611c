#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem
import Synchronization

/// Records the lifecycle of every task on every worker, and drains it to a `TraceSink` as the run goes.
///
/// ```
///   worker threads ──record──▶ EventLane (one ring per thread, no lock)
///                                   │ drain thread, every few ms: events up to a watermark,
///                                   ▼ merged in timestamp order
///                               TraceSink (the Chrome trace writer) ──▶ disk
/// ```
///
/// Memory stays bounded: lanes grow by segments while the writer catches up, within one `LaneMemory` budget for all of
/// them, and are drained incrementally. Nothing is lost silently: a lane that cannot grow counts a drop, and the
/// statistics reach the sink at every checkpoint and at `finish()`.
public final class Recorder: Sendable {
    /// Tuning for a recorder.
    public struct Configuration: Sendable {
        /// Whether events are recorded at all. When false, lanes do nothing and no sink is needed.
        public var enabled: Bool
        /// The most events a lane holds before they are drained (the memory budget usually binds first).
        public var laneCapacity: Int
        /// The most bytes all lanes together hold before they are drained: past it, lanes count drops. 64 bytes an
        /// event: the default of 256 MiB holds 4 million events waiting for the writer.
        public var laneMemoryLimit: Int
        /// How long the drain thread sleeps between rounds when lanes are not filling, in nanoseconds.
        public var drainInterval: UInt64
        /// How often statistics are checkpointed into the trace, in nanoseconds.
        public var checkpointInterval: UInt64
        /// At most this many events are taken from one lane in one drain round, so a round's buffers stay small
        /// (and reused) even when a lane has fallen far behind.
        public var drainBatchLimit: Int

        /// Makes a configuration.
        public init(enabled: Bool = true, laneCapacity: Int = 1 << 22, laneMemoryLimit: Int = 256 << 20,
                    drainInterval: UInt64 = 5_000_000, checkpointInterval: UInt64 = 1_000_000_000,
                    drainBatchLimit: Int = 16_384) {
            self.enabled = enabled
            self.laneCapacity = laneCapacity
            self.laneMemoryLimit = laneMemoryLimit
            self.drainInterval = drainInterval
            self.checkpointInterval = checkpointInterval
            self.drainBatchLimit = drainBatchLimit
        }
    }

    private struct DrainState {
        var sink: (any TraceSink)?
        var lanes: [EventLane] = []
        var announced = 0
        var batch = DrainBatch()
        var drained: UInt64 = 0
        var lost: UInt64 = 0
        var failure: (any Error)?
        var lastCheckpoint: UInt64 = 0
        var finished = false
    }

    /// The configuration it was made with.
    public let configuration: Configuration
    /// The calibrated cost of recording one event on this machine, in nanoseconds (0 when disabled).
    public let nsPerEvent: Double
    /// Details attached to tasks (errors, URLs), written with their final events.
    public let annotations = TaskAnnotations()
    /// The memory all lanes' segments come from.
    public let laneMemory: LaneMemory

    private let registry = Locked<[EventLane]>([])
    private let drainState: Locked<DrainState>
    private let nextWorker = Atomic<UInt32>(1)
    private let nextTask = Atomic<UInt64>(1)
    private let stopping = Atomic<Bool>(false)
    private let drainThread = Locked<OSThread?>(nil)
    private let threadKey: pthread_key_t

    /// Makes a recorder and, when enabled, starts its drain thread.
    /// - Parameters:
    ///   - configuration: tuning.
    ///   - sink: where events go; nil only when recording is disabled (or for tests that drain by hand).
    ///   - startDraining: false to drain only by calling `drainNow()` (deterministic tests).
    ///   - nsPerEvent: a calibration already made with `RecordCost.calibrate()`, or nil to calibrate now.
    public init(configuration: Configuration = .init(), sink: sending (any TraceSink)?, startDraining: Bool = true,
                nsPerEvent: Double? = nil) {
        self.configuration = configuration
        self.nsPerEvent = configuration.enabled ? (nsPerEvent ?? RecordCost.calibrate()) : 0
        self.laneMemory = LaneMemory(limit: configuration.laneMemoryLimit)
        var state = DrainState()
        state.sink = sink
        state.lastCheckpoint = MonotonicClock.now()
        self.drainState = Locked(state)
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.threadKey = key
        if configuration.enabled && startDraining {
            let thread = try? OSThread(name: "conctrace-drain") { [self] in drainLoop() }
            drainThread.withLock { $0 = thread }
        }
    }

    deinit {
        pthread_key_delete(threadKey)
    }

    /// Whether events are recorded.
    public var isEnabled: Bool { configuration.enabled }

    // MARK: Tasks and lanes

    /// A fresh task id (never 0). Lock-free; valid whether or not recording is on.
    public func makeTaskID() -> UInt64 {
        nextTask.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Makes a lane for a worker. The caller gives it to one thread at a time.
    /// - Parameters:
    ///   - name: the worker's name in the trace (e.g. `thread 3`).
    ///   - capacity: the most events it holds before they are drained; nil for the configured default.
    public func makeLane(name: String, capacity: Int? = nil) -> EventLane {
        let worker = nextWorker.wrappingAdd(1, ordering: .relaxed).oldValue
        let lane = EventLane(worker: worker, name: name, capacity: capacity ?? configuration.laneCapacity,
                             enabled: configuration.enabled, memory: laneMemory)
        if configuration.enabled { registry.withLock { $0.append(lane) } }
        return lane
    }

    /// The lane bound to the calling thread, made (and named `name`) on the thread's first call.
    ///
    /// After the first call this is one `pthread_getspecific`; hot loops should still keep the lane they got.
    public func laneForCurrentThread(name: @autoclosure () -> String) -> EventLane {
        if let raw = pthread_getspecific(threadKey) {
            return Unmanaged<EventLane>.fromOpaque(raw).takeUnretainedValue()
        }
        let lane = makeLane(name: name())
        // The registry keeps the lane alive for the recorder's lifetime; the key holds it unretained.
        if !configuration.enabled { _ = Unmanaged.passRetained(lane) }
        pthread_setspecific(threadKey, Unmanaged.passUnretained(lane).toOpaque())
        return lane
    }

    /// Binds `lane` to the calling thread, so `laneForCurrentThread` returns it there (e.g. the main thread's lane,
    /// made before the thread records anything through an executor).
    public func bindCurrentThread(to lane: EventLane) {
        if !configuration.enabled { _ = Unmanaged.passRetained(lane) }
        pthread_setspecific(threadKey, Unmanaged.passUnretained(lane).toOpaque())
    }

    /// Attaches a detail to a task, written into its args with its final event. Cold path: a lock and an
    /// allocation; call it at most a few times per task, before recording the final event.
    public func annotate(_ task: UInt64, _ key: String, _ value: AnnotationValue) {
        guard isEnabled else { return }
        annotations.annotate(task, key, value)
    }

    // MARK: Draining

    /// Statistics so far: `events` counts what reached the sink; `lost` adds what is still in lanes after
    /// `finish()` (recorded by threads that outlived it) to what a failed sink could not take.
    public func stats(isFinal: Bool = false) -> RecorderStats {
        let lanes = registry.withLock { $0 }
        return drainState.withLock { makeStats(lanes: lanes, state: $0, isFinal: isFinal) }
    }

    private func makeStats(lanes: [EventLane], state: DrainState, isFinal: Bool) -> RecorderStats {
        let stranded = state.finished || isFinal ? lanes.reduce(0) { $0 &+ $1.pending } : 0
        return RecorderStats(
            events: state.drained, dropped: lanes.reduce(0) { $0 &+ $1.dropped }, lost: state.lost &+ stranded,
            nsPerEvent: nsPerEvent, workers: lanes.count, isFinal: isFinal)
    }

    /// The first error the sink raised (e.g. a full disk), if any. Once the sink fails, later events are
    /// counted as `lost`, and what the sink had written stays as it was.
    public var sinkFailure: (any Error)? { drainState.withLock { $0.failure } }

    /// Drains every lane once, up to now. Thread-safe; used by tests and by `finish()`.
    public func drainNow() {
        drain(upTo: MonotonicClock.now())
    }

    /// Stops the drain thread, drains everything, and hands the sink its final statistics. Idempotent and
    /// thread-safe: the run's end and a signal handler may both call it.
    /// - Returns: the final statistics.
    @discardableResult
    public func finish() -> RecorderStats {
        stopping.store(true, ordering: .releasing)
        if let thread = drainThread.withLock({ current -> OSThread? in
            defer { current = nil }
            return current
        }) {
            thread.join()
        }
        // Rounds are bounded: take everything left, round after round, while rounds make progress (threads that
        // outlive the run could otherwise keep this going; what they add later is counted as lost).
        var drainedBefore = drainState.withLock { $0.drained }
        while true {
            drain(upTo: .max)
            let drainedNow = drainState.withLock { $0.drained }
            if drainedNow == drainedBefore { break }
            drainedBefore = drainedNow
        }
        let lanes = registry.withLock { $0 }
        return drainState.withLock { state in
            let stats = makeStats(lanes: lanes, state: state, isFinal: true)
            guard !state.finished else { return stats }
            state.finished = true
            guard state.failure == nil, let sink = state.sink else { return stats }
            do { try sink.finish(stats) } catch { state.failure = error }
            return stats
        }
    }

    private func drainLoop() {
        while !stopping.load(ordering: .acquiring) {
            let filling = drain(upTo: MonotonicClock.now())
            if !filling {
                var pause = timespec(tv_sec: 0, tv_nsec: Int(configuration.drainInterval))
                nanosleep(&pause, nil)
            }
        }
    }

    /// One drain round: the events stamped at or before `watermark` (the time the round began). Returns whether
    /// some lane holds more than a segment's worth of events still (so the next round should not wait).
    @discardableResult
    func drain(upTo watermark: UInt64) -> Bool {
        guard configuration.enabled else { return false }
        let lanes = registry.withLock { $0 }
        return drainState.withLock { state in
            guard !state.finished else { return false }
            var filling = false
            // A lane far behind lowers the round's cut to its limit-th event: every lane is cut at the same time, so
            // the causal order argument (see EventLane.drain) still holds for what this round takes.
            var cut = watermark
            let limit = configuration.drainBatchLimit
            for lane in lanes where lane.pending > UInt64(limit) {
                filling = true
                if let latest = lane.latestTimestamp(amongFirst: limit) { cut = min(cut, latest) }
            }
            state.batch.removeAll()
            for lane in lanes where lane.pending > 0 {
                state.batch.appendRun { lane.drain(upTo: cut, into: &$0) }
                if lane.pending > lane.fullSegmentEvents { filling = true }
            }
            // Spares after the segments drained were recycled (so only the shortfall is new memory), before this
            // round converts: a lane filling fast finds its next segments ready meanwhile.
            for lane in lanes { lane.replenish() }
            state.batch.merge()
            let events = state.batch.events
            state.drained &+= UInt64(events.count)
            let newLanes = lanes[min(state.announced, lanes.count)...]
            state.announced = lanes.count
            guard state.failure == nil, let sink = state.sink else {
                state.lost &+= UInt64(events.count)
                return filling
            }
            do {
                for lane in newLanes { try sink.workerStarted(worker: lane.worker, name: lane.name) }
                if !events.isEmpty { try sink.consume(events, annotations: annotations) }
                let now = MonotonicClock.now()
                if now &- state.lastCheckpoint >= configuration.checkpointInterval, watermark != .max {
                    state.lastCheckpoint = now
                    try sink.checkpoint(makeStats(lanes: lanes, state: state, isFinal: false))
                }
            } catch {
                state.failure = error
                state.lost &+= UInt64(events.count)
            }
            return filling
        }
    }
}
