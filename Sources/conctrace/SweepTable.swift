import ConcTraceAnalysis
import ConcTraceLab

/// A sweep's runs as a plain-text table: one row per strategy and size, by size then strategy: the counted runs,
/// the median wall time with its 95 % confidence interval, the medians of the other figures, and the reason beside
/// each strategy whose runs did not all go well.
struct SweepTable {
    let results: SweepResults

    init(_ results: SweepResults) {
        self.results = results
    }

    var text: String {
        let header = ["tasks", "strategy", "runs", "wall s [95% CI]", "tasks/s", "p99 ms", "dispatch µs",
                      "switch/task", "peak MiB", "status"]
        let rows = results.summaries.map { summary -> [String] in
            let runs = summary.status == .skipped ? "-"
                : String(summary.runs) + (summary.failedRuns == 0 ? "" : " (+\(summary.failedRuns) failed)")
            return [
                String(summary.tasks), summary.strategy, runs, wallCell(summary.wall),
                cell(summary.throughput, 1), cell(summary.latencyP99, 1), cell(summary.dispatchOverhead, 2),
                cell(summary.switchesPerTask, 2), cell(summary.peakMemory, 1, scale: 1.0 / 1_048_576),
                summary.status == .ok ? "ok" : "\(summary.status == .skipped ? "not run" : summary.status.rawValue): " +
                    (summary.error ?? "see the runs"),
            ]
        }
        return TextTable(header: header, rows: rows, leftAligned: [1, 9]).text
    }

    /// `0.104 [0.102-0.107]`: the median and its interval, s (no interval for one run).
    private func wallCell(_ summary: SampleSummary?) -> String {
        guard let summary else { return "-" }
        let interval = summary.interval.map { " [\(formatted($0.lower, digits: 3))-\(formatted($0.upper, digits: 3))]" }
        return formatted(summary.median, digits: 3) + (interval ?? "")
    }

    /// A figure's median.
    private func cell(_ summary: SampleSummary?, _ digits: Int, scale: Double = 1) -> String {
        summary.map { formatted($0.median * scale, digits: digits) } ?? "-"
    }
}

/// Columns padded to their widest cell; numbers right-aligned, the named columns left-aligned.
struct TextTable {
    var header: [String]
    var rows: [[String]]
    /// Columns aligned left (text); the others right (numbers).
    var leftAligned: Set<Int>

    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column -> String in
                let padding = String(repeating: " ", count: widths[column] - row[column].count)
                // The last column is not padded on the right: no trailing blanks.
                if leftAligned.contains(column) {
                    return column == row.count - 1 ? row[column] : row[column] + padding
                }
                return padding + row[column]
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
