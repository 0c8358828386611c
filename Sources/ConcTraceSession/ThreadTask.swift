import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// Work on a plain OS thread (a thread of your own, a DispatchQueue's), recorded as a task on that thread: created
/// and running when the closure starts, `waiting` with a reason around each blocking call it announces, and done
/// (or failed, with the error) when the closure returns.
///
/// ```swift
/// session.recordThreadWork(name: "reader") { task in
///     let bytes = task.wait(.io) { read(fd, buffer, count) }
///     ...
/// }
/// ```
public struct ThreadTask: ~Copyable {
    /// The task's id in the trace (apart from the runtime's task ids: 10^12 and up).
    public let id: UInt64
    private let lane: EventLane

    /// The first id of thread tasks: far above any id the Swift runtime gives its tasks.
    static let firstID: UInt64 = 1_000_000_000_000

    fileprivate init(id: UInt64, lane: EventLane) {
        self.id = id
        self.lane = lane
    }

    /// Runs `body`, a blocking call (a read, a lock, a sleep, a wait on a queue), recorded as `waiting (reason)`;
    /// the task is ready and running again when it returns.
    @discardableResult
    public func wait<T, E: Error>(_ reason: WaitReason, _ body: () throws(E) -> T) throws(E) -> T {
        lane.record(.waiting, task: id, reason: reason)
        defer {
            lane.record(.ready, task: id)
            lane.record(.running, task: id)
        }
        return try body()
    }
}

extension TraceSession {
    /// Runs `body` on the calling thread as a recorded task named `name` (its parent is the Swift task running
    /// here, if any), and returns what it returns. A thrown error ends the task `failed`, with the error in its
    /// args, and is rethrown.
    public func recordThreadWork<T, E: Error>(name: String, _ body: (borrowing ThreadTask) throws(E) -> T) throws(E)
        -> T
    {
        let lane = recorder.laneForCurrentThread(name: ThreadNames.current)
        let task = ThreadTask(id: ThreadTask.firstID &+ recorder.makeTaskID(), lane: lane)
        lane.record(.created, task: task.id, related: RuntimeTask.currentID(), label: TaskLabel(name))
        lane.record(.ready, task: task.id)
        lane.record(.running, task: task.id)
        do {
            let result = try body(task)
            lane.record(.done, task: task.id)
            return result
        } catch {
            recorder.annotate(task.id, "error", .string("\(error)"))
            lane.record(.failed, task: task.id)
            throw error
        }
    }
}
