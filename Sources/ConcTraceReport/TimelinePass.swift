import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// The first pass over a trace, alongside the analyzer: the timeline's interval and every task's life (to pick the
/// sample tasks). Memory grows with the tasks, as the analyzer's does, never with the events.
struct TimelineScout {
    private(set) var start = Int64.max
    private(set) var end = Int64.min
    /// Each task's id, created and end time (ns), roots left out.
    private(set) var tasks: [(id: UInt64, created: Int64, ended: Int64)] = []
    /// Life spans whose `b` was seen, waiting for their `e` (conctrace writes the two together).
    private var openLives: [UInt64: (name: String, created: Int64)] = [:]

    mutating func consume(_ event: ChromeEvent) {
        guard let phase = event.phase, let ts = event.timestampNanoseconds else { return }
        switch phase {
        case .complete:
            guard event.tid != nil, let duration = event.durationNanoseconds, duration >= 0 else { return }
            start = min(start, ts)
            end = max(end, ts &+ duration)
        case .asyncBegin:
            guard event.category == "task", let id = event.id, let args = event.args, args["task"]?.intValue != nil,
                  (args["parent"]?.intValue ?? 1) != 0, openLives.count < 100_000 else { return }
            openLives[id] = (event.name ?? "", ts)
        case .asyncEnd:
            guard event.category == "task", let id = event.id, let open = openLives[id],
                  open.name == (event.name ?? "") else { return }
            openLives[id] = nil
            tasks.append((id, open.created, ts))
            start = min(start, open.created)
            end = max(end, ts)
        default:
            return
        }
    }

    /// Up to `count` tasks spread evenly over the run by creation time, and the slowest task, in creation order.
    func sampleTasks(count: Int) -> (ids: [UInt64], slowest: UInt64?) {
        guard !tasks.isEmpty else { return ([], nil) }
        let ordered = tasks.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        var picked: [UInt64] = []
        for index in 0..<min(count, ordered.count) {
            let position = ordered.count == 1 ? 0 : index * (ordered.count - 1) / max(1, min(count, ordered.count) - 1)
            if !picked.contains(ordered[position].id) { picked.append(ordered[position].id) }
        }
        let slowest = ordered.max { ($0.ended - $0.created) < ($1.ended - $1.created) }!.id
        if !picked.contains(slowest) { picked.append(slowest) }
        let order = Dictionary(ordered.enumerated().map { ($1.id, $0) }, uniquingKeysWith: min)
        return (picked.sorted { order[$0, default: 0] < order[$1, default: 0] }, slowest)
    }
}

/// The second pass: fills the pixel columns of the chosen rows from the trace's running slices and the sample
/// tasks' state spans.
struct TimelineSampler {
    /// Task names kept for tooltips, at most.
    static let maxNames = 20_000

    private var timeline: Timeline
    private let columnWidth: Double
    private var workerRows: [Int64: [Int64: Int]] = [:]
    private var taskRows: [UInt64: Int] = [:]
    private var slowest: UInt64?
    /// Open state spans of the sample tasks (name, begin); conctrace writes each `b` right before its `e`.
    private var openStates: [UInt64: [(name: String, begin: Int64)]] = [:]

    /// - Parameters:
    ///   - workers: the worker rows, in order: (pid, tid, label, detail).
    ///   - tasks: the sample tasks' ids, in row order; `slowest` is marked as such.
    init(start: Int64, end: Int64, columns: Int, workers: [(pid: Int64, tid: Int64, label: String, detail: String)],
         omittedWorkers: Int, tasks: [UInt64], slowest: UInt64?) {
        let end = max(end, start + 1)
        columnWidth = Double(end - start) / Double(columns)
        timeline = Timeline(start: start, end: end, rows: [], omittedWorkers: omittedWorkers, taskNames: [:])
        for worker in workers {
            workerRows[worker.pid, default: [:]][worker.tid] = timeline.rows.count
            timeline.rows.append(.init(label: worker.label, detail: worker.detail, kind: .worker,
                                       columns: Array(repeating: .init(), count: columns)))
        }
        for task in tasks {
            taskRows[task] = timeline.rows.count
            timeline.rows.append(.init(label: "task \(task)", detail: "", kind: .task,
                                       columns: Array(repeating: .init(), count: columns)))
        }
        self.slowest = slowest
    }

    mutating func consume(_ event: ChromeEvent) {
        guard let phase = event.phase, let ts = event.timestampNanoseconds else { return }
        switch phase {
        case .complete:
            guard let pid = event.pid, let tid = event.tid, let row = workerRows[pid]?[tid],
                  let duration = event.durationNanoseconds, duration >= 0 else { return }
            let key: UInt64
            if let task = event.args?["task"]?.intValue, task > 0 {
                key = UInt64(task)
                if let name = event.name, timeline.taskNames.count < Self.maxNames, timeline.taskNames[key] == nil {
                    timeline.taskNames[key] = name
                }
            } else {
                // Slices without a task (foreign traces): coloured by name, stably across runs.
                key = (event.name ?? "").utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } | 1 << 63
            }
            add(row: row, key: key, from: ts, to: ts &+ duration)
        case .asyncBegin:
            guard event.category == "task", let id = event.id, let row = taskRows[id] else { return }
            let name = event.name ?? ""
            if event.args?["task"] != nil {
                timeline.rows[row].label = name.isEmpty ? "task \(id)" : name
                return
            }
            if openStates[id, default: []].count < 64 { openStates[id, default: []].append((name, ts)) }
        case .asyncEnd:
            guard event.category == "task", let id = event.id, let row = taskRows[id],
                  let index = openStates[id]?.lastIndex(where: { $0.name == (event.name ?? "") }) else { return }
            let open = openStates[id]!.remove(at: index)
            if let state = Timeline.TaskState(spanName: open.name) {
                add(row: row, key: state.rawValue, from: open.begin, to: ts)
            }
        default:
            return
        }
    }

    /// Adds `from..<to` (ns) of `key` to the columns it covers; an instant still marks its column.
    private mutating func add(row: Int, key: UInt64, from: Int64, to: Int64) {
        let count = timeline.rows[row].columns.count
        let first = Int(max(0, (Double(from - timeline.start) / columnWidth).rounded(.down)))
        let last = Int(min(Double(count - 1), (Double(max(from, to - 1) - timeline.start) / columnWidth).rounded(.down)))
        guard first < count, last >= 0, first <= last else { return }
        for column in first...last {
            let columnStart = timeline.start + Int64(Double(column) * columnWidth)
            let columnEnd = timeline.start + Int64(Double(column + 1) * columnWidth)
            let overlap = min(to, columnEnd) - max(from, columnStart)
            timeline.rows[row].columns[column].add(key, max(1, overlap))
        }
    }

    /// The timeline, with each task row's latency in its detail.
    func finish(latencies: [UInt64: Int64]) -> Timeline {
        var result = timeline
        for (id, row) in taskRows {
            let latency = latencies[id].map { MetricUnit.milliseconds.format(Double($0) / 1e6) }
            result.rows[row].detail = [id == slowest ? "slowest" : nil, latency].compactMap { $0 }.joined(separator: ", ")
        }
        return result
    }
}
