import ConcTraceFormat
import ConcTraceReader

/// What `conctrace sweep` measured: each strategy run at each task count, one row per run, with the run's outcome
/// and the figures the scaling charts of `conctrace report --sweep` plot.
///
/// Each strategy runs several times at each size (`round` 1, 2, ...), interleaved (`RepetitionPlan`); the runs of
/// one strategy at one size are summarised with their spread (`summaries`), and each size has its verdict
/// (`verdict(tasks:)`). Files written before repetitions have one run per strategy and size, read as n = 1.
///
/// The file form is one JSON object (docs/sweep-format.md): `jsonText()` writes it, `load(path:)` reads it back.
///
/// ```
///  conctrace sweep ──runs──▶ SweepResults ──jsonText()──▶ sweep.json ──load(path:)──▶ SweepResults ──▶ report
/// ```
public struct SweepResults: Sendable {
    /// One strategy at one task count.
    public struct Run: Sendable {
        /// How a run went.
        public enum Status: String, Sendable, CaseIterable {
            /// It ran and every task ended done.
            case ok
            /// It ran, but some tasks failed (their errors are in its trace).
            case failed
            /// It could not run (e.g. 10,000 OS threads could not be started); `error` says why.
            case error
            /// It was not run: the sweep predicted it would pass its time limit, or the strategy could not run a
            /// smaller size; `error` says why.
            case skipped
        }

        /// The strategy's name, as `conctrace run --strategy` takes it.
        public var strategy: String
        /// The tasks the run was asked to run.
        public var tasks: Int
        /// The counted round of a repeated measurement (1, 2, ...); 0 for a warm-up run that failed (its strategy
        /// then left the plan; warm-up runs that went well are not kept); nil for a skipped run, and in files written
        /// before repetitions.
        public var round: Int?
        public var status: Status
        /// The exit code of the run (0 when ok).
        public var exitCode: Int32
        /// The one-line error when the status is not ok.
        public var error: String?
        /// Wall time of the run, in s.
        public var wallSeconds: Double?
        /// Tasks done per second.
        public var throughput: Double?
        /// Task latency p99, in ms.
        public var latencyP99Milliseconds: Double?
        /// Mean dispatch overhead per switch, in µs (`Metric.dispatchMean`).
        public var dispatchOverheadMicroseconds: Double?
        /// Switches per task (`Metric.switchesPerTask`).
        public var switchesPerTask: Double?
        /// Peak resident memory of the run, in bytes.
        public var peakRSSBytes: Int?
        /// The run's trace file, if one was kept.
        public var trace: String?

        /// Makes a run with its outcome; every figure is nil until set.
        public init(strategy: String, tasks: Int, status: Status, exitCode: Int32) {
            self.strategy = strategy
            self.tasks = tasks
            self.status = status
            self.exitCode = exitCode
        }
    }

    /// The workload every run ran (`cpu`, `sleep`, `download`).
    public var workload: String
    /// The workload's parameters common to all runs, in order (e.g. `latency_ms`, `sleep_ms`).
    public var parameters: [(key: String, value: TraceValue)]
    /// The machine's host name.
    public var host: String
    /// The machine's cores.
    public var cores: Int
    /// When the sweep was made (Unix time, s).
    public var createdUnixSeconds: Int64
    /// The version of conctrace that made it.
    public var version: String
    /// How many times each strategy ran at each size; nil in files written before repetitions.
    public var repetition: RepetitionPolicy?
    /// The runs, in the order they ran.
    public var runs: [Run]
    /// Why the runs stopped at each size, in the order of the sizes.
    public var stops: [Stop]

    /// Makes sweep results.
    public init(workload: String, parameters: [(key: String, value: TraceValue)], host: String, cores: Int,
                createdUnixSeconds: Int64, version: String, repetition: RepetitionPolicy? = nil, runs: [Run],
                stops: [Stop] = []) {
        self.workload = workload
        self.parameters = parameters
        self.host = host
        self.cores = cores
        self.createdUnixSeconds = createdUnixSeconds
        self.version = version
        self.repetition = repetition
        self.runs = runs
        self.stops = stops
    }

    /// The strategies in the order they first appear among the runs.
    public var strategies: [String] {
        var seen: Set<String> = []
        return runs.map(\.strategy).filter { seen.insert($0).inserted }
    }

    /// The file's text: one JSON object with the keys of docs/sweep-format.md in their documented order, `null` for
    /// every figure that is nil (and for numbers that are not finite), one run, summary and verdict per line.
    public func jsonText() -> String {
        var head = JSONObjectText()
        head.add("tool", "conctrace")
        head.add("kind", "sweep")
        head.add("version", version)
        head.add("workload", workload)
        head.add("parameters", json: SweepJSON.object(parameters))
        head.add("host", host)
        head.add("cores", cores)
        head.add("created_unix_s", json: String(createdUnixSeconds))
        head.add("repetition", json: repetition.map(SweepJSON.policy) ?? "null")
        head.add("runs", json: SweepJSON.lines(runs.map(\.jsonText)))
        head.add("summaries", json: SweepJSON.lines(summaries.map(SweepJSON.summary)))
        head.add("verdicts", json: SweepJSON.lines(sizes.map(verdictJSON)))
        return head.text
    }
}

extension SweepResults.Run {
    /// One run as a JSON object, keys in the documented order.
    var jsonText: String {
        var object = JSONObjectText()
        object.add("strategy", strategy)
        object.add("tasks", tasks)
        object.add("round", json: round.map { String($0) } ?? "null")
        object.add("status", status.rawValue)
        object.add("exit_code", Int(exitCode))
        object.add("error", error)
        object.add("wall_s", json: SweepJSON.number(wallSeconds))
        object.add("throughput_tasks_per_s", json: SweepJSON.number(throughput))
        object.add("latency_ms_p99", json: SweepJSON.number(latencyP99Milliseconds))
        object.add("dispatch_overhead_us_mean", json: SweepJSON.number(dispatchOverheadMicroseconds))
        object.add("switches_per_task", json: SweepJSON.number(switchesPerTask))
        object.add("peak_rss_bytes", json: peakRSSBytes.map { String($0) } ?? "null")
        object.add("trace", trace)
        return object.text
    }
}

/// JSON text of the values `JSONObjectText` has no adder for: optional numbers and `TraceValue`s.
enum SweepJSON {
    /// A number, or `null` for nil and for values that are not finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return value.description
    }

    /// An array with one element per line (`[]` when empty), so that two files diff by element.
    static func lines(_ elements: [String]) -> String {
        elements.isEmpty ? "[]" : "[\n" + elements.joined(separator: ",\n") + "\n]"
    }

    /// An object of ordered members.
    static func object(_ members: [(key: String, value: TraceValue)]) -> String {
        "{" + members.map { JSONObjectText.quoted($0.key) + ":" + value($0.value) }.joined(separator: ",") + "}"
    }

    /// Any `TraceValue`; object members by key, so the text is stable.
    static func value(_ value: TraceValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let integer): String(integer)
        case .double(let number): self.number(number)
        case .string(let text): JSONObjectText.quoted(text)
        case .array(let elements): "[" + elements.map { self.value($0) }.joined(separator: ",") + "]"
        case .object(let members): object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
        }
    }
}
