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

        /// The run's value in the heading's unit (peak memory in MiB); nil when not measured.
        public func value(of run: Run) -> Double? {
            switch self {
            case .wall: run.wallSeconds
            case .throughput: run.throughput
            case .latencyP99: run.latencyP99Milliseconds
            case .dispatch: run.dispatchOverheadMicroseconds
            case .switchesPerTask: run.switchesPerTask
            case .peakMemory: run.peakRSSBytes.map { Double($0) / 1_048_576 }
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

    /// The runs as the text table `conctrace sweep` prints: one row per run, in run order, `-` for a figure not
    /// measured, the outcome last.
    public var textTable: TextTable {
        let header = ["tasks", "strategy"] + Figure.allCases.map(\.heading) + ["status"]
        let rows = runs.map { run in
            [String(run.tasks), TerminalText.escaped(run.strategy)] + Figure.allCases.map { $0.formatted(run) ?? "-" }
                + [Self.outcome(of: run)]
        }
        return TextTable(header: header, rows: rows, leftAligned: [1, header.count - 1])
    }
}
