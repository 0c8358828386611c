import ConcTraceSystem
/// Where drained events go: the trace writer implements this.
///
/// The recorder calls a sink from one thread at a time (its drain thread, or the thread that calls `finish`),
/// so a sink needs no locking of its own. Events arrive in timestamp order within each batch, and the events of
/// one task or one worker arrive in the order they happened.
public protocol TraceSink: AnyObject {
    /// A worker (lane) appeared; called before any of its events are consumed.
    func workerStarted(worker: UInt32, name: String) throws
    /// A batch of events, ordered by timestamp.
    /// - Parameter annotations: per-task details (errors, URLs) attached with `Recorder.annotate`.
    func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws
    /// Periodic recording statistics, so a trace cut short still says what recording cost.
    func checkpoint(_ stats: RecorderStats) throws
    /// The last call: final statistics; the sink completes and closes its output.
    func finish(_ stats: RecorderStats) throws
}

/// What recording cost and what it lost.
public struct RecorderStats: Sendable, Equatable {
    /// Events recorded into lanes (all of them reach the sink unless the sink failed).
    public var events: UInt64
    /// Events that found their lane full and were not recorded.
    public var dropped: UInt64
    /// Events drained but not written because the sink had failed (e.g. the disk was full).
    public var lost: UInt64
    /// The recorder's calibrated cost of recording one event, in nanoseconds (0 when recording is off).
    public var nsPerEvent: Double
    /// Workers (lanes) that recorded.
    public var workers: Int
    /// Whether this is the final report of the run.
    public var isFinal: Bool

    /// Makes statistics.
    public init(events: UInt64, dropped: UInt64, lost: UInt64, nsPerEvent: Double, workers: Int, isFinal: Bool) {
        self.events = events
        self.dropped = dropped
        self.lost = lost
        self.nsPerEvent = nsPerEvent
        self.workers = workers
        self.isFinal = isFinal
    }
}

/// A sink that takes everything and keeps nothing: for benchmarks that want recording's cost without a file.
public final class DiscardingSink: TraceSink {
    /// Events taken so far.
    public private(set) var events = 0

    /// Makes a sink.
    public init() {}

    public func workerStarted(worker: UInt32, name: String) throws {}
    public func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws { self.events += events.count }
    public func checkpoint(_ stats: RecorderStats) throws {}
    public func finish(_ stats: RecorderStats) throws {}
}
