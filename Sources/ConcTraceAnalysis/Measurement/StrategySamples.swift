/// One strategy's counted runs of one workload at one size: the figures of the runs that finished, and what went
/// wrong with the others. The verdict and the summaries are made from these.
public struct StrategySamples: Sendable, Equatable {
    /// The strategy's name, as `conctrace run --strategy` takes it.
    public var strategy: String
    /// Wall time of each run that finished (status ok), in s, in run order.
    public var wallSeconds: [Double]
    /// Peak resident memory of each finished run that reported it, in bytes.
    public var peakMemoryBytes: [Double]
    /// Task latency p99 of each finished run whose trace gave it, in ms.
    public var latencyP99Milliseconds: [Double]
    /// One line per run that failed (some tasks failed), could not run, or finished without a wall time.
    public var failures: [String]

    /// Makes a strategy's samples.
    public init(strategy: String, wallSeconds: [Double], peakMemoryBytes: [Double] = [],
                latencyP99Milliseconds: [Double] = [], failures: [String] = []) {
        self.strategy = strategy
        self.wallSeconds = wallSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.latencyP99Milliseconds = latencyP99Milliseconds
        self.failures = failures
    }

    /// The runs that count: those that finished with a wall time.
    public var runs: Int { wallSeconds.count }

    /// Whether the verdict may name it: at least one run finished, and none failed. A strategy that failed even
    /// once is never recommended (its wall times may be short because tasks ended early).
    public var isEligible: Bool { !wallSeconds.isEmpty && failures.isEmpty }

    /// The values of `metric`.
    public func values(_ metric: VerdictMetric) -> [Double] {
        switch metric {
        case .wall: wallSeconds
        case .peakMemory: peakMemoryBytes
        case .latencyP99: latencyP99Milliseconds
        }
    }

    /// The runs grouped by strategy, strategies in the order they first appear. Skipped runs (never run) are left
    /// out; failed and errored runs become `failures`, with their error.
    public static func grouping(_ runs: [SweepResults.Run]) -> [StrategySamples] {
        var order: [String] = []
        var byName: [String: StrategySamples] = [:]
        for run in runs where run.status != .skipped {
            if byName[run.strategy] == nil {
                order.append(run.strategy)
                byName[run.strategy] = StrategySamples(strategy: run.strategy, wallSeconds: [])
            }
            byName[run.strategy]?.add(run)
        }
        return order.compactMap { byName[$0] }
    }

    /// Adds one run of this strategy.
    public mutating func add(_ run: SweepResults.Run) {
        switch run.status {
        case .ok:
            guard let wall = run.wallSeconds, wall.isFinite else {
                failures.append("finished without a wall time in its summary")
                return
            }
            wallSeconds.append(wall)
            if let memory = run.peakRSSBytes { peakMemoryBytes.append(Double(memory)) }
            if let p99 = run.latencyP99Milliseconds, p99.isFinite { latencyP99Milliseconds.append(p99) }
        case .failed, .error:
            failures.append("\(run.status.rawValue): \(run.error ?? "exit status \(run.exitCode)")")
        case .skipped:
            break
        }
    }
}
