import ConcTraceFormat
import ConcTraceReader

/// Picks the timeline's sample tasks in the one pass that also analyzes the trace, and keeps their state spans.
///
/// The tasks are only known once their life span has been read, which conctrace writes after their states. So the
/// sampler keeps the state spans of each task in flight (at most `maxSpansPerTask` each, `maxPendingSpans` in all)
/// until its life span comes; then it keeps them if the task is a candidate and forgets them otherwise. Candidates
/// are the slowest task so far and a uniform sample of `sampleSize` tasks: those with the smallest hash of their id
/// (a bottom-k sample, the same whatever the file order). The rows drawn are a few of the sample spread by creation
/// time, and the slowest task. A trace that writes a task's states after its life span (a merged processes trace)
/// is handled too: states of a candidate are kept whenever they come.
struct TaskSampler {
    static let sampleSize = 32
    static let maxSpansPerTask = 64
    static let maxPendingSpans = 1_000_000
    /// Open `b` events kept, at most (conctrace has one per task at a time).
    static let maxOpen = 100_000

    /// A state span of a task: running, ready or waiting, over `begin..<end` (ns).
    struct Span {
        var state: Timeline.TaskState
        var begin: Int64
        var end: Int64
    }

    /// A task's life (ns) and name.
    struct Life {
        var id: UInt64
        var name: String
        var created: Int64
        var ended: Int64

        var latency: Int64 { ended - created }
    }

    private var openLives: [UInt64: (name: String, created: Int64)] = [:]
    private var openStates: [UInt64: [(state: Timeline.TaskState?, name: String, begin: Int64)]] = [:]
    private var openCount = 0
    /// Spans of tasks whose life has not been read yet.
    private var pending: [UInt64: [Span]] = [:]
    private var pendingCount = 0
    /// Tasks whose life has been read (their later spans are kept only if they are candidates).
    private var ended: Set<UInt64> = []
    /// The bottom-k sample: (hash, life), by hash.
    private var sample: [(hash: UInt64, life: Life)] = []
    private(set) var slowest: Life?
    /// The earliest creation and the latest end over every task's life (ns).
    private(set) var earliest = Int64.max
    private(set) var latest = Int64.min
    /// Spans of the candidates.
    private var kept: [UInt64: [Span]] = [:]

    /// A `b` or `e` event of category `task` at `time` (ns).
    mutating func consume(_ event: ChromeEvent, isBegin: Bool, time: Int64) {
        guard let id = event.id else { return }
        let name = event.name ?? ""
        if isBegin {
            if let args = event.args, args["task"]?.intValue != nil {
                // A life span; roots (parent 0) are not run tasks.
                if (args["parent"]?.intValue ?? 1) != 0, openLives.count < Self.maxOpen {
                    openLives[id] = (name, time)
                }
                return
            }
            guard openCount < Self.maxOpen else { return }
            openStates[id, default: []].append((Timeline.TaskState(spanName: name), name, time))
            openCount += 1
            return
        }
        if let open = openLives[id], open.name == name {
            openLives[id] = nil
            if time >= open.created { ended(Life(id: id, name: name, created: open.created, ended: time)) }
            return
        }
        guard let index = openStates[id]?.lastIndex(where: { $0.name == name }) else { return }
        let open = openStates[id]!.remove(at: index)
        if openStates[id]!.isEmpty { openStates[id] = nil }
        openCount -= 1
        if let state = open.state, time >= open.begin { span(Span(state: state, begin: open.begin, end: time), of: id) }
    }

    /// The tasks to draw: up to `count` of the sample spread by creation time, and the slowest, in creation order.
    func chosen(count: Int) -> [(life: Life, spans: [Span], isSlowest: Bool)] {
        var picks = sample.map(\.life).sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        if picks.count > count {
            picks = (0..<count).map { picks[$0 * (picks.count - 1) / max(1, count - 1)] }
        }
        if let slowest, !picks.contains(where: { $0.id == slowest.id }) { picks.append(slowest) }
        return picks.sorted { ($0.created, $0.id) < ($1.created, $1.id) }.map { life in
            (life, (kept[life.id] ?? []).sorted { $0.begin < $1.begin }, life.id == slowest?.id)
        }
    }

    // MARK: Parts

    private func isCandidate(_ id: UInt64) -> Bool {
        slowest?.id == id || sample.contains { $0.life.id == id }
    }

    private mutating func span(_ span: Span, of id: UInt64) {
        if ended.contains(id) {
            if isCandidate(id), kept[id, default: []].count < Self.maxSpansPerTask { kept[id, default: []].append(span) }
            return
        }
        guard pendingCount < Self.maxPendingSpans, pending[id, default: []].count < Self.maxSpansPerTask else { return }
        pending[id, default: []].append(span)
        pendingCount += 1
    }

    private mutating func ended(_ life: Life) {
        guard ended.insert(life.id).inserted else { return }
        earliest = min(earliest, life.created)
        latest = max(latest, life.ended)
        let spans = pending.removeValue(forKey: life.id) ?? []
        pendingCount -= spans.count
        var candidate = false
        // The bottom-k sample by a hash of the id.
        let hash = Self.hash(life.id)
        if sample.count < Self.sampleSize || hash < sample[sample.count - 1].hash {
            let index = sample.firstIndex { $0.hash > hash } ?? sample.count
            sample.insert((hash, life), at: index)
            if sample.count > Self.sampleSize { forget(sample.removeLast().life.id, unless: slowest?.id) }
            candidate = true
        }
        if slowest.map({ life.latency > $0.latency }) ?? true {
            let previous = slowest?.id
            slowest = life
            if let previous, !sample.contains(where: { $0.life.id == previous }) { kept[previous] = nil }
            candidate = true
        }
        if candidate { kept[life.id] = spans }
    }

    private mutating func forget(_ id: UInt64, unless keep: UInt64?) {
        if id != keep { kept[id] = nil }
    }

    /// SplitMix64's finalizer: a well-spread hash of a task id.
    private static func hash(_ id: UInt64) -> UInt64 {
        var value = id &+ 0x9E37_79B9_7F4A_7C15
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
