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
/// - counters: tasks in flight (every change) and ready (sampled); per worker, OS context switches;
/// - `conctrace.run` (metadata) first and `conctrace.stats` (recording statistics) at checkpoints and last.
///
/// Spans are written when they end, as `b`/`e` pairs, so a file cut off at any line holds only complete spans.
/// The lines of the hot path (slices, spans, arrows, counters: `ChromeTraceConverter+Lines.swift`) are written as
/// fixed fragments and numbers straight into one reused buffer; tasks in flight are found by id in a `TaskTable`.
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

    /// The trace's `pid`.
    public let processID: UInt32
    /// Whose events these are.
    public let role: Role
    var out = JSONLine(reservingCapacity: 1 << 20)
    /// `,"pid":P,"tid":`, written once: every hot line has it.
    let pidText: UnsafeMutableBufferPointer<UInt8>
    /// Each label's text as escaped UTF-8, by label id, read from the label table once.
    var labelTexts: [[UInt8]?] = []
    var eventsWritten = 0
    var tasks = TaskTable()
    var runningOn = WorkerTable()
    private var workerNames: [UInt32: String] = [:]
    var nextFlow: UInt64 = 1
    var inFlight = 0
    var readyCount = 0
    /// What the event being applied changed, for the counters.
    private var inFlightChanged = false
    private var readyChanged = false
    /// A change of `ready` alone not written yet (its window is open), and its time.
    private var counterPending = false
    private var pendingTime: UInt64 = 0
    private var lastCounterTime: UInt64?

    /// A change of `ready` alone is written at most once per this much trace time (ns): the first change at once,
    /// then, when the window has passed, the value of the window's last change, stamped with that change's time (before
    /// the next event is applied). Every change of `in_flight` is written as it happens, so the counter's time
    /// integral, and the Little's-law ratio built on it, are exact.
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
        var text = JSONLine(reservingCapacity: 32)
        text.fragment(#","pid":"#)
        text.decimal(UInt64(processID))
        text.fragment(#","tid":"#)
        pidText = .allocate(capacity: text.count)
        _ = pidText.initialize(from: text.bytes)
    }

    deinit {
        pidText.deallocate()
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

    /// Tasks the converter holds (created or seen, not ended): what its memory follows.
    public var tasksInFlight: Int { tasks.count }

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
        let counts = role == .run
        for event in events {
            let track = event.kind == .osSwitches ? nil : tasks.find(event.task)
            if event.kind != .created, let track, event.timestamp < track.pointee.since {
                staleEvents += 1
                continue
            }
            // A window closed with a change unwritten: write the values as they were then, before this event.
            if counterPending, event.timestamp >= pendingWindowEnd { writeCounters(at: pendingTime) }
            switch event.kind {
            case .created: created(event)
            case .ready: ready(event, track)
            case .running: running(event, track)
            case .waiting: waiting(event, track)
            case .done, .failed, .cancelled: ended(event, annotations: annotations)
            case .osSwitches: osSwitches(event)
            }
            guard counts, inFlightChanged || readyChanged else { continue }
            if inFlightChanged || lastCounterTime.map({ event.timestamp >= $0 &+ Self.counterWindow }) ?? true {
                writeCounters(at: event.timestamp)
            } else {
                counterPending = true
                pendingTime = event.timestamp
            }
            inFlightChanged = false
            readyChanged = false
        }
        if counterPending { writeCounters(at: pendingTime) }
    }

    /// When the window of the pending change closes.
    private var pendingWindowEnd: UInt64 { (lastCounterTime ?? 0) &+ Self.counterWindow }

    private mutating func created(_ event: TraceEvent) {
        var track = TaskTrack(
            parent: event.related, created: event.timestamp, since: event.timestamp,
            index: UInt64(truncatingIfNeeded: event.value), spawnFlow: 0, wakeFlow: 0, label: event.label,
            worker: event.worker, state: .created, reason: .none, hasIndex: event.hasValue, hasRun: false)
        if event.related != 0, let creatorWorker = worker(running: event.related) {
            track.spawnFlow = writeFlowStart(category: .spawn, worker: creatorWorker, at: event.timestamp)
        }
        if tasks.find(event.task) == nil { inFlight += 1 }
        tasks.insert(track, as: event.task)
        inFlightChanged = true
    }

    /// Ends the task's current state at `event` and begins `state` there, with the event's reason (a wait's, or
    /// `yield` for a task that made itself ready; `none` otherwise).
    private mutating func enter(_ state: TaskState, at event: TraceEvent, _ found: UnsafeMutablePointer<TaskTrack>?)
        -> UnsafeMutablePointer<TaskTrack>
    {
        let track = found ?? insertPlaceholder(for: event)
        closeState(track, task: event.task, at: event.timestamp)
        track.pointee.state = state
        track.pointee.reason = event.reason
        track.pointee.since = event.timestamp
        return track
    }

    private mutating func ready(_ event: TraceEvent, _ found: UnsafeMutablePointer<TaskTrack>?) {
        let track = enter(.ready, at: event, found)
        readyCount += 1
        readyChanged = true
        let wakerIsSpawner = !track.pointee.hasRun && event.related == track.pointee.parent
            && track.pointee.spawnFlow != 0
        if event.related != 0, !wakerIsSpawner, let wakerWorker = worker(running: event.related) {
            track.pointee.wakeFlow = writeFlowStart(category: .wake, worker: wakerWorker, at: event.timestamp)
        }
    }

    private mutating func running(_ event: TraceEvent, _ found: UnsafeMutablePointer<TaskTrack>?) {
        let track = enter(.running, at: event, found)
        track.pointee.worker = event.worker
        track.pointee.hasRun = true
        runningOn[event.worker] = event.task
        if track.pointee.spawnFlow != 0 {
            writeFlowEnd(category: .spawn, id: track.pointee.spawnFlow, worker: event.worker, at: event.timestamp)
            track.pointee.spawnFlow = 0
        }
        if track.pointee.wakeFlow != 0 {
            writeFlowEnd(category: .wake, id: track.pointee.wakeFlow, worker: event.worker, at: event.timestamp)
            track.pointee.wakeFlow = 0
        }
    }

    private mutating func waiting(_ event: TraceEvent, _ found: UnsafeMutablePointer<TaskTrack>?) {
        _ = enter(.waiting, at: event, found)
    }

    private mutating func ended(_ event: TraceEvent, annotations: TaskAnnotations) {
        if tasks.find(event.task) == nil { _ = insertPlaceholder(for: event) }
        // Close its last state while it is still in the table, then take it out.
        closeState(tasks.find(event.task)!, task: event.task, at: event.timestamp)
        guard let track = tasks.remove(event.task) else { return }
        inFlight -= 1
        inFlightChanged = true
        let extra = annotations.take(event.task)
        // A worker's view of a task's life: the parent writes the task's life span and counts it.
        guard role == .run else { return }
        writeLifeSpan(track, task: event.task, end: event, extra: extra)
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
    private mutating func closeState(_ track: UnsafeMutablePointer<TaskTrack>, task: UInt64, at timestamp: UInt64) {
        switch track.pointee.state {
        case .created, .done, .failed, .cancelled:
            return
        case .ready:
            readyCount -= 1
            readyChanged = true
        case .running:
            writeSlice(track.pointee, task: task, until: timestamp)
            if runningOn[track.pointee.worker] == task { runningOn[track.pointee.worker] = 0 }
        case .waiting:
            break
        }
        writeStateSpan(track.pointee, task: task, until: timestamp)
    }

    /// The worker running `task` now, if it is running.
    private func worker(running task: UInt64) -> UInt32? {
        guard let track = tasks.find(task), track.pointee.state == .running, runningOn[track.pointee.worker] == task
        else { return nil }
        return track.pointee.worker
    }

    /// A track for a task whose `created` event was dropped: it still gets its slices, under a generic name. Counted
    /// in flight, as its end will be.
    private mutating func insertPlaceholder(for event: TraceEvent) -> UnsafeMutablePointer<TaskTrack> {
        tasks.insert(TaskTrack(parent: 0, created: event.timestamp, since: event.timestamp, index: event.task,
                               spawnFlow: 0, wakeFlow: 0, label: .task, worker: event.worker, state: .created,
                               reason: .none, hasIndex: true, hasRun: false), as: event.task)
        inFlight += 1
        inFlightChanged = true
        return tasks.find(event.task)!
    }

    /// Writes the counters' current values at `timestamp` (never before the last sample), unless a worker's.
    private mutating func writeCounters(at timestamp: UInt64) {
        counterPending = false
        guard role == .run else { return }
        let time = max(timestamp, lastCounterTime ?? 0)
        writeCounterLine(at: time)
        lastCounterTime = time
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
