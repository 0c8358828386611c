import ConcTraceFormat

/// What the parent of a `--strategy processes` run writes about its workers when it merges their events:
/// each worker's start, each task's hand-off to a worker, and each worker's resource usage.
extension ChromeTraceConverter {
    /// A worker's start: a `spawn worker N` instant (`cat: spawn`) of the parent's process at the start of its
    /// posix_spawn, with its pid and the spawn's length. Process-scoped, not on the main thread's track: Perfetto
    /// binds a flow that starts on a thread to the latest slice begun there, and an instant on the main thread took
    /// the `dispatch` arrows from the root's slice.
    public mutating func writeWorkerSpawn(number: Int, workerPID: Int32, started: UInt64, ended: UInt64) {
        beginEvent(phase: "i", category: "spawn")
        out.key("name"); out.string("spawn worker \(number)")
        out.key("s"); out.string("p")
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(Self.processEventsThread)
        out.key("ts"); out.microseconds(fromNanoseconds: started)
        out.key("args"); out.beginObject()
        out.key("pid"); out.int(workerPID)
        out.key("spawn_us"); out.microseconds(fromNanoseconds: ended &- started)
        out.endObject()
        endEvent()
    }

    /// A task's hand-off to a worker process: a `dispatch` flow (id 2^48 + task) from the parent's main thread at the
    /// time the task was made ready, to the worker's running slice at its start (`bp: "e"`: the arrow binds to
    /// that slice, which starts at the same time), with the time it was written to the worker's pipe.
    public mutating func writeDispatch(task: UInt64, readyAt: UInt64, dispatchedAt: UInt64, workerPID: Int32,
                                       workerThread: UInt32, startedAt: UInt64) {
        let id = TraceNames.dispatchFlowBase &+ task
        beginEvent(phase: "s", category: "dispatch")
        out.key("name"); out.string(TraceNames.dispatchCategory)
        out.key("id"); out.int(id)
        out.key("pid"); out.int(processID)
        out.key("tid"); out.int(Self.processEventsThread)
        out.key("ts"); out.microseconds(fromNanoseconds: readyAt)
        out.key("args"); out.beginObject()
        out.key("dispatched_us"); out.microseconds(fromNanoseconds: dispatchedAt)
        out.endObject()
        endEvent()
        beginEvent(phase: "f", category: "dispatch")
        out.key("name"); out.string(TraceNames.dispatchCategory)
        out.key("id"); out.int(id)
        out.key("bp"); out.string("e")
        out.key("pid"); out.int(workerPID)
        out.key("tid"); out.int(workerThread)
        out.key("ts"); out.microseconds(fromNanoseconds: startedAt)
        endEvent()
    }

    /// A worker process's resource usage as it reported it at its end: a `process (worker N)` counter on the
    /// worker's pid (CPU time in ms, context switches, peak memory in MiB).
    public mutating func writeWorkerUsage(number: Int, workerPID: Int32, at timestamp: UInt64, userMicroseconds: Int,
                                          systemMicroseconds: Int, voluntarySwitches: Int, involuntarySwitches: Int,
                                          peakResidentBytes: Int) {
        beginEvent(phase: "C", name: nil)
        out.key("name"); out.string("\(TraceNames.processCounterPrefix)\(number))")
        out.key("pid"); out.int(workerPID)
        out.key("tid"); out.int(Self.processEventsThread)
        out.key("ts"); out.microseconds(fromNanoseconds: timestamp)
        out.key("args"); out.beginObject()
        out.key("user_cpu_ms"); out.int(userMicroseconds / 1000)
        out.key("system_cpu_ms"); out.int(systemMicroseconds / 1000)
        out.key("voluntary_switches"); out.int(voluntarySwitches)
        out.key("involuntary_switches"); out.int(involuntarySwitches)
        out.key("peak_rss_mib"); out.int(peakResidentBytes >> 20)
        out.endObject()
        endEvent()
    }
}
