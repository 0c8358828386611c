/// What a trace says about its run at its head (`conctrace.run`), or a worker process about itself
/// (`conctrace.worker`): tool, workload, strategy, parameters, host, clock.
///
/// The one owner of the metadata keys: the writer writes `entries` in order, the worker and the traced run set them,
/// and the analyzer reads them back with `init(args:)`. docs/trace-format.md lists the keys.
public struct RunMetadata: Sendable, Equatable {
    /// The keys conctrace writes, in the order it writes (and the analyzer shows) them.
    public enum Key: String, Sendable, CaseIterable {
        case tool, version
        /// `worker` for a worker process of `--strategy processes`.
        case role
        case workload, strategy, tasks, workers
        /// cpu: task k sums i*i for i below base + k.
        case base
        /// sleep: waits per task, and the length of each.
        case steps, sleepMs = "sleep_ms"
        /// download: where the URLs come from, and each transfer's limit.
        case source, timeoutMs = "timeout_ms"
        case host, cores, pid
        /// A worker process: its parent's pid and its number in the pool.
        case parentPID = "parent_pid", worker
        case clock
        case startMonotonicNanoseconds = "start_monotonic_ns", startUnixNanoseconds = "start_unix_ns"
        case nsPerEvent = "ns_per_event"
        case command
    }

    /// The entries, in order: documented keys and any others (a workload's own parameters).
    public private(set) var entries: [(key: String, value: TraceValue)]

    /// Makes empty metadata.
    public init() {
        entries = []
    }

    /// Metadata as read from a trace's `args`: the documented keys first, in `Key` order, then the others by name.
    public init(args: [String: TraceValue]) {
        let known = Key.allCases.compactMap { key in args[key.rawValue].map { (key: key.rawValue, value: $0) } }
        let others = args.filter { Key(rawValue: $0.key) == nil }.sorted { $0.key < $1.key }
            .map { (key: $0.key, value: $0.value) }
        entries = known + others
    }

    public static func == (lhs: RunMetadata, rhs: RunMetadata) -> Bool {
        lhs.entries.map(\.key) == rhs.entries.map(\.key) && lhs.entries.map(\.value) == rhs.entries.map(\.value)
    }

    /// Sets `key` (replacing an earlier value for the same key).
    public mutating func set(_ key: Key, _ value: TraceValue) {
        set(key.rawValue, value)
    }

    /// Sets a key of the workload's own (e.g. `base`), replacing an earlier value for the same key.
    public mutating func set(_ key: String, _ value: TraceValue) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append((key, value))
        }
    }

    /// The value for `key`, if set.
    public subscript(key: Key) -> TraceValue? {
        self[key.rawValue]
    }

    /// The value for `key`, if set.
    public subscript(key: String) -> TraceValue? {
        entries.first(where: { $0.key == key })?.value
    }

    /// When the run started on the trace's clock (`start_monotonic_ns`), if set and not negative.
    public var startMonotonicNanoseconds: UInt64? {
        self[.startMonotonicNanoseconds]?.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil }
    }
}
