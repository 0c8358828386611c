import ConcTraceAnalysis
import ConcTraceLab

/// A sweep's runs as a plain-text table: one row per run, by size then strategy, with the reason beside each run
/// that did not go well.
struct SweepTable {
    let results: SweepResults

    init(_ results: SweepResults) {
        self.results = results
    }

    var text: String {
        let header = ["tasks", "strategy", "wall s", "tasks/s", "p99 ms", "dispatch µs", "switch/task", "peak MiB",
                      "status"]
        var rows: [[String]] = []
        for run in results.runs {
            rows.append([
                String(run.tasks), run.strategy, cell(run.wallSeconds, 3), cell(run.throughput, 1),
                cell(run.latencyP99Milliseconds, 1), cell(run.dispatchOverheadMicroseconds, 2),
                cell(run.switchesPerTask, 2), cell(run.peakRSSBytes.map { Double($0) / 1_048_576 }, 1),
                run.status == .ok ? "ok" : "\(run.status == .skipped ? "not run" : run.status.rawValue): " +
                    (run.error ?? "exit \(run.exitCode)"),
            ])
        }
        return TextTable(header: header, rows: rows, leftAligned: [1, 8]).text
    }

    private func cell(_ value: Double?, _ digits: Int) -> String {
        value.map { formatted($0, digits: digits) } ?? "-"
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
