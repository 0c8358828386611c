import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem

/// Turns the recorder's lifecycle events into Chrome Trace Event JSON, one event per line (the Array form).
///
/// What it writes (docs/trace-format.md is the contract):
/// - per worker, a thread track (`tid` = worker id) with an `X` slice for every running slice, named after the task;
/// - per task, an async track (`b`/`e`, `id2.local` = task id): an outer span named after the task from created to
///   its end, holding one span per state (`ready`, `running`, `waiting (reason)`);
/// - flow arrows: `spawn` from the creator's slice to the task's first slice, `wake` from the slice that made a task
///   ready to the slice where it runs next;
/// - counters: tasks in flight and ready; per worker, OS context switches;
/// - `conctrace.run` (metadata) first and `conctrace.stats` (recording statistics) at checkpoints and last.
///
/// Spans are written when they end, as `b`/`e` pairs, so a file cut off at any line holds only complete spans.
///
/// A worker process of `--strategy processes` is converted with the role `.worker`, by the parent when it merges the
/// worker's event log: its metadata and statistics are named `conctrace.worker` and `conctrace.worker_stats`, and
/// the tasks' life spans and the `tasks` counter are left to the parent, which owns them.
public struct ChromeTraceConverter: ~Copyable {
    /// Whose events are converted.
    public enum Role: Sendable {
        /// A run's own process: everything.
        case run
        /// A worker process of `--strategy processes`: its tasks' states and slices, not their lives.
        case worker
    }

    private struct TaskTrack {
        var label: TaskLabel
        var index: UInt64?
        var parent: UInt64
        var created: UInt64
        var state: TaskState
        var since: UInt64
        var reason: WaitReason
        var worker: UInt32
        var slices: Int
        var spawnFlow: UInt64
        var wakeFlow: UInt64
    }

    /// The trace's `pid`.
    public let processID: UInt32
    /// Whose events these are.
    public let role: Role
    var out = JSONLine()
    /// Each label's text as UTF-8, by label id, read from the label table once.
    private var labelTexts: [[UInt8]?] = []
    private var eventsWritten = 0
    private var tasks: [UInt64: TaskTrack] = [:]
    private var runningOn: [UInt32: UInt64] = [:]
    private var workerNames: [UInt32: String] = [:]
    private var nextFlow: UInt64 = 1
    private var inFlight = 0
    private var readyCount = 0
    private var countersDirty = false
    private var countersChanged: UInt64 = 0
    private var lastCounterTime: UInt64?

    /// Counter samples are at most this far apart in trace time (ns) while values change; the last value of every
    /// window, and of every batch, is written. Keeps the counters readable and the file small at 100,000 tasks.
    public static let counterWindow: UInt64 = 100_000

    /// The `tid` of process-level instant events (`conctrace.run`, `conctrace.stats`): the first worker, which
    /// conctrace makes for the main thread.
    public static let processEventsThread: UInt32 = 1

    /// Makes a converter for one process's events.
    /// - Parameters:
    ///   - processID: the `pid` of the events.
    ///   - role: a run's own process, or a worker process merged into the run's trace.
    ///   - continuing: the output continues a trace that already holds events (a merge): the first event is
    ///     preceded by a comma, and no `[` is written.
    public init(processID: UInt32, role: Role = .run, continuing: Bool = false) {
        self.processID = processID
        self.role = role
        self.eventsWritten = continuing ? 1 : 0
    }

    /// Hands the JSON text produced so far (a sequence of lines) to `body`, then clears the buffer (keeping its
    /// memory for the next round).
    public mutating func drainOutput<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        defer { out.removeAll() }
        return try body(out.bytes)
    }

    /// Takes a copy of the JSON text produced so far and clears the buffer.
    public mutating func takeOutput() -> [UInt8] {
        drainOutput { Array($0) }
    }

    /// Lifecycle events ignored because they were older than the task's current state (a thread that recorded a
    /// task's suspension after another thread had already recorded it resumed).
    public private(set) var staleEvents = 0

    // MARK: Head and tail

    /// The file's head: `[` (unless continuing a trace), the process name, and the run metadata (`conctrace.run`,
    /// or `conctrace.worker` for a worker), stamped with the run's start.
    public mutating func writeHeader(processName: String, metadata: RunMetadata) {
        if eventsWritten == 0 { out.raw("[\n") }
        beginEvent(phase: "M", name: "process_name")
        out.key("pid"); out.int(processID)
        out.key("args"); out.beginObject(); out.key("name"); out.string(processName); out.endObject()
        endEvent()
        beginEvent(phase: "i", name: nil)
        out.key("name"); out.string(role == .run ? TraceNames.run : TraceNames.worker)
        out.key("s"); out.string("p")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(Self.processEventsThread)
        out.key("ts"); out.microseconds(fromNanoseconds: metadata.startMonotonicNanoseconds ?? MonotonicClock.now())
        out.key("args"); out.beginObject()
        for (key, value) in metadata.entries {
            out.key(key)
            out.value(value)
        }
        out.endObject()
        endEvent()
    }

    /// Recording statistics, as a `conctrace.stats` instant.
    public mutating func writeStats(_ stats: RecorderStats, at timestamp: UInt64) {
        beginEvent(phase: "i", name: nil)
        out.key("name"); out.string(role == .run ? TraceNames.stats : TraceNames.workerStats)
        out.key("s"); out.string("p")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(Self.processEventsThread)
        out.key("ts"); out.microseconds(fromNanoseconds: timestamp)
        out.key("args"); out.beginObject()
        out.key("events"); out.int(stats.events)
        out.key("dropped"); out.int(stats.dropped)
        out.key("lost"); out.int(stats.lost)
        out.key("stale"); out.int(staleEvents)
        out.key("ns_per_event"); out.double((stats.nsPerEvent * 10).rounded() / 10)
        out.key("workers"); out.int(stats.workers)
        out.key("final"); out.bool(stats.isFinal)
        out.endObject()
        endEvent()
    }

    /// The file's tail: `]`, which makes it strict JSON. A file without it still loads in the viewers.
    public mutating func writeFooter() {
        out.raw("\n]\n")
    }

    // MARK: Workers

    /// Names a worker's thread track.
    public mutating func workerStarted(worker: UInt32, name: String) {
        workerNames[worker] = name
        beginEvent(phase: "M", name: "thread_name")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(worker)
        out.key("args"); out.beginObject(); out.key("name"); out.string(name); out.endObject()
        endEvent()
        beginEvent(phase: "M", name: "thread_sort_index")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(worker)
        out.key("args"); out.beginObject(); out.key("sort_index"); out.int(worker); out.endObject()
        endEvent()
    }

    // MARK: Lifecycle

    /// Converts a batch of events (in timestamp order).
    public mutating func consume(_ events: [TraceEvent], annotations: TaskAnnotations) {
        for event in events {
            if event.kind != .created, event.kind != .osSwitches, let track = tasks[event.task],
               event.timestamp < track.since {
                staleEvents += 1
                continue
            }
            switch event.kind {
            case .created: created(event)
            case .ready: ready(event)
            case .running: running(event)
            case .waiting: waiting(event)
            case .done, .failed, .cancelled: ended(event, annotations: annotations)
            case .osSwitches: osSwitches(event)
            }
            if countersDirty {
                countersChanged = event.timestamp
                if lastCounterTime.map({ event.timestamp >= $0 &+ Self.counterWindow }) ?? true { writeCounters() }
            }
        }
        if countersDirty { writeCounters() }
    }

    private mutating func created(_ event: TraceEvent) {
        var track = TaskTrack(
            label: event.label, index: event.hasValue ? UInt64(truncatingIfNeeded: event.value) : nil,
            parent: event.related, created: event.timestamp, state: .created, since: event.timestamp,
            reason: .none, worker: event.worker, slices: 0, spawnFlow: 0, wakeFlow: 0)
        if event.related != 0, let creatorWorker = worker(running: event.related) {
            track.spawnFlow = flowStart(category: "spawn", worker: creatorWorker, at: event.timestamp)
        }
        tasks[event.task] = track
        inFlight += 1
        countersDirty = true
    }

    private mutating func ready(_ event: TraceEvent) {
        var track = tasks[event.task] ?? placeholder(for: event)
        closeState(&track, task: event.task, at: event.timestamp)
        track.state = .ready
        track.since = event.timestamp
        readyCount += 1
        countersDirty = true
        let wakerIsSpawner = track.slices == 0 && event.related == track.parent && track.spawnFlow != 0
        if event.related != 0, !wakerIsSpawner, let wakerWorker = worker(running: event.related) {
            track.wakeFlow = flowStart(category: "wake", worker: wakerWorker, at: event.timestamp)
        }
        tasks[event.task] = track
    }

    private mutating func running(_ event: TraceEvent) {
        var track = tasks[event.task] ?? placeholder(for: event)
        closeState(&track, task: event.task, at: event.timestamp)
        track.state = .running
        track.since = event.timestamp
        track.worker = event.worker
        track.slices += 1
        runningOn[event.worker] = event.task
        if track.spawnFlow != 0 {
            flowEnd(category: "spawn", id: track.spawnFlow, worker: event.worker, at: event.timestamp)
            track.spawnFlow = 0
        }
        if track.wakeFlow != 0 {
            flowEnd(category: "wake", id: track.wakeFlow, worker: event.worker, at: event.timestamp)
            track.wakeFlow = 0
        }
        tasks[event.task] = track
    }

    private mutating func waiting(_ event: TraceEvent) {
        var track = tasks[event.task] ?? placeholder(for: event)
        closeState(&track, task: event.task, at: event.timestamp)
        track.state = .waiting
        track.reason = event.reason
        track.since = event.timestamp
        tasks[event.task] = track
    }

    private mutating func ended(_ event: TraceEvent, annotations: TaskAnnotations) {
        var track = tasks.removeValue(forKey: event.task) ?? placeholder(for: event)
        closeState(&track, task: event.task, at: event.timestamp)
        let state = event.kind.state ?? .done
        let extra = annotations.take(event.task)
        // A worker's view of a task's life: the parent writes the task's life span and counts it.
        guard role == .run else { return }
        // The task's whole life: its state spans nest inside.
        beginEvent(phase: "b", category: "task")
        writeTaskName(track)
        writeAsyncID(event.task)
        out.key("tid"); out.int(track.worker)
        out.key("ts"); out.microseconds(fromNanoseconds: track.created)
        out.key("args"); out.beginObject()
        out.key("task"); out.int(event.task)
        out.key("parent"); out.int(track.parent)
        out.key("state"); out.string(state.name)
        if event.hasValue { out.key("result"); out.string(String(event.value)) }
        for (key, value) in extra { out.key(key); writeValue(value) }
        out.endObject()
        endEvent()
        beginEvent(phase: "e", category: "task")
        writeTaskName(track)
        writeAsyncID(event.task)
        out.key("tid"); out.int(event.worker)
        out.key("ts"); out.microseconds(fromNanoseconds: event.timestamp)
        endEvent()
        inFlight -= 1
        countersDirty = true
    }

    private mutating func osSwitches(_ event: TraceEvent) {
        beginEvent(phase: "C", name: nil)
        out.key("name"); out.string("os switches (\(workerNames[event.worker] ?? "worker \(event.worker)"))")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(event.worker)
        out.key("ts"); out.microseconds(fromNanoseconds: event.timestamp)
        out.key("args"); out.beginObject()
        out.key("voluntary"); out.int(UInt64(truncatingIfNeeded: event.value >> 64))
        out.key("involuntary"); out.int(UInt64(truncatingIfNeeded: event.value))
        out.endObject()
        endEvent()
    }

    // MARK: Pieces

    /// Ends the task's current state at `timestamp`: writes its span, and for a running slice its `X` slice.
    private mutating func closeState(_ track: inout TaskTrack, task: UInt64, at timestamp: UInt64) {
        switch track.state {
        case .created, .done, .failed, .cancelled:
            return
        case .ready:
            readyCount -= 1
            countersDirty = true
        case .running:
            beginEvent(phase: "X", name: nil)
            writeTaskName(track)
            out.key("cat"); out.string("running")
            out.key("pid"); out.int(processID)
            out.key("tid"); out.int(track.worker)
            out.key("ts"); out.microseconds(fromNanoseconds: track.since)
            out.key("dur"); out.microseconds(fromNanoseconds: timestamp &- track.since)
            out.key("args"); out.beginObject(); out.key("task"); out.int(task); out.endObject()
            endEvent()
            if runningOn[track.worker] == task { runningOn[track.worker] = nil }
        case .waiting:
            break
        }
        writeStateSpan(track, task: task, isBegin: true, at: track.since)
        writeStateSpan(track, task: task, isBegin: false, at: timestamp)
    }

    private mutating func writeStateSpan(_ track: TaskTrack, task: UInt64, isBegin: Bool, at timestamp: UInt64) {
        beginEvent(phase: isBegin ? "b" : "e", category: "task")
        out.key("name")
        switch track.state {
        case .ready: out.string("ready")
        case .running: out.string("running")
        default: out.string(Self.waitingNames[Int(track.reason.rawValue)])
        }
        writeAsyncID(task)
        out.key("tid"); out.int(track.worker)
        out.key("ts"); out.microseconds(fromNanoseconds: timestamp)
        if isBegin, track.state == .waiting {
            out.key("args"); out.beginObject(); out.key("reason"); out.string(track.reason.name); out.endObject()
        }
        endEvent()
    }

    /// `waiting (<reason>)` for each reason, made once.
    private static let waitingNames = WaitReason.allCases.map { "waiting (\($0.name))" }

    private func worker(running task: UInt64) -> UInt32? {
        guard let track = tasks[task], track.state == .running, runningOn[track.worker] == task else { return nil }
        return track.worker
    }

    private mutating func flowStart(category: StaticString, worker: UInt32, at timestamp: UInt64) -> UInt64 {
        let id = nextFlow
        nextFlow += 1
        beginEvent(phase: "s", category: category)
        out.key("name"); out.string(category)
        out.key("id"); out.int(id)
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(worker)
        out.key("ts"); out.microseconds(fromNanoseconds: timestamp)
        endEvent()
        return id
    }

    private mutating func flowEnd(category: StaticString, id: UInt64, worker: UInt32, at timestamp: UInt64) {
        beginEvent(phase: "f", category: category)
        out.key("name"); out.string(category)
        out.key("id"); out.int(id)
        out.key("bp"); out.string("e")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(worker)
        out.key("ts"); out.microseconds(fromNanoseconds: timestamp)
        endEvent()
    }

    /// Writes the counters' current values, stamped with the time of their last change (a worker's are the
    /// parent's to write).
    private mutating func writeCounters() {
        countersDirty = false
        guard role == .run else { return }
        let timestamp = max(countersChanged, lastCounterTime ?? 0)
        beginEvent(phase: "C", name: "tasks")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(Self.processEventsThread)
        out.key("ts"); out.microseconds(fromNanoseconds: timestamp)
        out.key("args"); out.beginObject()
        out.key("in_flight"); out.int(inFlight)
        out.key("ready"); out.int(readyCount)
        out.endObject()
        endEvent()
        lastCounterTime = timestamp
    }

    /// A track for a task whose `created` event was dropped: it still gets its slices, under a generic name.
    private func placeholder(for event: TraceEvent) -> TaskTrack {
        TaskTrack(label: .task, index: event.task, parent: 0, created: event.timestamp, state: .created,
                  since: event.timestamp, reason: .none, worker: event.worker, slices: 0, spawnFlow: 0, wakeFlow: 0)
    }

    private mutating func writeTaskName(_ track: TaskTrack) {
        out.key("name")
        let id = Int(track.label.id)
        if id >= labelTexts.count { labelTexts += Array(repeating: nil, count: id - labelTexts.count + 1) }
        if labelTexts[id] == nil { labelTexts[id] = Array(track.label.text.utf8) }
        labelTexts[id]!.withUnsafeBufferPointer { out.taskName($0, index: track.index) }
    }

    private mutating func writeAsyncID(_ task: UInt64) {
        out.key("id2"); out.beginObject(); out.key("local"); out.int(task); out.endObject()
        out.key("pid"); out.int(processID)
    }

    private mutating func writeValue(_ value: AnnotationValue) {
        switch value {
        case .string(let text): out.string(text)
        case .int(let number): out.int(number)
        case .double(let number): out.double(number)
        }
    }

    mutating func beginEvent(phase: StaticString, name: StaticString? = nil, category: StaticString? = nil) {
        if eventsWritten > 0 { out.raw(",\n") }
        eventsWritten += 1
        out.beginObject()
        out.key("ph"); out.string(phase)
        if let category { out.key("cat"); out.string(category) }
        if let name { out.key("name"); out.string(name) }
    }

    mutating func endEvent() {
        out.endObject()
    }
}
