import ConcTraceFormat

extension SweepResults {
    /// A measured figure of a run, with the heading and the decimals it is printed with everywhere: the sweep
    /// table (`conctrace sweep`, `demo`, `advise`) and the HTML report's table of runs.
    public enum Figure: CaseIterable, Sendable {
        case wall, throughput, latencyP99, dispatch, switchesPerTask, peakMemory

        /// The column heading, with its unit.
        public var heading: String {
            switch self {
            case .wall: "wall s"
            case .throughput: "tasks/s"
            case .latencyP99: "p99 ms"
            case .dispatch: "dispatch µs"
            case .switchesPerTask: "switch/task"
            case .peakMemory: "peak MiB"
            }
        }

        /// Decimals printed.
        public var decimals: Int {
            switch self {
            case .wall: 3
            case .throughput, .latencyP99, .peakMemory: 1
            case .dispatch, .switchesPerTask: 2
            }
        }

        /// What a value as recorded is multiplied by to be in the heading's unit (bytes to MiB for peak memory).
        public var scale: Double {
            self == .peakMemory ? 1.0 / 1_048_576 : 1
        }

        /// The run's value in the heading's unit (peak memory in MiB); nil when not measured.
        public func value(of run: Run) -> Double? {
            switch self {
            case .wall: run.wallSeconds
            case .throughput: run.throughput
            case .latencyP99: run.latencyP99Milliseconds
            case .dispatch: run.dispatchOverheadMicroseconds
            case .switchesPerTask: run.switchesPerTask
            case .peakMemory: run.peakRSSBytes.map { Double($0) * scale }
            }
        }

        /// The run's value as printed (`NumberFormat.fixed`); nil when not measured.
        public func formatted(_ run: Run) -> String? {
            value(of: run).map { NumberFormat.fixed($0, decimals: decimals) }
        }
    }

    /// One line of text about how a run went: `ok`, or its status and error (escaped for a terminal).
    public static func outcome(of run: Run) -> String {
        guard run.status != .ok else { return "ok" }
        return TerminalText.escaped("\(run.status == .skipped ? "not run" : run.status.rawValue): "
                                    + (run.error ?? "exit \(run.exitCode)"))
    }

    /// The sweep as the text table `conctrace sweep`, `demo` and `advise` print: one row per strategy and size, by
    /// size then strategy: the counted runs, the median wall time with its 95 % interval, the medians of the other
    /// figures (`-` where not measured), and how the runs went.
    public var textTable: TextTable {
        let header = ["tasks", "strategy", "runs", "wall s [95% CI]"] + Figure.allCases.dropFirst().map(\.heading)
            + ["status"]
        let rows = summaries.map { summary -> [String] in
            let runs = summary.status == .skipped ? "-"
                : String(summary.runs) + (summary.failedRuns == 0 ? "" : " (+\(summary.failedRuns) failed)")
            let figures: [SampleSummary?] = [summary.throughput, summary.latencyP99, summary.dispatchOverhead,
                                             summary.switchesPerTask, summary.peakMemory]
            let cells = zip(Figure.allCases.dropFirst(), figures).map { figure, value in
                value.map { NumberFormat.fixed(figure.scale * $0.median, decimals: figure.decimals) } ?? "-"
            }
            let status = summary.status == .ok ? "ok"
                : TerminalText.escaped("\(summary.status == .skipped ? "not run" : summary.status.rawValue): "
                                       + (summary.error ?? "see the runs"))
            return [String(summary.tasks), TerminalText.escaped(summary.strategy), runs, Self.wallCell(summary.wall)]
                + cells + [status]
        }
        return TextTable(header: header, rows: rows, leftAligned: [1, header.count - 1])
    }

    /// `0.104 [0.102-0.107]`: the median wall time and its interval, s (no interval for one run).
    private static func wallCell(_ summary: SampleSummary?) -> String {
        guard let summary else { return "-" }
        let decimals = Figure.wall.decimals
        let interval = summary.interval.map {
            " [\(NumberFormat.fixed($0.lower, decimals: decimals))-\(NumberFormat.fixed($0.upper, decimals: decimals))]"
        }
        return NumberFormat.fixed(summary.median, decimals: decimals) + (interval ?? "")
    }
}
