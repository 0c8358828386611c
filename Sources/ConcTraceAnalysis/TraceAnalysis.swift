import ConcTraceFormat
import ConcTraceReader

/// Where a trace came from and how reading it went.
public struct TraceSource: Sendable {
    /// conctrace's own traces (they have a `conctrace.run` event) or another tool's.
    public enum Format: String, Sendable {
        case conctrace, foreign
    }

    /// The file, as given.
    public var path: String
    public var format: Format
    /// The file stops before the trace is closed; the events before the cut were analyzed.
    public var isTruncated: Bool
    /// Bytes read.
    public var bytes: Int
    /// Events read.
    public var events: Int
    /// Events with a missing or unknown `ph`, skipped.
    public var unknownPhaseEvents: Int
    /// Events of a phase the analysis uses, skipped because a field it needs is missing, of the wrong type or out
    /// of range (a slice without `dur`, a time beyond ±2⁶¹ ns, an end before its begin), or because they pass a
    /// memory limit (more than 20,000 threads, 1,024 nested `B` events, 100,000 open `b` events).
    public var invalidEvents: Int
    /// `E`/`e` events that closed nothing, and `B`/`b` events never closed.
    public var unmatchedEvents: Int
}

/// One thread track: a worker, in conctrace's traces.
public struct WorkerSummary: Sendable {
    public var pid: Int64
    /// The thread id (conctrace's worker id).
    public var tid: Int64
    /// The thread's name (`M` `thread_name`), else its process's (`process_name`).
    public var name: String?
    /// The union of its slices, in seconds.
    public var busySeconds: Double
    /// Its slices (`X`, and `B`/`E` pairs).
    public var slices: Int
    /// Busy time over the trace's active span; nil when there is no span.
    public var utilization: Double?
    /// Running slices of tasks after its first one; nil for traces without task slices.
    public var switches: Int?
    /// Slice durations in µs: p50, p90, p99, max (1% precision); nil without slices.
    public var sliceMicroseconds: SlicePercentiles?

    /// Percentiles of a thread's slice durations, in µs.
    public struct SlicePercentiles: Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double

        /// Makes the percentiles (µs).
        public init(p50: Double, p90: Double, p99: Double, max: Double) {
            (self.p50, self.p90, self.p99, self.max) = (p50, p90, p99, max)
        }
    }
}

/// The flow arrows (`s` → `f`) of one category and what they bind to, by Perfetto's rules (docs/metrics.md).
public struct FlowSummary: Sendable, Equatable {
    /// The arrows' `cat` (`spawn`, `wake`, `dispatch` in conctrace's traces).
    public var category: String
    /// Complete arrows: an `s` and its `f` (same `id`, `cat` and `name`).
    public var arrows: Int
    /// Arrows bound to a slice at both ends.
    public var bound: Int
    /// Arrows whose start binds to no slice, and whose end binds to none.
    public var startUnbound: Int
    public var endUnbound: Int
    /// An `s` without its `f`, an `f` without its `s`, or a second `s` or `f` for an open arrow.
    public var unpaired: Int
}

/// One process's recorder, in a `--strategy processes` trace: its `conctrace.stats` (the parent) or
/// `conctrace.worker_stats` (a worker), the final one else its latest.
public struct RecorderProcess: Sendable, Equatable {
    public var pid: Int64
    /// Its `process_name`.
    public var name: String?
    public var events: Int64?
    public var dropped: Int64?
    public var lost: Int64?
    public var nsPerEvent: Double?
    /// The figures are the process's last (`final: true`).
    public var isFinal: Bool
}

/// The metrics of one trace (docs/metrics.md): the result of `TraceAnalyzer`.
public struct TraceAnalysis: Sendable {
    public var source: TraceSource
    /// The `conctrace.run` metadata, in a stable order (the documented keys first); nil for foreign traces.
    public var run: [(key: String, value: TraceValue)]?
    /// Every metric that could be computed.
    public var values: [Metric: Double]
    /// Why each of the others could not.
    public var unavailable: [Metric: String]
    /// Every thread track, ordered by pid and tid.
    public var workers: [WorkerSummary]
    /// Flow arrows per category: `spawn`, `wake`, `dispatch` first, then the others by name.
    public var flows: [FlowSummary] = []
    /// Each process's recorder in a processes trace (the parent first, then the workers by pid); empty for a trace
    /// of one process, whose figures are the `recorder.*` metrics.
    public var recorderProcesses: [RecorderProcess] = []
    /// Warnings about the trace (cut short, dropped events, skipped events), one line each.
    public var notes: [String]
    /// Task latency (end − created, over the ended tasks `T`) in ms at 36 percentiles from 0 (the fastest task) to
    /// 100 (the slowest), denser towards the tail: the points of its cumulative distribution, for plotting, from
    /// the same histogram as `latency_ms.*`. Empty when no task ended.
    public internal(set) var latencyPercentiles: [(percentile: Double, milliseconds: Double)] = []

    /// The percentiles of `latencyPercentiles`.
    static let latencyCDFPercentiles: [Double] = [
        0, 1, 2, 3, 5, 7.5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90,
        91, 92, 93, 94, 95, 96, 97, 98, 99, 99.5, 99.9, 99.99, 100,
    ]

    /// The value of `metric`, or nil if it could not be computed.
    public subscript(metric: Metric) -> Double? {
        values[metric]
    }

    /// The run metadata's `key`.
    public func run(_ key: String) -> TraceValue? {
        run?.first(where: { $0.key == key })?.value
    }

    /// A short name for the trace: its strategy, or else its file name.
    public var name: String {
        run("strategy")?.stringValue ?? fileName
    }

    /// The last component of the path.
    public var fileName: String {
        source.path.split(separator: "/").last.map(String.init) ?? source.path
    }
}
