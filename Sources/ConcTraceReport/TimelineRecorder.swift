import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// A trace's timeline, recorded in the same single pass that analyzes it (so a pipe, which can be read only once,
/// gets its timeline too): the worker lanes (`TimelineGrid`) and the sample tasks (`TaskSampler`). Memory grows with
/// the tasks in flight, never with the events.
///
/// ```
///  event ─┬─ X ──────────▶ lane of its thread (the first maxWorkerRows by pid, tid) ─▶ TimelineGrid
///         ├─ b/e "task" ─▶ TaskSampler (lives, states; sample + slowest)
///         └─ the interval: X slices and task lives
///  finish(analysis) ─▶ Timeline: lanes resampled to the report's columns, sample tasks' states drawn
/// ```
struct TimelineRecorder {
    /// Task names kept for tooltips, at most.
    static let maxNames = 20_000
    /// Times beyond ±2⁶¹ ns are left out, as the analysis leaves them out.
    static let timeLimit: Int64 = 1 << 61

    struct ThreadKey: Hashable, Comparable {
        var pid: Int64
        var tid: Int64

        static func < (lhs: ThreadKey, rhs: ThreadKey) -> Bool { (lhs.pid, lhs.tid) < (rhs.pid, rhs.tid) }
    }

    let maxWorkerRows: Int
    private(set) var start = Int64.max
    private(set) var end = Int64.min
    private var grid = TimelineGrid()
    /// The lanes of the threads drawn: the `maxWorkerRows` smallest (pid, tid) with an `X` slice. A thread that
    /// once lost its lane to a smaller one can never win it back, so every lane holds its thread's every slice.
    private var lanes: [ThreadKey: Int] = [:]
    private var largest: ThreadKey?
    private var taskNames: [UInt64: String] = [:]
    private var sampler = TaskSampler()

    init(maxWorkerRows: Int) {
        self.maxWorkerRows = maxWorkerRows
    }

    mutating func consume(_ event: ChromeEvent) {
        guard let phase = event.phase, let ts = event.timestampNanoseconds, ts.magnitude <= Self.timeLimit else {
            return
        }
        switch phase {
        case .complete:
            guard let tid = event.tid, let duration = event.durationNanoseconds, duration >= 0,
                  duration <= Self.timeLimit else { return }
            let slice = (from: ts, to: ts + duration)
            start = min(start, slice.from)
            end = max(end, slice.to)
            guard let lane = lane(for: ThreadKey(pid: event.pid ?? 0, tid: tid)) else { return }
            let key: UInt64
            if let task = event.args?["task"]?.intValue, task > 0 {
                key = UInt64(task)
                if let name = event.name, taskNames.count < Self.maxNames, taskNames[key] == nil { taskNames[key] = name }
            } else {
                // Slices without a task (foreign traces): coloured by name, stably across runs.
                key = (event.name ?? "").utf8.reduce(UInt64(14_695_981_039_346_656_037)) {
                    ($0 ^ UInt64($1)) &* 1_099_511_628_211
                } | 1 << 63
            }
            grid.add(lane: lane, key: key, from: slice.from, to: slice.to)
        case .asyncBegin, .asyncEnd:
            guard event.category == "task" else { return }
            sampler.consume(event, isBegin: phase == .asyncBegin, time: ts)
        default:
            return
        }
    }

    /// The timeline (nil when there is nothing to draw): worker lanes labelled from `analysis`, sample tasks.
    func finish(analysis: TraceAnalysis, columns: Int, sampleTasks: Int) -> Timeline? {
        let chosen = sampler.chosen(count: sampleTasks)
        // The interval: every X slice and every task's life (a task may be created before any slice).
        let start = min(self.start, sampler.earliest)
        guard start <= max(self.end, sampler.latest), !lanes.isEmpty || !chosen.isEmpty else { return nil }
        let end = max(self.end, sampler.latest, start + 1)
        let workers = Dictionary(analysis.workers.map { (ThreadKey(pid: $0.pid, tid: $0.tid), $0) },
                                 uniquingKeysWith: { first, _ in first })
        var timeline = Timeline(start: start, end: end, rows: [],
                                omittedWorkers: max(0, analysis.workers.filter { $0.slices > 0 }.count - lanes.count),
                                taskNames: taskNames)
        for (key, lane) in lanes.sorted(by: { $0.key < $1.key }) {
            let worker = workers[key]
            timeline.rows.append(.init(
                label: worker?.name ?? "thread \(key.tid)",
                detail: worker?.utilization.map { MetricUnit.fraction.plain($0) + "% busy" } ?? "",
                kind: .worker, columns: grid.resample(lane: lane, start: start, end: end, count: columns)))
        }
        let width = Double(end - start) / Double(columns)
        for task in chosen {
            var row = Timeline.Row(
                label: task.life.name.isEmpty ? "task \(task.life.id)" : task.life.name,
                // Short enough to fit beside the name: three significant digits.
                detail: ([task.isSlowest ? "slowest" : nil,
                          NumberFormat.significant(Double(task.life.latency) / 1e6, digits: 3) + " ms"]
                    as [String?]).compactMap { $0 }.joined(separator: ", "),
                kind: .task, columns: Array(repeating: .init(), count: columns))
            for span in task.spans { Self.add(span, to: &row, start: start, width: width) }
            timeline.rows.append(row)
        }
        return timeline
    }

    // MARK: Parts

    /// The lane of a thread, if it is among the `maxWorkerRows` smallest seen; a smaller thread takes the largest's.
    private mutating func lane(for key: ThreadKey) -> Int? {
        if let lane = lanes[key] { return lane }
        if lanes.count < maxWorkerRows {
            let lane = grid.addLane()
            lanes[key] = lane
            largest = max(largest ?? key, key)
            return lane
        }
        guard let largest, key < largest, let lane = lanes.removeValue(forKey: largest) else { return nil }
        grid.clear(lane: lane)
        lanes[key] = lane
        self.largest = lanes.keys.max()
        return lane
    }

    /// Adds a state span to a task row's columns (exact times: the interval is known by now).
    private static func add(_ span: TaskSampler.Span, to row: inout Timeline.Row, start: Int64, width: Double) {
        let count = row.columns.count
        let first = (Double(span.begin) - Double(start)) / width
        let last = (Double(max(span.begin, span.end - 1)) - Double(start)) / width
        guard last >= 0, first < Double(count) else { return }
        for column in Int(max(0, first.rounded(.down)))...Int(min(Double(count - 1), last.rounded(.down))) {
            let columnStart = Double(start) + Double(column) * width
            let overlap = min(Double(span.end), columnStart + width) - max(Double(span.begin), columnStart)
            row.columns[column].add(span.state.rawValue, Int64(min(max(1, overlap), 0x1p62)))
        }
    }
}
