import ConcTraceFormat
import ConcTraceAnalysis

/// What `conctrace record` recorded of a program: one line of text, or one JSON object (`--format json`).
public struct RecordSummary: Sendable, Equatable {
    /// The program as given.
    public var program: String
    /// How it ended.
    public var exit: ProgramExit
    /// From its start to its end, in s (the whole process: start-up and the trace's writing included).
    public var wallSeconds: Double
    /// Whether anything was traced (false: not a Swift program, a static binary, or one that ran no task).
    public var traced: Bool
    /// Tasks met.
    public var tasks: Int
    /// Tasks whose end was recorded.
    public var ended: Int
    /// Events recorded.
    public var events: Int
    /// Events dropped (a full buffer in the program; as its last statistics said).
    public var dropped: Int
    /// The trace's path (nil when nothing was traced).
    public var trace: String?
    /// Whether the program's recording was finished (false: the program died before its tracer could finish; the
    /// trace holds what was recorded up to then).
    public var complete: Bool
    /// What the tracer said went wrong, if anything.
    public var tracerError: String?

    /// Reads what happened from the status lines and what the trace's conversion found.
    init(program: String, lines: [RecordChannel.Status], exit: ProgramExit, wallSeconds: Double, trace: String?,
         converted: RecordTrace.Result?) {
        self.program = program
        self.exit = exit
        self.wallSeconds = wallSeconds
        tracerError = lines.lazy.compactMap { line -> String? in
            if case .error(let message) = line { return message }
            return nil
        }.first
        traced = converted != nil
        self.trace = trace
        tasks = converted?.tasks ?? 0
        ended = converted?.ended ?? 0
        events = converted?.events ?? 0
        dropped = converted?.dropped ?? 0
        complete = converted?.isFinal ?? false
    }

    /// The one line `record` prints (on stderr: stdout is the program's).
    public var text: String {
        var line = "record \(program): "
        if traced {
            line += "\(tasks) task(s) seen, \(ended) ended, in \(NumberFormat.fixed(wallSeconds, decimals: 3)) s"
        } else {
            line += "nothing to trace (no Swift concurrency task ran: not a dynamically linked Swift program, or " +
                "one without tasks), \(NumberFormat.fixed(wallSeconds, decimals: 3)) s"
        }
        switch exit {
        case .exited(let code): line += ", exit \(code)"
        case .signaled(let signal): line += ", killed by signal \(signal)"
        }
        if let trace {
            line += "; trace \(trace) (\(events) events, \(dropped) dropped\(complete ? "" : ", cut short"))"
        }
        if let tracerError { line += "; tracer: \(tracerError)" }
        return line
    }

    /// The JSON object `--format json` prints, keys in their documented order.
    public var jsonText: String {
        var json = JSONObjectText()
        json.add("program", program)
        switch exit {
        case .exited(let code):
            json.add("exit_status", Int(code))
            json.add("signal", json: "null")
        case .signaled(let signal):
            json.add("exit_status", Int(128 + signal))
            json.add("signal", Int(signal))
        }
        json.add("wall_s", wallSeconds)
        json.add("traced", json: traced ? "true" : "false")
        json.add("tasks", tasks)
        json.add("ended", ended)
        json.add("events", events)
        json.add("dropped", dropped)
        json.add("trace", trace)
        json.add("complete", json: complete ? "true" : "false")
        json.add("tracer_error", tracerError)
        return json.text
    }
}
