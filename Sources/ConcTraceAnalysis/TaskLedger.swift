/// A state span of a task's async track, by its name: `ready`, `running`, `waiting (<reason>)`.
enum TaskStateKind {
    case ready, running, waiting

    init?(spanName: String?) {
        guard let spanName else { return nil }
        switch spanName {
        case "ready": self = .ready
        case "running": self = .running
        default:
            guard spanName.hasPrefix("waiting") else { return nil }
            self = .waiting
        }
    }
}

/// The life of a root task (parent 0): in flight, but not one of the run's tasks.
struct RootLife {
    var pid: Int64
    var created: Int64
    var ended: Int64
}

/// What the analysis keeps of tasks: a small record per task, and distributions of the ended ones.
///
/// A task's record (80 bytes) holds its state times and the two halves of a pairing that needs no sorting: a
/// `ready` span that ends where a running slice of the same task starts is the wait before that slice. conctrace
/// writes a task's transitions in order (the `ready` span before the slice), but either half may come first: each
/// waits in the record for the other. Records are kept to the end, so that a state span written after its task's
/// life span (a trace re-sorted by time) still counts: memory grows with the number of tasks, not with events.
struct TaskLedger {
    private struct Record {
        var ready: Int64 = 0
        var running: Int64 = 0
        var waiting: Int64 = 0
        /// The last `ready` span not yet paired with a slice.
        var readyStart = TaskLedger.unset
        var readyEnd = TaskLedger.unset
        /// The last running slice not yet paired with a `ready` span, and the end of the slice before it on its
        /// worker (`unset` when it had none, or the worker's slices were out of order).
        var sliceStart = TaskLedger.unset
        var slicePredecessorEnd = TaskLedger.unset
        /// The first begin and last end of the spans on the task's async track (its lifetime as a track).
        var trackFirst = Int64.max
        var trackLast = Int64.min
        /// The task's life span has been seen; a root's (parent 0) is left out of the per-task times.
        var hasEnded = false
        var isRoot = false

        mutating func noteSpan(_ begin: Int64, _ end: Int64) {
            trackFirst = min(trackFirst, begin)
            trackLast = max(trackLast, end)
        }
    }

    static let unset = Int64.min

    private var records: [UInt64: Record] = [:]

    /// Ready-to-running waits, one per running slice that follows a `ready` span of its task (ns).
    private(set) var schedulingDelay = DurationHistogram()
    /// Dispatch gaps, one per slice whose task was ready when its worker's previous slice ended (ns).
    private(set) var dispatchGaps = DurationHistogram()
    /// Per ended task other than a root: created to end (ns).
    private(set) var latency = DurationHistogram()
    private(set) var done = 0
    private(set) var failed = 0
    private(set) var cancelled = 0
    /// Ended tasks whose `state` is missing or another word.
    private(set) var otherEnds = 0
    /// The sum of `args.bytes` over ended tasks that have it, and how many do.
    private(set) var bytes = 0.0
    private(set) var tasksWithBytes = 0
    /// Creation and end times of the ended tasks (for the exact maximum in flight).
    private(set) var createdTimes: [Int64] = []
    private(set) var endedTimes: [Int64] = []
    private(set) var roots: [RootLife] = []

    /// Tasks that ended (any state), roots excluded.
    var ended: Int { createdTimes.count }

    /// Tasks with states or slices but no life span: in flight where the trace stops.
    var unfinished: Int { records.values.reduce(0) { $0 + ($1.hasEnded ? 0 : 1) } }

    /// The time each ended task (roots excluded) spent ready, running and waiting (ns).
    func stateTimes() -> (ready: DurationHistogram, running: DurationHistogram, waiting: DurationHistogram) {
        var (ready, running, waiting) = (DurationHistogram(), DurationHistogram(), DurationHistogram())
        for record in records.values where record.hasEnded && !record.isRoot {
            ready.record(record.ready)
            running.record(record.running)
            waiting.record(record.waiting)
        }
        return (ready, running, waiting)
    }

    /// A `ready` span and the running slice that starts where it ends.
    private struct Pairing {
        var readyStart: Int64
        var sliceStart: Int64
        var predecessorEnd: Int64
    }

    /// Notes a running slice of `task` starting at `start`.
    mutating func slice(task: UInt64, start: Int64, predecessor: ThreadActivity.Predecessor) {
        let predecessorEnd: Int64 = if case .endedAt(let end) = predecessor { end } else { Self.unset }
        // One hash lookup: the record is changed in place, and the pairing recorded after.
        if let pairing = Self.noteSlice(&records[task, default: Record()], start: start, predecessorEnd: predecessorEnd) {
            pair(pairing)
        }
    }

    /// Notes a span of `task`'s async track: a state span (`kind`), or another one (nil: only its times count, for
    /// the track's lifetime).
    mutating func span(_ kind: TaskStateKind?, task: UInt64, begin: Int64, end: Int64) {
        if let pairing = Self.noteSpan(&records[task, default: Record()], kind, begin: begin, end: end) {
            pair(pairing)
        }
    }

    /// The lifetimes of the tasks' async tracks: first begin to last end of their spans (ns).
    func trackLifetimes(into histogram: inout DurationHistogram) {
        for record in records.values where record.trackFirst <= record.trackLast {
            histogram.record(record.trackLast - record.trackFirst)
        }
    }

    private static func noteSlice(_ record: inout Record, start: Int64, predecessorEnd: Int64) -> Pairing? {
        guard record.readyEnd == start else {
            (record.sliceStart, record.slicePredecessorEnd) = (start, predecessorEnd)
            return nil
        }
        defer { (record.readyStart, record.readyEnd) = (unset, unset) }
        return Pairing(readyStart: record.readyStart, sliceStart: start, predecessorEnd: predecessorEnd)
    }

    private static func noteSpan(_ record: inout Record, _ kind: TaskStateKind?, begin: Int64, end: Int64) -> Pairing? {
        record.noteSpan(begin, end)
        guard let kind else { return nil }
        let length = end - begin
        switch kind {
        case .ready:
            record.ready = record.ready.addingSaturated(length)
            guard record.sliceStart == end else {
                (record.readyStart, record.readyEnd) = (begin, end)
                return nil
            }
            defer { (record.sliceStart, record.slicePredecessorEnd) = (unset, unset) }
            return Pairing(readyStart: begin, sliceStart: end, predecessorEnd: record.slicePredecessorEnd)
        case .running:
            record.running = record.running.addingSaturated(length)
        case .waiting:
            record.waiting = record.waiting.addingSaturated(length)
        }
        return nil
    }

    /// Notes a task's life span; `parent == 0` marks a root.
    mutating func life(task: UInt64, pid: Int64, parent: Int64?, state: String?, bytes: Double?, created: Int64,
                       ended: Int64) {
        Self.noteLife(&records[task, default: Record()], isRoot: parent == 0, created: created, ended: ended)
        if parent == 0 {
            roots.append(RootLife(pid: pid, created: created, ended: ended))
            return
        }
        latency.record(ended - created)
        switch state {
        case "done": done += 1
        case "failed": failed += 1
        case "cancelled": cancelled += 1
        default: otherEnds += 1
        }
        if let bytes, bytes.isFinite {
            self.bytes += bytes
            tasksWithBytes += 1
        }
        createdTimes.append(created)
        endedTimes.append(ended)
    }

    private static func noteLife(_ record: inout Record, isRoot: Bool, created: Int64, ended: Int64) {
        record.noteSpan(created, ended)
        record.hasEnded = true
        record.isRoot = isRoot
    }

    /// The ready-to-running wait of a slice, and its dispatch gap if its task was ready when the worker's previous
    /// slice ended.
    private mutating func pair(_ pairing: Pairing) {
        schedulingDelay.record(pairing.sliceStart - pairing.readyStart)
        if pairing.predecessorEnd != Self.unset, pairing.readyStart <= pairing.predecessorEnd {
            dispatchGaps.record(pairing.sliceStart - pairing.predecessorEnd)
        }
    }

    /// The most tasks in flight at once, from the ended tasks' lives (a task ending at t is no longer in flight
    /// for one created at t); nil when no task ended.
    func maximumInFlight() -> Int? {
        guard !createdTimes.isEmpty else { return nil }
        let starts = createdTimes.sorted()
        let ends = endedTimes.sorted()
        var (best, current, endIndex) = (0, 0, 0)
        for start in starts {
            while endIndex < ends.count, ends[endIndex] <= start {
                current -= 1
                endIndex += 1
            }
            current += 1
            best = max(best, current)
        }
        return best
    }
}

extension Int64 {
    /// `self + other`, held at the bounds instead of overflowing.
    func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
