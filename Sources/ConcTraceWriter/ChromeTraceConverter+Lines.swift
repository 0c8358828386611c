import ConcTraceFormat
import ConcTraceRecorder

/// The converter's hot lines: running slices, state and life spans, arrows and counter samples, several per
/// recorded event. Each is written as fixed fragments and numbers straight into the output buffer (no per-key comma
/// logic, no escaping of known text, no `String`); their shapes are those of docs/trace-format.md.
extension ChromeTraceConverter {
    /// A flow arrow's kind: its `cat` and `name`.
    enum FlowCategory {
        case spawn, wake
    }

    /// Starts a line: the separator after the previous event.
    private mutating func startLine() {
        if eventsWritten > 0 { out.fragment(",\n") }
        eventsWritten += 1
    }

    /// `,"pid":P,"tid":T,"ts":`
    private mutating func process(thread: UInt32) {
        out.fragment(UnsafeBufferPointer(pidText))
        out.decimal(UInt64(thread))
        out.fragment(#","ts":"#)
    }

    /// `"id2":{"local":T},"pid":P,"tid":W,"ts":`
    private mutating func asyncTrack(task: UInt64, thread: UInt32) {
        out.fragment(#","id2":{"local":"#)
        out.decimal(task)
        out.fragment("}")
        process(thread: thread)
    }

    /// The task's name between quotes: its label, escaped once and kept, and its index.
    private mutating func taskName(_ track: TaskTrack) {
        out.fragment("\"")
        let id = Int(track.label.id)
        if id >= labelTexts.count { labelTexts += Array(repeating: nil, count: id - labelTexts.count + 1) }
        if labelTexts[id] == nil {
            var escaped = JSONLine(reservingCapacity: 64)
            var text = track.label.text
            text.withUTF8 { escaped.escaped($0) }
            labelTexts[id] = Array(escaped.bytes)
        }
        labelTexts[id]!.withUnsafeBufferPointer { out.fragment($0) }
        if track.hasIndex {
            out.fragment(" ")
            out.decimal(track.index)
        }
        out.fragment("\"")
    }

    /// A running slice (`X`, `cat: running`) from the state's start to `end`, on the worker that ran it.
    mutating func writeSlice(_ track: TaskTrack, task: UInt64, until end: UInt64) {
        startLine()
        out.fragment(#"{"ph":"X","name":"#)
        taskName(track)
        out.fragment(#","cat":"running""#)
        process(thread: track.worker)
        out.decimalMicroseconds(track.since)
        out.fragment(#","dur":"#)
        out.decimalMicroseconds(end &- track.since)
        out.fragment(#","args":{"task":"#)
        out.decimal(task)
        out.fragment("}}")
    }

    /// The `b`/`e` pair of the task's current state (`ready`, `running`, `waiting (reason)`), from its start to `end`.
    mutating func writeStateSpan(_ track: TaskTrack, task: UInt64, until end: UInt64) {
        stateSpanLine(track, task: task, isBegin: true, at: track.since)
        stateSpanLine(track, task: task, isBegin: false, at: end)
    }

    private mutating func stateSpanLine(_ track: TaskTrack, task: UInt64, isBegin: Bool, at timestamp: UInt64) {
        startLine()
        out.fragment(isBegin ? #"{"ph":"b","cat":"task","name":"# : #"{"ph":"e","cat":"task","name":"#)
        switch track.state {
        case .ready: out.fragment(#""ready""#)
        case .running: out.fragment(#""running""#)
        default: out.fragment(Self.waitingName(track.reason))
        }
        asyncTrack(task: task, thread: track.worker)
        out.decimalMicroseconds(timestamp)
        // A wait's reason; a ready's, when the task made itself ready by yielding.
        if isBegin, track.state == .waiting || (track.state == .ready && track.reason != .none) {
            out.fragment(#","args":{"reason":"#)
            out.fragment(Self.reasonName(track.reason))
            out.fragment("}")
        }
        out.fragment("}")
    }

    /// The task's whole life (`b`/`e`, `cat: task`), from its creation to its final event `end`, with its args.
    mutating func writeLifeSpan(_ track: TaskTrack, task: UInt64, end: TraceEvent,
                                extra: [(String, AnnotationValue)]) {
        startLine()
        out.fragment(#"{"ph":"b","cat":"task","name":"#)
        taskName(track)
        asyncTrack(task: task, thread: track.worker)
        out.decimalMicroseconds(track.created)
        out.fragment(#","args":{"task":"#)
        out.decimal(task)
        out.fragment(#","parent":"#)
        out.decimal(track.parent)
        switch end.kind {
        case .failed: out.fragment(#","state":"failed""#)
        case .cancelled: out.fragment(#","state":"cancelled""#)
        default: out.fragment(#","state":"done""#)
        }
        if end.hasValue {
            out.fragment(#","result":""#)
            out.decimal(end.value)
            out.fragment("\"")
        }
        if !extra.isEmpty {
            // Cold: details attached to a few tasks. The structured builder puts in its own commas.
            out.markValue()
            for (key, value) in extra {
                out.key(key)
                switch value {
                case .string(let text): out.string(text)
                case .int(let number): out.int(number)
                case .double(let number): out.double(number)
                }
            }
        }
        out.fragment("}}")
        startLine()
        out.fragment(#"{"ph":"e","cat":"task","name":"#)
        taskName(track)
        asyncTrack(task: task, thread: end.worker)
        out.decimalMicroseconds(end.timestamp)
        out.fragment("}")
    }

    /// A flow arrow's start (`s`) on `worker`'s slice at `timestamp`; returns its id.
    mutating func writeFlowStart(category: FlowCategory, worker: UInt32, at timestamp: UInt64) -> UInt64 {
        let id = nextFlow
        nextFlow += 1
        startLine()
        switch category {
        case .spawn: out.fragment(#"{"ph":"s","cat":"spawn","name":"spawn","id":"#)
        case .wake: out.fragment(#"{"ph":"s","cat":"wake","name":"wake","id":"#)
        }
        out.decimal(id)
        process(thread: worker)
        out.decimalMicroseconds(timestamp)
        out.fragment("}")
        return id
    }

    /// A flow arrow's end (`f`, bound to the enclosing slice: `bp: "e"`) on `worker` at `timestamp`.
    mutating func writeFlowEnd(category: FlowCategory, id: UInt64, worker: UInt32, at timestamp: UInt64) {
        startLine()
        switch category {
        case .spawn: out.fragment(#"{"ph":"f","cat":"spawn","name":"spawn","id":"#)
        case .wake: out.fragment(#"{"ph":"f","cat":"wake","name":"wake","id":"#)
        }
        out.decimal(id)
        out.fragment(#","bp":"e""#)
        process(thread: worker)
        out.decimalMicroseconds(timestamp)
        out.fragment("}")
    }

    /// A `tasks` counter sample (`in_flight`, `ready`) at `timestamp`.
    mutating func writeCounterLine(at timestamp: UInt64) {
        startLine()
        out.fragment(#"{"ph":"C","name":"tasks""#)
        process(thread: Self.processEventsThread)
        out.decimalMicroseconds(timestamp)
        out.fragment(#","args":{"in_flight":"#)
        signed(inFlight)
        out.fragment(#","ready":"#)
        signed(readyCount)
        out.fragment("}}")
    }

    private mutating func signed(_ value: Int) {
        if value < 0 { out.fragment("-") }
        out.decimal(UInt64(value.magnitude))
    }

    /// `"waiting (<reason>)"`, quoted.
    static func waitingName(_ reason: WaitReason) -> StaticString {
        switch reason {
        case .none: #""waiting (none)""#
        case .timer: #""waiting (timer)""#
        case .io: #""waiting (io)""#
        case .lock: #""waiting (lock)""#
        case .child: #""waiting (child)""#
        case .queue: #""waiting (queue)""#
        case .yield: #""waiting (yield)""#
        case .unknown: #""waiting (unknown)""#
        }
    }

    /// The reason's name, quoted.
    static func reasonName(_ reason: WaitReason) -> StaticString {
        switch reason {
        case .none: #""none""#
        case .timer: #""timer""#
        case .io: #""io""#
        case .lock: #""lock""#
        case .child: #""child""#
        case .queue: #""queue""#
        case .yield: #""yield""#
        case .unknown: #""unknown""#
        }
    }
}
