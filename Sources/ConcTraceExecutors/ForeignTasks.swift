import ConcTraceRecorder
import ConcTraceSystem
import Synchronization

/// What an executor knows of a task that conctrace did not spawn: a task of the program being recorded.
package final class ForeignTask: Sendable {
    /// The task that created it (0 when the runtime did not say).
    package let parent: UInt64
    /// A child of `parent` in a task group or an `async let`: its end is what its parent awaits.
    package let isStructuredChild: Bool
    /// When its last slice ended with no known reason (0: it is not in such a wait). Its `waiting` is recorded when
    /// it is made ready again, once the waker can tell the reason; a task never made ready again ended there.
    fileprivate let suspendedAt = Atomic<UInt64>(0)
    /// The reason the task told for the wait `suspendedAt` began, when it is one that may not happen: `yield` (a
    /// `Task.yield()` whose continuation was resumed before the task reached its await runs on in the same job, and
    /// may end there). `none`: untold, the waker tells.
    fileprivate let suspendedReason = Atomic<UInt8>(WaitReason.none.rawValue)
    /// Running slices begun: a slice's end counts only if no other slice of the task began meanwhile.
    fileprivate let slices = Atomic<UInt64>(0)

    init(parent: UInt64, isStructuredChild: Bool) {
        self.parent = parent
        self.isStructuredChild = isStructuredChild
    }
}

/// How the program created a task, as it said it (conctrace's tracer interposes `swift_task_create`).
package struct TaskCreation: Sendable {
    /// The name given with `Task(name:)` or `addTask(name:)`.
    package var name: String?
    /// The runtime id of the creating task (0: none).
    package var creator: UInt64
    /// Made with `Task.detached` (no context inherited, not a child).
    package var isDetached: Bool

    package init(name: String?, creator: UInt64, isDetached: Bool) {
        self.name = name
        self.creator = creator
        self.isDetached = isDetached
    }
}

/// The tasks of a program that instrumented executors run without having spawned them: how they are recognized,
/// named and recorded.
///
/// ```
///   a task's job reaches an executor ─▶ record(for:) ─ new id: `created` (name, parent), then the executor's `ready`
///                                          │ known id: its record (tasks move between executors by id)
///   a slice ends with no reason told ─▶ the time is kept; the next `ready` records the `waiting` before it:
///                                       `child` if the waker is one of its structured children, else `unknown`
///   never made ready again ──────────▶ its end, at its last slice's end, marked inferred (at `finish`, or when
///                                       a new task takes its memory)
/// ```
///
/// The runtime gives no signal when a task completes: an end is always inferred, and says so (`end: inferred` in
/// the task's args).
package final class ForeignTasks: Sendable {
    private let recorder: Recorder
    private let creations: @Sendable () -> TaskCreation?
    /// Tasks met and not known to have ended, by runtime id.
    private let registry = Locked<[UInt64: TaskRecord]>([:])
    /// Runtime helper tasks (the wake-up of a sleep) that run unrecorded.
    private let helpers = Locked<RecentIDs>(RecentIDs(capacity: 1 << 16))
    private let seen = Atomic<Int>(0)
    private let ended = Atomic<Int>(0)

    private static let childLabel = TaskLabel("child")
    private static let asyncLetLabel = TaskLabel("async let")
    private static let detachedLabel = TaskLabel("detached")

    /// Makes the registry of one recording.
    /// - Parameters:
    ///   - recorder: where tasks are recorded (their ids are the runtime's).
    ///   - creations: takes what the program said about the task being created on the calling thread, if anything.
    package init(recorder: Recorder, creations: @escaping @Sendable () -> TaskCreation? = { nil }) {
        self.recorder = recorder
        self.creations = creations
    }

    /// The calling thread's lane (for a thread that is not an executor's: a thread of the program).
    package var currentLane: EventLane {
        recorder.laneForCurrentThread(name: ThreadNames.current)
    }

    /// Makes `lane` the calling thread's (an executor's thread, so that what it records through `currentLane`
    /// lands on its own track).
    package func bindCurrentThread(to lane: EventLane) {
        recorder.bindCurrentThread(to: lane)
    }

    /// Tasks met so far.
    package var tasksSeen: Int { seen.load(ordering: .relaxed) }
    /// Tasks whose end was inferred so far.
    package var tasksEnded: Int { ended.load(ordering: .relaxed) }

    /// The record of `job`'s task, made the first time the task is met (its `created` is recorded on `lane`); nil
    /// for a job that is not a task, or a runtime helper.
    /// - Parameter known: the record the executor holds at the job's address, if any (checked: a task that ended
    ///   leaves its memory to the next one).
    package func record(for job: UnownedJob, known: TaskRecord?, lane: EventLane) -> TaskRecord? {
        guard RuntimeTask.isTask(job) else { return nil }
        let id = RuntimeTask.id(of: job)
        if let known, known.id == id { return known }
        var gone: TaskRecord?
        let record = registry.withLock { table -> TaskRecord? in
            if let known, known.foreign != nil, table.removeValue(forKey: known.id) != nil { gone = known }
            if let existing = table[id] { return existing }
            if helpers.withLock({ $0.contains(id) }) { return nil }
            let record = adopt(job, id: id, lane: lane)
            table[id] = record
            return record
        }
        if let gone { inferEnd(of: gone, on: lane) }
        return record
    }

    /// A job that is not a task's was enqueued while `running` (the task running on the calling thread, nil: looked
    /// up) ran: `Task.yield()`'s job (a nullary continuation) means that task yields.
    package func runtimeJobEnqueued(_ job: UnownedJob, running: TaskRecord?) {
        guard RuntimeTask.flags(of: job) & 0xff == RuntimeTask.nullaryContinuationKind else { return }
        guard let task = running ?? currentRecord(), task.foreign != nil, task.state == .running else { return }
        task.expectWait(.yield)
    }

    /// Whether `record` (found at `job`'s address) is still `job`'s task.
    package func matches(_ record: TaskRecord, _ job: UnownedJob) -> Bool {
        record.foreign == nil || (RuntimeTask.isTask(job) && RuntimeTask.id(of: job) == record.id)
    }

    /// `job` is a runtime helper task (e.g. the one that ends a sleep): it runs unrecorded.
    package func ignore(_ job: UnownedJob) {
        guard RuntimeTask.isTask(job) else { return }
        let id = RuntimeTask.id(of: job)
        helpers.withLock { $0.insert(id) }
    }

    private func adopt(_ job: UnownedJob, id: UInt64, lane: EventLane) -> TaskRecord {
        let flags = RuntimeTask.flags(of: job)
        let isChild = flags & RuntimeTask.childFlag != 0
        let creation = creations()
        let parent = creation?.creator ?? (isChild ? RuntimeTask.currentID() : 0)
        let label: TaskLabel
        if let name = creation?.name {
            label = TaskLabel(name)
        } else if flags & RuntimeTask.asyncLetFlag != 0 {
            label = Self.asyncLetLabel
        } else if isChild {
            label = Self.childLabel
        } else if creation?.isDetached == true {
            label = Self.detachedLabel
        } else {
            label = .task
        }
        let named = creation?.name != nil
        lane.record(.created, task: id, related: parent, value: UInt128(id), hasValue: !named, label: label)
        seen.wrappingAdd(1, ordering: .relaxed)
        return TaskRecord(id: id, foreign: ForeignTask(parent: parent, isStructuredChild: isChild))
    }

    /// The record of the task running on the calling thread, if it is one met (a lookup: for threads that are not
    /// an executor's own, which know their running task).
    package func currentRecord() -> TaskRecord? {
        let id = RuntimeTask.currentID()
        guard id != 0 else { return nil }
        return registry.withLock { $0[id] }
    }

    /// Meets a task that is running on the calling thread from its creation (an async `main`, whose first slice the
    /// runtime runs at once): records it created, ready and running now, under `label`. Returns its record and its
    /// slice's number, for `sliceEnded` when that slice ends; nil if it is not a task, or was met before.
    package func adoptRunning(_ job: UnownedJob, label: TaskLabel, on lane: EventLane)
        -> (record: TaskRecord, slice: UInt64)?
    {
        guard RuntimeTask.isTask(job) else { return nil }
        let id = RuntimeTask.id(of: job)
        let record = registry.withLock { table -> TaskRecord? in
            guard table[id] == nil else { return nil }
            let record = TaskRecord(id: id, foreign: ForeignTask(parent: 0, isStructuredChild: false))
            table[id] = record
            return record
        }
        guard let record else { return nil }
        _ = creations()
        // Each stamped on its own (a clock read apart): spans of zero length at one instant nest ambiguously.
        lane.record(.created, task: id, label: label)
        lane.record(.ready, task: id)
        lane.record(.running, task: id)
        seen.wrappingAdd(1, ordering: .relaxed)
        let slice = sliceBegins(record)
        record.state = .running
        return (record, slice)
    }

    /// Records `record` ready on `lane` (after the `waiting` its last slice left untold, with the reason the waker
    /// tells): `waker` is the task running on the calling thread (nil: looked up, unless `wakerKnown`, as on an
    /// executor's own thread, which knows it runs no recorded task); `timestamp`, when given, is when another
    /// thread enqueued the job (no waker is known then).
    package func ready(_ record: TaskRecord, on lane: EventLane, waker: TaskRecord?, wakerKnown: Bool = false,
                       at timestamp: UInt64? = nil) {
        guard let details = record.foreign else { return }
        let now = timestamp ?? MonotonicClock.now()
        let waker = waker ?? (timestamp == nil && !wakerKnown ? currentRecord() : nil)
        let previous = record.exchangeState(.ready)
        if previous == .running {
            // Made ready before the job that suspended it returned (Task.yield()'s continuation ran on another
            // thread first): the wait it announced ends its slice now, or it would never be seen.
            let announced = record.takeExpectedWait()
            if announced != .none {
                lane.append(TraceEvent(timestamp: now, kind: .waiting, task: record.id, worker: lane.worker,
                                       reason: announced))
            }
        } else if previous == .waiting {
            let since = details.suspendedAt.exchange(0, ordering: .acquiringAndReleasing)
            let told = WaitReason(rawValue: details.suspendedReason.exchange(WaitReason.none.rawValue,
                                                                             ordering: .acquiringAndReleasing)) ?? .none
            if since != 0 {
                let byChild = waker?.foreign.map { $0.isStructuredChild && $0.parent == record.id } ?? false
                lane.append(TraceEvent(timestamp: min(since, now), kind: .waiting, task: record.id, worker: lane.worker,
                                       reason: told != .none ? told : byChild ? .child : .unknown))
            }
        }
        var wakerID = timestamp == nil ? (waker?.id ?? RuntimeTask.currentID()) : 0
        if wakerID == record.id { wakerID = 0 }
        lane.append(TraceEvent(timestamp: now, kind: .ready, task: record.id, worker: lane.worker, related: wakerID))
    }

    /// A running slice of `record` begins (the executor records `running`): returns the slice's number.
    package func sliceBegins(_ record: TaskRecord) -> UInt64 {
        guard let details = record.foreign else { return 0 }
        // A wait announced while the task ran where no slice was recorded (inside an actor's job) is not this
        // slice's.
        _ = record.takeExpectedWait()
        return details.slices.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
    }

    /// The slice numbered `slice` ended at `stamp` (the job returned): a wait the task announced is recorded now; an
    /// untold one when the task is made ready again.
    package func sliceEnded(_ record: TaskRecord, slice: UInt64, on lane: EventLane, at stamp: UInt64) {
        guard let details = record.foreign, details.slices.load(ordering: .acquiring) == slice else { return }
        let announced = record.takeExpectedWait()
        if announced != .none && announced != .yield {
            if record.transition(from: .running, to: .waiting) {
                lane.append(TraceEvent(timestamp: stamp, kind: .waiting, task: record.id, worker: lane.worker,
                                       reason: announced))
            }
            return
        }
        // Untold, or a yield, which may not have suspended the task (its continuation resumed before the await):
        // the wait is recorded when the task is made ready again, with the yield as its reason; a task never made
        // ready again ended here (inferred).
        details.suspendedReason.store(announced.rawValue, ordering: .releasing)
        details.suspendedAt.store(stamp, ordering: .releasing)
        if !record.transition(from: .running, to: .waiting) {
            // Made ready again before its slice ended: no wait to tell.
            if details.suspendedAt.compareExchange(expected: stamp, desired: 0, ordering: .acquiringAndReleasing)
                .exchanged {
                details.suspendedReason.store(WaitReason.none.rawValue, ordering: .releasing)
            }
        }
    }

    /// The end of recording: every task waiting since its last slice with no reason told, and never made ready
    /// again, ended at that slice's end (inferred); with `processEnds`, a task still running ends now, with the
    /// process (inferred). Tasks still ready, or in a wait they told of, are left in progress. Returns the tasks met
    /// and the tasks ended.
    @discardableResult
    package func finish(on lane: EventLane, processEnds: Bool = false) -> (seen: Int, ended: Int) {
        let records = registry.withLock { table -> [TaskRecord] in
            defer { table.removeAll() }
            return Array(table.values)
        }
        let now = MonotonicClock.now()
        for record in records.sorted(by: { $0.id < $1.id }) {
            if processEnds, record.transition(from: .running, to: .done) {
                recorder.annotate(record.id, "end", .string("inferred"))
                lane.append(TraceEvent(timestamp: now, kind: .done, task: record.id, worker: lane.worker))
                ended.wrappingAdd(1, ordering: .relaxed)
            } else {
                inferEnd(of: record, on: lane)
            }
        }
        return (tasksSeen, tasksEnded)
    }

    /// Records the end of a task that was never made ready after its last slice, if it is so.
    private func inferEnd(of record: TaskRecord, on lane: EventLane) {
        guard let details = record.foreign, record.state == .waiting else { return }
        let since = details.suspendedAt.exchange(0, ordering: .acquiringAndReleasing)
        guard since != 0, record.transition(from: .waiting, to: .done) else { return }
        recorder.annotate(record.id, "end", .string("inferred"))
        lane.append(TraceEvent(timestamp: since, kind: .done, task: record.id, worker: lane.worker))
        ended.wrappingAdd(1, ordering: .relaxed)
    }
}

/// The most recent ids added, at most `capacity` of them (the oldest leaves first).
struct RecentIDs {
    private var members: Set<UInt64> = []
    private var order: [UInt64] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func contains(_ id: UInt64) -> Bool { members.contains(id) }

    mutating func insert(_ id: UInt64) {
        guard members.insert(id).inserted else { return }
        if order.count < capacity {
            order.append(id)
        } else {
            members.remove(order[next])
            order[next] = id
            next = (next + 1) % capacity
        }
    }
}
