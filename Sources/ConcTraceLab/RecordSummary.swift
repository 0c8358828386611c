#if canImport(Glibc)
import Glibc
#endif
import ConcTraceFormat
import ConcTraceReader

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
    /// Events recorded (from the tracer's last word; 0 when the program died before it).
    public var events: Int
    /// Events dropped (likewise).
    public var dropped: Int
    /// The trace's path (nil when nothing was traced).
    public var trace: String?
    /// Whether the trace was completed (false: the program died before the tracer could finish it; the trace
    /// loads up to that point).
    public var complete: Bool
    /// What the tracer said went wrong, if anything.
    public var tracerError: String?

    /// Reads what happened from the status lines, and from the trace itself when the program died first.
    init(program: String, lines: [RecordChannel.Status], exit: ProgramExit, wallSeconds: Double, tracePath: String,
         absoluteTracePath: String) {
        self.program = program
        self.exit = exit
        self.wallSeconds = wallSeconds
        tracerError = lines.lazy.compactMap { line -> String? in
            if case .error(let message) = line { return message }
            return nil
        }.first
        traced = lines.contains { if case .tracing = $0 { true } else { false } }
        tasks = 0
        ended = 0
        events = 0
        dropped = 0
        complete = false
        trace = traced ? tracePath : nil
        if let final = lines.last(where: { if case .final = $0 { true } else { false } }),
           case .final(let tasks, let ended, let events, let dropped, _) = final {
            self.tasks = tasks
            self.ended = ended
            self.events = events
            self.dropped = dropped
            complete = true
        } else if traced {
            (tasks, ended) = Self.countTasks(in: absoluteTracePath)
        } else {
            // Nothing traced: the empty file record made to check the path is not left behind.
            var info = stat()
            if stat(absoluteTracePath, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 {
                unlink(absoluteTracePath)
            }
        }
    }

    /// Tasks with a running slice, and tasks whose life span was written, in a trace cut short.
    private static func countTasks(in path: String) -> (tasks: Int, ended: Int) {
        guard let reader = try? ChromeTraceReader(path: path) else { return (0, 0) }
        var seen = Set<Int64>()
        var ended = 0
        while let event = try? reader.next() {
            guard let task = event.args?["task"]?.intValue else { continue }
            if event.phase == .complete { seen.insert(task) }
            if event.phase == .asyncBegin, event.category == TraceNames.taskCategory {
                seen.insert(task)
                ended += 1
            }
        }
        return (seen.count, ended)
    }

    /// The one line `record` prints (on stderr: stdout is the program's).
    public var text: String {
        var line = "record \(program): "
        if traced {
            line += "\(tasks) task(s) seen, \(ended) ended, in \(formatted(wallSeconds, digits: 3)) s"
        } else {
            line += "nothing to trace (no Swift concurrency task ran: not a dynamically linked Swift program, or " +
                "one without tasks), \(formatted(wallSeconds, digits: 3)) s"
        }
        switch exit {
        case .exited(let code): line += ", exit \(code)"
        case .signaled(let signal): line += ", killed by signal \(signal)"
        }
        if let trace {
            line += "; trace \(trace) (\(complete ? "\(events) events, \(dropped) dropped" : "cut short"))"
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
