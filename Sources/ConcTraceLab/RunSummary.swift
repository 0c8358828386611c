import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceReader

/// What a run did, as `conctrace run` prints it: one line of text, or one JSON object (`--format json`) that a
/// parent (`sweep`, `demo`, `advise`) reads back into the same type.
public struct RunSummary: Sendable, Equatable {
    public var workload: String
    public var strategy: String
    /// Tasks asked for.
    public var tasks: Int
    public var done: Int
    public var failed: Int
    public var cancelled: Int
    /// Body bytes received (the download workload).
    public var bytes: Int
    /// Whether `bytes` is one of the run's figures (a download).
    public var countsBytes: Bool
    public var workers: Int
    /// Wall time from the first task's creation to the last task's end, in s.
    public var wallSeconds: Double
    /// The trace's path, nil when nothing was recorded.
    public var trace: String?
    /// Events recorded and dropped, and the recorder's calibrated cost per event.
    public var events: Int
    public var dropped: Int
    public var nsPerEvent: Double
    /// Peak resident memory of the run's process, plus its worker processes' (nil where it cannot be read).
    public var peakResidentBytes: Int?
    /// The failed tasks grouped by error message, most frequent first, from the run's trace (empty when no task
    /// failed, or nothing was recorded: the messages are in the trace).
    public var failures: [FailedTasks.Group] = []

    /// Tasks done per second.
    public var throughput: Double {
        wallSeconds > 0 ? Double(done) / wallSeconds : 0
    }

    /// Makes a summary.
    public init(workload: String, strategy: String, tasks: Int, done: Int, failed: Int, cancelled: Int, bytes: Int,
                countsBytes: Bool, workers: Int, wallSeconds: Double, trace: String?, events: Int, dropped: Int,
                nsPerEvent: Double, peakResidentBytes: Int?) {
        self.workload = workload
        self.strategy = strategy
        self.tasks = tasks
        self.done = done
        self.failed = failed
        self.cancelled = cancelled
        self.bytes = bytes
        self.countsBytes = countsBytes
        self.workers = workers
        self.wallSeconds = wallSeconds
        self.trace = trace
        self.events = events
        self.dropped = dropped
        self.nsPerEvent = nsPerEvent
        self.peakResidentBytes = peakResidentBytes
    }

    /// The JSON object `--format json` prints, keys in their documented order.
    public var jsonText: String {
        var json = JSONObjectText()
        json.add("workload", workload)
        json.add("strategy", strategy)
        json.add("tasks", tasks)
        json.add("done", done)
        json.add("failed", failed)
        json.add("cancelled", cancelled)
        json.add("bytes", bytes)
        json.add("workers", workers)
        json.add("wall_s", wallSeconds)
        json.add("throughput_tasks_per_s", throughput)
        json.add("trace", trace)
        json.add("events", events)
        json.add("dropped", dropped)
        json.add("ns_per_event", nsPerEvent)
        json.add("peak_rss_bytes", json: peakResidentBytes.map { String($0) } ?? "null")
        let errors = failures.map { group in
            var object = JSONObjectText()
            object.add("error", group.error)
            object.add("count", group.count)
            object.add("example", group.exampleName)
            object.add("example_task", Int(group.exampleTask))
            object.add("example_url", group.exampleURL)
            return object.text
        }
        json.add("errors", json: "[" + errors.joined(separator: ",") + "]")
        return json.text
    }

    /// Reads back a `--format json` line; nil when it is not one.
    public init?(json text: String) {
        guard let value = TraceValue(parsing: text), case .object = value,
              let workload = value["workload"]?.stringValue, let strategy = value["strategy"]?.stringValue,
              let tasks = value["tasks"]?.intValue, let done = value["done"]?.intValue,
              let failed = value["failed"]?.intValue, let cancelled = value["cancelled"]?.intValue,
              let workers = value["workers"]?.intValue, let wall = value["wall_s"]?.doubleValue
        else { return nil }
        self.init(
            workload: workload, strategy: strategy, tasks: Int(tasks), done: Int(done), failed: Int(failed),
            cancelled: Int(cancelled), bytes: Int(value["bytes"]?.intValue ?? 0), countsBytes: workload == "download",
            workers: Int(workers), wallSeconds: wall, trace: value["trace"]?.stringValue,
            events: Int(value["events"]?.intValue ?? 0), dropped: Int(value["dropped"]?.intValue ?? 0),
            nsPerEvent: value["ns_per_event"]?.doubleValue ?? 0,
            peakResidentBytes: value["peak_rss_bytes"]?.intValue.map { Int($0) })
        if case .array(let errors)? = value["errors"] {
            failures = errors.compactMap { error in
                guard let message = error["error"]?.stringValue, let count = error["count"]?.intValue,
                      let example = error["example"]?.stringValue, let task = error["example_task"]?.intValue
                else { return nil }
                return FailedTasks.Group(error: message, count: Int(count), exampleName: example, exampleTask: task,
                                         exampleURL: error["example_url"]?.stringValue)
            }
        }
    }

    /// The failed tasks in one phrase, most frequent message first: `3 × HTTP 500 (e.g. download 5), 2 × ...`;
    /// nil when none failed.
    public var failureText: String? {
        guard failed > 0 else { return nil }
        guard !failures.isEmpty else {
            return trace == nil ? "their errors are kept only in a trace (run without --no-trace to list them)"
                : "no error message in the trace"
        }
        return failures.map { "\($0.count) × \($0.error) (e.g. \($0.exampleName))" }.joined(separator: ", ")
    }

    /// The line `conctrace run` prints, followed, when tasks failed, by a line per error message (count, message,
    /// an example task).
    public var text: String {
        var line = "\(workload)/\(strategy): \(done) of \(tasks) "
        line += "tasks done in \(NumberFormat.fixed(wallSeconds, decimals: 3)) s "
        line += "(\(NumberFormat.fixed(throughput, decimals: 1)) tasks/s) on \(workers) worker(s)"
        if countsBytes {
            line += ", \(bytes) bytes (\(NumberFormat.fixed(Double(bytes) / 1e6, decimals: 2)) MB)"
        }
        if failed > 0 { line += ", \(failed) failed" }
        if cancelled > 0 { line += ", \(cancelled) cancelled" }
        if let trace {
            line += "; trace \(trace) (\(events) events, \(dropped) dropped, "
            line += "\(NumberFormat.fixed(nsPerEvent, decimals: 1)) ns/event)"
        }
        guard failed > 0 else { return line }
        // Then the failed tasks, a line per error message.
        guard !failures.isEmpty else { return line + "\n  failed tasks: " + (failureText ?? "") }
        return ([line, "  failed tasks by error:"] + failures.map { group in
            "    \(group.count) × \(group.error) (e.g. \(group.exampleName)" + (group.exampleURL.map { ", \($0)" } ?? "")
                + ")"
        }).joined(separator: "\n")
    }
}
