/// The unit a metric is stated in. It decides how a value is printed; JSON carries the plain number, in this unit.
public enum MetricUnit: String, Sendable, CaseIterable {
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "us"
    case nanoseconds = "ns"
    /// A whole number of things (tasks, slices, events).
    case count
    /// A dimensionless number with a fraction (switches per task).
    case number
    case tasksPerSecond = "tasks/s"
    case bytesPerSecond = "bytes/s"
    /// A share of something, 0...1 in JSON; printed as a percentage.
    case fraction
    /// A ratio that should be near 1.
    case ratio

    /// The symbol printed after a value in text and markdown ("" for counts and plain numbers).
    public var symbol: String {
        switch self {
        case .seconds: "s"
        case .milliseconds: "ms"
        case .microseconds: "µs"
        case .nanoseconds: "ns"
        case .count, .number, .ratio: ""
        case .tasksPerSecond: "tasks/s"
        case .bytesPerSecond: "B/s"
        case .fraction: "%"
        }
    }

    /// Decimals shown in text and markdown.
    var decimals: Int {
        switch self {
        case .seconds, .milliseconds, .ratio: 3
        case .microseconds, .nanoseconds, .tasksPerSecond, .bytesPerSecond: 1
        case .count: 0
        case .number, .fraction: 2
        }
    }

    /// A value as text and markdown show it, e.g. `12.345 ms`, `3.20 %`, `17`; seconds below 0.1 with six
    /// decimals (µs), so that a worker busy for 265 µs does not show as `0.000 s` (`NumberFormat.fixed`).
    public func format(_ value: Double) -> String {
        let number = plain(value)
        return symbol.isEmpty ? number : "\(number) \(symbol)"
    }

    /// A value without its symbol (tables whose heading has the unit); fractions as percentages.
    public func plain(_ value: Double) -> String {
        let shown = self == .fraction ? value * 100 : value
        return NumberFormat.fixed(shown, decimals: self == .seconds && shown.magnitude < 0.1 ? 6 : decimals)
    }
}

/// Which way a metric is better, for marking the best value of a comparison.
public enum MetricDirection: String, Sendable {
    case smallerIsBetter = "smaller"
    case largerIsBetter = "larger"
    /// No side is better (a count that describes the run, or a ratio that should be near 1).
    case neither
}

/// Every scalar metric conctrace computes from a trace (docs/metrics.md defines each).
///
/// The raw value is the metric's place in `conctrace analyze --format json`: dot-separated object keys, so
/// `latency_ms.p50` is `{"latency_ms": {"p50": ...}}`. Per-worker figures are not metrics of this enum: they are
/// rows of `TraceAnalysis.workers`.
public enum Metric: String, Sendable, CaseIterable {
    case wall = "wall_s"
    case span = "span_s"
    case tasksDone = "tasks.done"
    case tasksFailed = "tasks.failed"
    case tasksCancelled = "tasks.cancelled"
    case throughputTasks = "throughput.tasks_per_s"
    case throughputBytes = "throughput.bytes_per_s"
    case latencyP50 = "latency_ms.p50"
    case latencyP90 = "latency_ms.p90"
    case latencyP99 = "latency_ms.p99"
    case latencyMax = "latency_ms.max"
    case latencyMean = "latency_ms.mean"
    case schedulingDelayP50 = "scheduling_delay_us.p50"
    case schedulingDelayP99 = "scheduling_delay_us.p99"
    case schedulingDelayMean = "scheduling_delay_us.mean"
    case runningTimeMean = "task_time_ms.running.mean"
    case runningTimeP50 = "task_time_ms.running.p50"
    case runningTimeP99 = "task_time_ms.running.p99"
    case readyTimeMean = "task_time_ms.ready.mean"
    case readyTimeP50 = "task_time_ms.ready.p50"
    case readyTimeP99 = "task_time_ms.ready.p99"
    case waitingTimeMean = "task_time_ms.waiting.mean"
    case waitingTimeP50 = "task_time_ms.waiting.p50"
    case waitingTimeP99 = "task_time_ms.waiting.p99"
    case switches = "switches.count"
    case switchesPerTask = "switches.per_task"
    case osVoluntarySwitches = "switches.os_voluntary"
    case osInvoluntarySwitches = "switches.os_involuntary"
    case dispatchMean = "dispatch_overhead_us.mean"
    case dispatchP99 = "dispatch_overhead_us.p99"
    case dispatchShare = "dispatch_overhead_us.share"
    case concurrencyMax = "concurrency.max"
    case concurrencyMean = "concurrency.mean"
    case littlesLawRatio = "concurrency.littles_law_ratio"
    case recorderEvents = "recorder.events"
    case recorderDropped = "recorder.dropped"
    case recorderNsPerEvent = "recorder.ns_per_event"
    case recorderShare = "recorder.share"
    case asyncTracks = "async_tracks.count"
    case asyncLifetimeP50 = "async_tracks.lifetime_ms.p50"
    case asyncLifetimeP90 = "async_tracks.lifetime_ms.p90"
    case asyncLifetimeP99 = "async_tracks.lifetime_ms.p99"
    case asyncLifetimeMax = "async_tracks.lifetime_ms.max"
    case asyncLifetimeMean = "async_tracks.lifetime_ms.mean"

    /// The JSON keys, outermost first.
    public var path: [String] { rawValue.split(separator: ".").map(String.init) }

    /// The group a metric is shown in (its first key, or "time" for the top-level `wall_s` and `span_s`).
    public var group: String { path.count > 1 ? path[0] : "time" }

    public var unit: MetricUnit {
        switch self {
        case .wall, .span: .seconds
        case .tasksDone, .tasksFailed, .tasksCancelled, .switches, .osVoluntarySwitches, .osInvoluntarySwitches,
             .concurrencyMax, .recorderEvents, .recorderDropped, .asyncTracks: .count
        case .throughputTasks: .tasksPerSecond
        case .throughputBytes: .bytesPerSecond
        case .latencyP50, .latencyP90, .latencyP99, .latencyMax, .latencyMean,
             .runningTimeMean, .runningTimeP50, .runningTimeP99, .readyTimeMean, .readyTimeP50, .readyTimeP99,
             .waitingTimeMean, .waitingTimeP50, .waitingTimeP99,
             .asyncLifetimeP50, .asyncLifetimeP90, .asyncLifetimeP99, .asyncLifetimeMax, .asyncLifetimeMean:
            .milliseconds
        case .schedulingDelayP50, .schedulingDelayP99, .schedulingDelayMean, .dispatchMean, .dispatchP99: .microseconds
        case .switchesPerTask, .concurrencyMean: .number
        case .dispatchShare, .recorderShare: .fraction
        case .littlesLawRatio: .ratio
        case .recorderNsPerEvent: .nanoseconds
        }
    }

    public var direction: MetricDirection {
        switch self {
        case .wall, .span, .tasksFailed, .tasksCancelled,
             .latencyP50, .latencyP90, .latencyP99, .latencyMax, .latencyMean,
             .schedulingDelayP50, .schedulingDelayP99, .schedulingDelayMean,
             .readyTimeMean, .readyTimeP50, .readyTimeP99,
             .switches, .switchesPerTask, .osInvoluntarySwitches,
             .dispatchMean, .dispatchP99, .dispatchShare,
             .recorderDropped, .recorderNsPerEvent, .recorderShare:
            .smallerIsBetter
        case .tasksDone, .throughputTasks, .throughputBytes:
            .largerIsBetter
        case .runningTimeMean, .runningTimeP50, .runningTimeP99, .waitingTimeMean, .waitingTimeP50, .waitingTimeP99,
             .osVoluntarySwitches, .concurrencyMax, .concurrencyMean, .littlesLawRatio, .recorderEvents,
             .asyncTracks, .asyncLifetimeP50, .asyncLifetimeP90, .asyncLifetimeP99, .asyncLifetimeMax,
             .asyncLifetimeMean:
            .neither
        }
    }

    /// A short label within its group, e.g. `p50`, `running mean`.
    public var label: String {
        switch self {
        case .wall: "wall"
        case .span: "active span"
        case .tasksDone: "done"
        case .tasksFailed: "failed"
        case .tasksCancelled: "cancelled"
        case .throughputTasks: "tasks"
        case .throughputBytes: "bytes"
        case .switches: "count"
        case .switchesPerTask: "per task"
        case .osVoluntarySwitches: "OS voluntary"
        case .osInvoluntarySwitches: "OS involuntary"
        case .dispatchShare, .recorderShare: "share of worker time"
        case .littlesLawRatio: "Little's law ratio"
        case .recorderNsPerEvent: "ns per event"
        case .asyncTracks: "count"
        default: path.dropFirst().map(\.withoutUnitSuffix).joined(separator: " ").replacingUnderscores
        }
    }

    /// The label with its group, for rows that stand alone (comparisons), e.g. `latency p50`.
    public var fullLabel: String {
        group == "time" ? label : "\(Metric.groupTitle(group)) \(label)"
    }

    /// The title of a group, as shown above its metrics.
    public static func groupTitle(_ group: String) -> String {
        switch group {
        case "latency_ms": "latency"
        case "scheduling_delay_us": "scheduling delay"
        case "task_time_ms": "time per task"
        case "dispatch_overhead_us": "dispatch overhead"
        case "async_tracks": "async tracks"
        default: group.replacingUnderscores
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }

    /// `lifetime_ms` without `_ms`: the unit is printed with the value.
    fileprivate var withoutUnitSuffix: String {
        for suffix in ["_ms", "_us", "_s"] where hasSuffix(suffix) { return String(dropLast(suffix.count)) }
        return self
    }
}
