import ConcTraceFormat
import ConcTraceReader

/// The thread tracks' events: `X` slices, `B`/`E` pairs (by time), and the flow arrows bound to them.
extension TraceAnalyzer {
    mutating func complete(_ event: ChromeEvent) {
        guard let start = Self.time(event.timestampNanoseconds), let duration = event.durationNanoseconds,
              duration >= 0, duration <= Self.timeLimit, let tid = event.tid else {
            invalidEvents += 1
            return
        }
        let end = start + duration
        guard let index = thread(ThreadKey(pid: event.pid ?? 0, tid: tid)) else { return }
        threads[index].addSlice(start: start, end: end)
        flows.slice(on: ThreadKey(pid: event.pid ?? 0, tid: tid), start: start, end: end)
        if event.category == "running", let task = event.args?["task"]?.intValue {
            let predecessor = threads[index].addTaskSlice(start: start, end: end)
            tasks.slice(task: UInt64(bitPattern: task), start: start, predecessor: predecessor)
        }
    }

    /// A `B` or `E`: held in its thread's reorder window and paired by time (`BeginEndPairing`).
    mutating func threadBeginEnd(_ event: ChromeEvent, isEnd: Bool) {
        guard let timestamp = Self.time(event.timestampNanoseconds), let tid = event.tid else {
            invalidEvents += 1
            return
        }
        guard let index = thread(ThreadKey(pid: event.pid ?? 0, tid: tid)) else { return }
        let key = ThreadKey(pid: event.pid ?? 0, tid: tid)
        let held = threads[index].pairing.held
        if let slice = threads[index].addBeginEnd(BeginEndPairing.Event(
            timestamp: timestamp, isEnd: isEnd, sequence: events, name: BeginEndPairing.Event.hash(event.name),
            category: BeginEndPairing.Event.hash(event.category))) {
            flows.slice(on: key, start: slice.start, end: slice.end)
        }
        heldBeginEnds += threads[index].pairing.held - held
        // A global bound as well: many threads' windows together stay within maxHeldBeginEnds.
        if heldBeginEnds > Self.maxHeldBeginEnds, threads[index].pairing.held > 0 {
            if let slice = threads[index].releaseEarliestBeginEnd() {
                flows.slice(on: key, start: slice.start, end: slice.end)
            }
            heldBeginEnds -= 1
        }
    }

    /// Pairs every `B`/`E` still held for reordering (the end of the trace).
    mutating func drainBeginEnds() {
        for index in threads.indices {
            let key = ThreadKey(pid: threads[index].pid, tid: threads[index].tid)
            while threads[index].pairing.held > 0 {
                if let slice = threads[index].releaseEarliestBeginEnd() {
                    flows.slice(on: key, start: slice.start, end: slice.end)
                }
            }
        }
        heldBeginEnds = 0
    }

    // MARK: Flows

    /// An `s` (`isStart`) or `f`: one end of an arrow, bound by time to a slice of its thread (`FlowLedger`).
    mutating func flowEnd(_ event: ChromeEvent, isStart: Bool) {
        guard let time = Self.time(event.timestampNanoseconds), let id = event.id else {
            invalidEvents += 1
            return
        }
        let pid = event.pid ?? 0
        // Perfetto takes a missing tid to be the pid.
        let thread = ThreadKey(pid: pid, tid: event.tid ?? pid)
        let key = FlowLedger.Key(id: id, category: BeginEndPairing.Event.hash(event.category),
                                 name: BeginEndPairing.Event.hash(event.name))
        let activity = threadIndex[thread].map { threads[$0] }
        if isStart {
            flows.start(key, category: event.category, thread: thread, at: time,
                        bound: activity?.encloses(time) ?? false)
        } else {
            let enclosing = event.bindingPoint == "e"
            let bound = enclosing ? activity?.encloses(time) ?? false : (activity?.latestStart ?? .min) > time
            flows.end(key, category: event.category, thread: thread, at: time, enclosing: enclosing, bound: bound)
        }
    }
}
