import ConcTraceFormat
import ConcTraceReader

/// Computes the metrics of docs/metrics.md from a trace's events, one event at a time, in memory that grows with
/// the tasks in flight and the threads, never with the events.
///
/// ```
///  ChromeTraceReader ─ChromeEvent─▶ consume(_:) ─┬─ X, B/E ─▶ ThreadActivity (per pid+tid: BusyUnion, ──┐
///                                                │          BeginEndPairing by time)                   │
///                                                ├─ b/e ───▶ AsyncSpanMatcher ─▶ TaskLedger, tracks ─┤
///                                                ├─ s/f ───▶ FlowLedger (bound to the slices above) ──┤
///                                                ├─ C ─────▶ InFlightSeries, OS switch samples ──────┼─▶ finish()
///                                                └─ i, M ──▶ run metadata, recording stats, names ───┘      │
///                                                                                                TraceAnalysis
/// ```
///
/// Events may come in any order; where a metric needs an order that conctrace guarantees (a worker's slices, a
/// task's transitions) and a trace breaks it, the metric is reported as not computed rather than guessed.
public struct TraceAnalyzer {
    struct ThreadKey: Hashable {
        var pid: Int64
        var tid: Int64
    }

    /// An async track's first begin and last end over its complete spans (ns).
    struct TrackLifetime {
        var first = Int64.max
        var last = Int64.min

        mutating func note(_ begin: Int64, _ end: Int64) {
            first = min(first, begin)
            last = max(last, end)
        }
    }

    /// Times and durations beyond ±2⁶¹ ns (73 years) are refused, so that no sum of two overflows.
    static let timeLimit: Int64 = 1 << 61
    /// `B` events open at once on one thread, at most; deeper ones are refused (bounded memory).
    public static let maxOpenSlices = BeginEndPairing.maxOpen
    /// `B`/`E` events held for reordering over all threads, at most (each thread holds up to
    /// `BeginEndPairing.window`); past it, the thread at hand releases its earliest.
    static let maxHeldBeginEnds = 1_000_000
    /// Threads tracked, at most (each has a histogram of about 2 KB): conctrace has at most 10,000 workers; events
    /// on further threads of a hostile file are refused rather than let memory grow with events.
    public static let maxThreads = 20_000
    /// `b` events open at once, at most (conctrace has one at a time); further ones are refused.
    public static let maxOpenAsyncSpans = 100_000

    var threads: [ThreadActivity] = []
    var threadIndex: [ThreadKey: Int] = [:]
    /// The thread of the last lookup: consecutive slices are often on one thread.
    private var lastThread: (key: ThreadKey, index: Int)?
    var threadNames: [ThreadKey: String] = [:]
    var processNames: [Int64: String] = [:]
    var asyncSpans = AsyncSpanMatcher()
    var flows = FlowLedger()
    var tracks: [AsyncTrackKey: TrackLifetime] = [:]
    var tasks = TaskLedger()
    var inFlight: [Int64: InFlightSeries] = [:]
    var runMetadata: [String: TraceValue]?
    /// The pids of `--strategy processes` workers (a `conctrace.worker` event, which heads each worker's part of a
    /// merged trace): the parent owns the tasks' life spans and the `tasks` counter, so a worker's are not counted.
    var workerProcesses: Set<Int64> = []
    var recorders = RecorderLedger()
    var events = 0
    var unknownPhaseEvents = 0
    var invalidEvents = 0
    /// `B`/`E` events held in the threads' reorder windows.
    var heldBeginEnds = 0
    /// Events refused by the memory limits (`maxThreads`, `maxOpenSlices`, `maxOpenAsyncSpans`).
    var limitedEvents = 0
    private let taskCategory: Int32

    /// Makes an analyzer that has seen no event.
    public init() {
        taskCategory = asyncSpans.category("task")
    }

    /// Takes one event into account.
    public mutating func consume(_ event: ChromeEvent) {
        events += 1
        guard let phase = event.phase else {
            unknownPhaseEvents += 1
            return
        }
        switch phase.rawValue {
        case UInt8(ascii: "X"): complete(event)
        case UInt8(ascii: "B"): threadBeginEnd(event, isEnd: false)
        case UInt8(ascii: "E"): threadBeginEnd(event, isEnd: true)
        case UInt8(ascii: "b"): asyncBegin(event)
        case UInt8(ascii: "e"): asyncEnd(event)
        case UInt8(ascii: "s"): flowEnd(event, isStart: true)
        case UInt8(ascii: "f"): flowEnd(event, isStart: false)
        case UInt8(ascii: "C"): counter(event)
        case UInt8(ascii: "i"), UInt8(ascii: "I"): instant(event)
        case UInt8(ascii: "M"): metadata(event)
        default:
            if !Self.isKnownPhase(phase.rawValue) { unknownPhaseEvents += 1 }
        }
    }

    /// The other phases of the Trace Event Format: flows, legacy async, samples, objects, memory dumps, marks,
    /// context; read and not needed.
    private static func isKnownPhase(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "S"),
             UInt8(ascii: "T"), UInt8(ascii: "p"), UInt8(ascii: "F"), UInt8(ascii: "P"), UInt8(ascii: "N"),
             UInt8(ascii: "O"), UInt8(ascii: "D"), UInt8(ascii: "V"), UInt8(ascii: "v"), UInt8(ascii: "R"),
             UInt8(ascii: "c"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }

    /// A time within the accepted range, or nil.
    static func time(_ nanoseconds: Int64?) -> Int64? {
        guard let nanoseconds, nanoseconds >= -timeLimit, nanoseconds <= timeLimit else { return nil }
        return nanoseconds
    }

    /// The index of a thread's activity; nil (and the event counted) past `maxThreads`.
    mutating func thread(_ key: ThreadKey) -> Int? {
        if let lastThread, lastThread.key == key { return lastThread.index }
        let index: Int
        if let known = threadIndex[key] {
            index = known
        } else {
            guard threads.count < Self.maxThreads else {
                limitedEvents += 1
                return nil
            }
            threads.append(ThreadActivity(pid: key.pid, tid: key.tid))
            index = threads.count - 1
            threadIndex[key] = index
        }
        lastThread = (key, index)
        return index
    }

    // MARK: Async spans

    private mutating func asyncKey(_ event: ChromeEvent) -> AsyncTrackKey? {
        guard let id = event.id else { return nil }
        let scope: UInt8 = switch event.idScope {
        case .local: 1
        case .global: 2
        default: 0
        }
        return AsyncTrackKey(pid: event.pid ?? 0, category: asyncSpans.category(event.category), scope: scope, id: id)
    }

    private mutating func asyncBegin(_ event: ChromeEvent) {
        guard let begin = Self.time(event.timestampNanoseconds), let key = asyncKey(event) else {
            invalidEvents += 1
            return
        }
        guard asyncSpans.unclosed < Self.maxOpenAsyncSpans else {
            limitedEvents += 1
            return
        }
        asyncSpans.begin(key, OpenAsyncSpan(name: event.name, begin: begin, args: event.args))
    }

    private mutating func asyncEnd(_ event: ChromeEvent) {
        guard let end = Self.time(event.timestampNanoseconds), let key = asyncKey(event) else {
            invalidEvents += 1
            return
        }
        guard let span = asyncSpans.end(key, name: event.name) else { return }
        guard end >= span.begin else {
            invalidEvents += 1
            return
        }
        // Task tracks are kept in the task ledger, with the task (conctrace's task ids are unique in a trace).
        guard key.category == taskCategory else {
            tracks[key, default: TrackLifetime()].note(span.begin, end)
            return
        }
        if let task = span.args?["task"]?.intValue {
            // A worker process's view of a task's life (conctrace's merge drops it): the parent's span counts.
            if workerProcesses.contains(key.pid) { return }
            let args = span.args
            tasks.life(task: UInt64(bitPattern: task), pid: key.pid, parent: args?["parent"]?.intValue,
                       state: args?["state"]?.stringValue, bytes: args?["bytes"]?.doubleValue,
                       created: span.begin, ended: end)
        } else {
            tasks.span(TaskStateKind(spanName: span.name), task: key.id, begin: span.begin, end: end)
        }
    }

    // MARK: Counters, instants, metadata

    private mutating func counter(_ event: ChromeEvent) {
        guard let name = event.name, let args = event.args else { return }
        let isTasks = name == "tasks"
        guard isTasks || name.hasPrefix("os switches") else { return }
        guard let timestamp = Self.time(event.timestampNanoseconds) else {
            invalidEvents += 1
            return
        }
        let pid = event.pid ?? 0
        if isTasks {
            if workerProcesses.contains(pid) { return }
            guard let value = args["in_flight"]?.intValue else { return }
            inFlight[pid, default: InFlightSeries()].add(value, at: timestamp)
        } else {
            guard let tid = event.tid, let voluntary = args["voluntary"]?.intValue,
                  let involuntary = args["involuntary"]?.intValue else {
                invalidEvents += 1
                return
            }
            guard let index = thread(ThreadKey(pid: pid, tid: tid)) else { return }
            threads[index].addSwitches(.init(timestamp: timestamp, voluntary: voluntary, involuntary: involuntary))
        }
    }

    private mutating func instant(_ event: ChromeEvent) {
        // A thread-scoped instant is a zero-length slice to Perfetto: flows may bind to it.
        if event.scope == nil || event.scope == "t", let tid = event.tid,
           let time = Self.time(event.timestampNanoseconds) {
            let key = ThreadKey(pid: event.pid ?? 0, tid: tid)
            if let index = threadIndex[key] { threads[index].addInstant(at: time) }
            flows.slice(on: key, start: time, end: time)
        }
        switch event.name {
        case "conctrace.run":
            runMetadata = event.args ?? [:]
        case "conctrace.worker":
            let pid = event.pid ?? 0
            guard workerProcesses.contains(pid) || workerProcesses.count < RecorderLedger.maxWorkers else {
                limitedEvents += 1
                return
            }
            workerProcesses.insert(pid)
        case "conctrace.stats", "conctrace.worker_stats":
            let args = event.args ?? [:]
            let stats = RecordingStats(
                timestamp: Self.time(event.timestampNanoseconds) ?? .min, events: args["events"]?.intValue,
                dropped: args["dropped"]?.intValue, lost: args["lost"]?.intValue,
                nsPerEvent: args["ns_per_event"]?.doubleValue, isFinal: args["final"] == .bool(true))
            if event.name == "conctrace.stats" {
                recorders.noteParent(stats, pid: event.pid ?? 0)
            } else {
                let refused = recorders.refused
                recorders.noteWorker(stats, pid: event.pid ?? 0)
                limitedEvents += recorders.refused - refused
            }
        default:
            break
        }
    }

    private mutating func metadata(_ event: ChromeEvent) {
        guard let name = event.args?["name"]?.stringValue else { return }
        switch event.name {
        case "thread_name":
            guard let tid = event.tid else { return }
            threadNames[ThreadKey(pid: event.pid ?? 0, tid: tid)] = name
        case "process_name":
            processNames[event.pid ?? 0] = name
        default:
            break
        }
    }
}
