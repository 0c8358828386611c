/// What the analysis keeps of one thread track (a worker, in conctrace's terms): counts, a duration histogram and a
/// few cursors, never its slices.
///
/// Busy time is the length of the union of the thread's slices at any depth, in any file order (`BusyUnion`).
struct ThreadActivity {
    /// How a running slice of a task follows the one before it on the same thread, in file order.
    enum Predecessor: Equatable {
        /// The thread's first task slice.
        case none
        /// The previous task slice ended at this time (ns).
        case endedAt(Int64)
        /// The slice starts before the previous one in the file ended: the file is not in time order here.
        case unordered
    }

    let pid: Int64
    let tid: Int64
    /// `X` slices and `B`/`E` pairs.
    private(set) var slices = 0
    /// Running slices of tasks (`X`, `cat` `running`, with `args.task`).
    private(set) var taskSlices = 0
    /// Slice durations (1% precision: one histogram per thread).
    private(set) var durations = DurationHistogram(significantDigits: .two)
    /// Task slices that started before the previous task slice on this thread ended.
    private(set) var unorderedTaskSlices = 0
    /// `B`/`E` events waiting to be paired by time.
    private(set) var pairing = BeginEndPairing()
    /// The first slice start and the last slice end (ns); `first > last` while there is no slice.
    private(set) var firstStart = Int64.max
    private(set) var lastEnd = Int64.min
    /// The latest slice start (ns): an `f` without `bp` before it binds to a slice.
    private(set) var latestStart = Int64.min
    /// The first and the last `os switches` counter sample, by timestamp.
    var firstSwitches: SwitchSample?
    var lastSwitches: SwitchSample?

    private var union = BusyUnion()
    private var lastTaskSliceEnd: Int64?

    /// An `os switches (<worker>)` sample: the thread's context switches so far.
    struct SwitchSample {
        var timestamp: Int64
        var voluntary: Int64
        var involuntary: Int64
    }

    init(pid: Int64, tid: Int64) {
        self.pid = pid
        self.tid = tid
    }

    /// Busy time in ns: the union of the slices seen.
    var busy: Double { Double(union.busy) }

    /// Slices whose contribution to busy time is estimated (they reached into runs merged past `BusyUnion.maxRuns`).
    var estimatedSlices: Int { union.estimatedSlices }

    /// Adds a slice `start...end` (ns, `start <= end`).
    mutating func addSlice(start: Int64, end: Int64) {
        slices += 1
        durations.record(end - start)
        union.add(start: start, end: end)
        firstStart = min(firstStart, start)
        lastEnd = max(lastEnd, end)
        latestStart = max(latestStart, start)
    }

    /// A thread-scoped instant: a zero-length slice for flow binding only (not a slice of the metrics).
    mutating func addInstant(at time: Int64) {
        union.add(start: time, end: time)
        latestStart = max(latestStart, time)
    }

    /// Whether a slice seen so far encloses `time` (see `BusyUnion.covers`).
    func encloses(_ time: Int64) -> Bool { union.covers(time) }

    /// Takes a `B` or `E` event; adds the slice it completes (if any, by time) and returns it.
    mutating func addBeginEnd(_ event: BeginEndPairing.Event) -> (start: Int64, end: Int64)? {
        guard let slice = pairing.add(event) else { return nil }
        addSlice(start: slice.start, end: slice.end)
        return slice
    }

    /// Pairs the earliest `B`/`E` event held for reordering (to keep a global budget, or at the end); adds the
    /// slice it completes and returns it.
    mutating func releaseEarliestBeginEnd() -> (start: Int64, end: Int64)? {
        guard let slice = pairing.releaseEarliest() else { return nil }
        addSlice(start: slice.start, end: slice.end)
        return slice
    }

    /// Notes a running slice of a task and says how it follows the thread's previous one.
    mutating func addTaskSlice(start: Int64, end: Int64) -> Predecessor {
        taskSlices += 1
        guard let previous = lastTaskSliceEnd else {
            lastTaskSliceEnd = end
            return .none
        }
        guard start >= previous else {
            unorderedTaskSlices += 1
            return .unordered
        }
        lastTaskSliceEnd = end
        return .endedAt(previous)
    }

    /// Keeps the earliest and the latest `os switches` sample.
    mutating func addSwitches(_ sample: SwitchSample) {
        if firstSwitches.map({ sample.timestamp < $0.timestamp }) ?? true { firstSwitches = sample }
        if lastSwitches.map({ sample.timestamp >= $0.timestamp }) ?? true { lastSwitches = sample }
    }
}
