import ConcTraceFormat
import ConcTraceReader

/// A trace's timeline reduced to pixel columns: per worker, which task ran in each column; per sample task, which
/// state it was in. Memory is fixed by the number of rows and columns, whatever the number of events.
///
/// Each column keeps the key (a task, or a state) that held it longest without interruption, so a slice shorter
/// than a column still marks it (the outline stays) and neighbouring columns with one key draw as one rectangle.
struct Timeline {
    /// One row of the timeline.
    struct Row {
        enum Kind: Equatable {
            /// A thread track: keys are task ids (or, for slices without a task, a hash of their name).
            case worker
            /// A sample task: keys are `TaskState` raw values.
            case task
        }

        var label: String
        /// A second line of the label, e.g. a worker's utilization or a task's latency.
        var detail: String
        var kind: Kind
        var columns: [Column]
    }

    /// What one column holds.
    struct Column {
        /// The key that held the column longest (0: nothing), and for how long (ns).
        var key: UInt64 = 0
        var held: Int64 = 0
        var currentKey: UInt64 = 0
        var current: Int64 = 0

        /// Adds `nanoseconds` of `newKey` after what the column holds so far (a row's slices come in time order).
        mutating func add(_ newKey: UInt64, _ nanoseconds: Int64) {
            if newKey == currentKey {
                current += nanoseconds
            } else {
                (currentKey, current) = (newKey, nanoseconds)
            }
            if current > held { (key, held) = (currentKey, current) }
        }

        /// The stronger of two neighbouring columns (for a coarser timeline).
        func merged(with other: Column) -> Column {
            other.held > held ? other : self
        }
    }

    /// The states of the sample task rows.
    enum TaskState: UInt64 {
        case running = 1, ready, waiting

        init?(spanName: String) {
            if spanName == "running" {
                self = .running
            } else if spanName == "ready" {
                self = .ready
            } else if spanName.hasPrefix("waiting") {
                self = .waiting
            } else {
                return nil
            }
        }
    }

    /// The interval shown (ns, trace clock).
    var start: Int64
    var end: Int64
    var rows: [Row]
    /// Worker rows not drawn (beyond `HTMLReport.maxWorkerRows`).
    var omittedWorkers: Int
    /// Task names by id, for tooltips (only as many as `TimelineRecorder.maxNames`).
    var taskNames: [UInt64: String]

    /// Columns per row.
    var columnCount: Int { rows.first?.columns.count ?? 0 }

    /// The interval's length, ms (in Double: the ends may lie 2⁶² ns apart).
    var milliseconds: Double { (Double(end) - Double(start)) / 1e6 }

    /// The same timeline with half as many columns: each pair of columns merged.
    func coarsened() -> Timeline {
        var coarse = self
        coarse.rows = rows.map { row in
            var row = row
            row.columns = stride(from: 0, to: row.columns.count, by: 2).map { index in
                index + 1 < row.columns.count ? row.columns[index].merged(with: row.columns[index + 1])
                    : row.columns[index]
            }
            return row
        }
        return coarse
    }

    /// Runs of neighbouring columns with one key: the rectangles a row draws.
    static func runs(_ columns: [Column]) -> [(first: Int, count: Int, key: UInt64)] {
        var runs: [(first: Int, count: Int, key: UInt64)] = []
        for (index, column) in columns.enumerated() where column.key != 0 {
            if let last = runs.last, last.key == column.key, last.first + last.count == index {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((index, 1, column.key))
            }
        }
        return runs
    }

    /// Rectangles the whole timeline draws.
    var rectangleCount: Int {
        rows.reduce(0) { $0 + Self.runs($1.columns).count }
    }
}
