import ConcTraceFormat

extension SweepResults {
    /// Why the runs at one size stopped (`RepetitionPlan.StopReason`, as its code and sentence).
    public struct Stop: Sendable, Equatable {
        /// The size.
        public var tasks: Int
        /// `fixed_count`, `precise`, `maximum_runs`, `budget_spent`, `no_strategy_left`, `interrupted`.
        public var code: String
        /// The reason as a sentence.
        public var text: String

        /// Makes a stop.
        public init(tasks: Int, code: String, text: String) {
            self.tasks = tasks
            self.code = code
            self.text = text
        }

        /// The stop of the runs at `tasks` for `reason`.
        public init(tasks: Int, reason: RepetitionPlan.StopReason) {
            self.init(tasks: tasks, code: reason.code, text: reason.text)
        }
    }

    /// One strategy at one size: its runs, each figure summarised with its spread (`SampleSummary`, over the runs
    /// that finished ok), and how the runs went.
    public struct Summary: Sendable {
        /// The size.
        public var tasks: Int
        /// The strategy.
        public var strategy: String
        /// The runs as a verdict takes them (wall time, peak memory, p99 latency, failures).
        public var samples: StrategySamples
        /// `ok` when every run was, `error` when any could not run, else `failed` when any had failed tasks;
        /// `skipped` when the strategy was not run at this size.
        public var status: Run.Status
        /// The first run's error that was not ok (the reason for `skipped`).
        public var error: String?
        /// Wall time, s.
        public var wall: SampleSummary?
        /// Tasks done per second.
        public var throughput: SampleSummary?
        /// Task latency p99, ms.
        public var latencyP99: SampleSummary?
        /// Mean dispatch overhead per switch, µs.
        public var dispatchOverhead: SampleSummary?
        /// Switches per task.
        public var switchesPerTask: SampleSummary?
        /// Peak resident memory, bytes.
        public var peakMemory: SampleSummary?

        /// Summarises `runs` (all of one strategy at one size, in run order).
        init(tasks: Int, strategy: String, runs: [Run]) {
            self.tasks = tasks
            self.strategy = strategy
            let measured = runs.filter { $0.status != .skipped }
            samples = StrategySamples.grouping(measured).first
                ?? StrategySamples(strategy: strategy, wallSeconds: [])
            let statuses = Set(runs.map(\.status))
            status = measured.isEmpty ? .skipped
                : statuses.contains(.error) ? .error : statuses.contains(.failed) ? .failed : .ok
            error = runs.first { $0.status != .ok }?.error
            let ok = runs.filter { $0.status == .ok }
            func summary(_ value: (Run) -> Double?) -> SampleSummary? {
                SampleSummary(ok.compactMap(value).filter(\.isFinite))
            }
            wall = summary(\.wallSeconds)
            throughput = summary(\.throughput)
            latencyP99 = summary(\.latencyP99Milliseconds)
            dispatchOverhead = summary(\.dispatchOverheadMicroseconds)
            switchesPerTask = summary(\.switchesPerTask)
            peakMemory = summary { $0.peakRSSBytes.map(Double.init) }
        }

        /// The runs that count (finished ok).
        public var runs: Int { samples.runs }
        /// The runs that did not finish ok.
        public var failedRuns: Int { samples.failures.count }
    }

    /// The task counts, in the order first run.
    public var sizes: [Int] {
        var seen: Set<Int> = []
        return runs.map(\.tasks).filter { seen.insert($0).inserted }
    }

    /// Every strategy at every size, summarised: by size (in the order run), then strategy (in the order the
    /// strategies first appear in the file).
    public var summaries: [Summary] {
        sizes.flatMap(summaries(tasks:))
    }

    /// The strategies at `tasks`, summarised, in the order the strategies first appear in the file (a sweep's
    /// order, whatever order the skipped and measured runs of this size were recorded in).
    public func summaries(tasks: Int) -> [Summary] {
        let atSize = runs.filter { $0.tasks == tasks }
        let present = Set(atSize.map(\.strategy))
        return strategies.filter(present.contains).map { strategy in
            Summary(tasks: tasks, strategy: strategy, runs: atSize.filter { $0.strategy == strategy })
        }
    }

    /// The advice at `tasks`: the verdict of its strategies' runs (Mann-Whitney U at p < 0.01 and 5 %, memory and
    /// p99 latency breaking ties), with the reason the runs stopped when it is known. No trace figures or machine
    /// readings: a sweep file keeps none.
    public func advice(tasks: Int) -> StrategyAdvice {
        StrategyAdvice(workload: workload, samples: summaries(tasks: tasks).filter { $0.status != .skipped }.map(\.samples),
                       cores: cores, stopReason: nil)
    }

    /// Why the runs at `tasks` stopped, if the file says.
    public func stop(tasks: Int) -> Stop? {
        stops.last { $0.tasks == tasks }
    }

    /// The verdict at one size as a JSON object, for the file.
    func verdictJSON(tasks: Int) -> String {
        let advice = advice(tasks: tasks)
        var object = JSONObjectText()
        object.add("tasks", tasks)
        object.add("winners", json: AdviceJSON.array(advice.verdict.winners.map(JSONObjectText.quoted)))
        object.add("decision", advice.verdict.decision.code)
        object.add("decided_by", advice.verdict.decision.decidedBy?.rawValue)
        object.add("text", advice.headline)
        let stop = stop(tasks: tasks)
        object.add("stopped", stop?.code)
        object.add("stopped_text", stop?.text)
        return object.text
    }
}

extension SweepJSON {
    /// A summary as a line of the file: its size, strategy, runs and status, and each figure's spread (null without
    /// values).
    static func summary(_ summary: SweepResults.Summary) -> String {
        var object = JSONObjectText()
        object.add("tasks", summary.tasks)
        object.add("strategy", summary.strategy)
        object.add("runs", summary.runs)
        object.add("failed_runs", summary.failedRuns)
        object.add("status", summary.status.rawValue)
        object.add("error", summary.error)
        let figures: [(String, SampleSummary?)] = [
            ("wall_s", summary.wall), ("throughput_tasks_per_s", summary.throughput),
            ("latency_ms_p99", summary.latencyP99), ("dispatch_overhead_us_mean", summary.dispatchOverhead),
            ("switches_per_task", summary.switchesPerTask), ("peak_rss_bytes", summary.peakMemory),
        ]
        for (key, figure) in figures { object.add(key, json: figure.map(AdviceJSON.summary) ?? "null") }
        return object.text
    }

    /// A repetition policy: `{"mode": "fixed", "runs", "warm_up_runs"}` or `{"mode": "adaptive", "min_runs",
    /// "max_runs", "tolerance", "budget_s", "warm_up_runs"}`.
    static func policy(_ policy: RepetitionPolicy) -> String {
        var object = JSONObjectText()
        switch policy.count {
        case .fixed(let runs):
            object.add("mode", "fixed")
            object.add("runs", runs)
        case .adaptive(let minimum, let maximum, let tolerance, let budget):
            object.add("mode", "adaptive")
            object.add("min_runs", minimum)
            object.add("max_runs", maximum)
            object.add("tolerance", tolerance)
            object.add("budget_s", budget)
        }
        object.add("warm_up_runs", policy.warmUpRuns)
        return object.text
    }
}

extension Verdict.Decision {
    /// A stable name for JSON: `clear_winner`, `only_candidate`, `tie`, `no_candidate`.
    public var code: String {
        switch self {
        case .clearWinner: "clear_winner"
        case .onlyCandidate: "only_candidate"
        case .tie: "tie"
        case .noCandidate: "no_candidate"
        }
    }

    /// The figure that decided a clear winner; nil otherwise.
    public var decidedBy: VerdictMetric? {
        if case .clearWinner(let metric) = self { metric } else { nil }
    }
}
