import ConcTraceFormat
import ConcTraceReader

/// The failed tasks of a trace, grouped by their error message: how many failed with each, and one of them as an
/// example, so that "5 failed" becomes "3 × HTTP 500 (e.g. download 5), 2 × Connection reset by peer (e.g.
/// download 0)".
///
/// A conctrace trace writes each task's life span (`b`, category `task`, with `args.task`) when the task ends; a
/// failed task's span has `args.state` `failed` and its `args.error` (a download's also `args.url`). Streamed like
/// the analysis, in memory that grows with the distinct messages (at most `maxGroups`), not with the events.
public struct FailedTasks: Sendable, Equatable {
    /// The tasks that failed with one message.
    public struct Group: Sendable, Equatable {
        /// The message (`args.error`), or `(no error message)`.
        public var error: String
        /// How many tasks failed with it.
        public var count: Int
        /// The first such task: its name (`download 5`), its id, and its URL when it has one.
        public var exampleName: String
        /// The example's task id.
        public var exampleTask: Int64
        /// The example's URL (`args.url`), for a download.
        public var exampleURL: String?

        /// Makes a group.
        public init(error: String, count: Int, exampleName: String, exampleTask: Int64, exampleURL: String? = nil) {
            self.error = error
            self.count = count
            self.exampleName = exampleName
            self.exampleTask = exampleTask
            self.exampleURL = exampleURL
        }
    }

    /// Distinct messages kept, at most; failures with further messages are counted in `otherCount`.
    public static let maxGroups = 100
    /// Messages are cut to this many characters (a hostile file's megabyte string is not kept).
    public static let maxMessageLength = 300

    /// The groups in the order their message was first seen.
    public private(set) var groups: [Group] = []
    /// Failed tasks whose message did not fit in `maxGroups`.
    public private(set) var otherCount = 0
    private var index: [String: Int] = [:]

    /// An empty collection.
    public init() {}

    /// Every failed task.
    public var total: Int { groups.reduce(otherCount) { $0 + $1.count } }

    /// The groups, most frequent first (ties in the order first seen).
    public var byCount: [Group] {
        groups.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element)
    }

    /// Takes one event into account: a failed task's life span is counted under its message.
    public mutating func consume(_ event: ChromeEvent) {
        guard event.phase == TracePhase("b"), event.category == "task", let args = event.args,
              let task = args["task"]?.intValue, args["state"]?.stringValue == "failed" else { return }
        var message = args["error"]?.stringValue ?? "(no error message)"
        if message.count > Self.maxMessageLength { message = String(message.prefix(Self.maxMessageLength)) + "…" }
        if let position = index[message] {
            groups[position].count += 1
        } else if groups.count < Self.maxGroups {
            index[message] = groups.count
            groups.append(Group(error: message, count: 1, exampleName: event.name ?? "task \(task)", exampleTask: task,
                                exampleURL: args["url"]?.stringValue))
        } else {
            otherCount += 1
        }
    }

    /// One line per message, most frequent first: `3 × HTTP 500 (e.g. download 5, http://127.0.0.1:8080/page/5)`.
    public var lines: [String] {
        byCount.map { group in
            "\(group.count) × \(group.error) (e.g. \(group.exampleName)" +
                (group.exampleURL.map { ", \($0)" } ?? "") + ")"
        } + (otherCount > 0 ? ["\(otherCount) × other messages (more than \(Self.maxGroups) distinct)"] : [])
    }

    /// The groups as a report section (`failed_tasks` in JSON: `[{"error", "count", "example", "example_task",
    /// "example_url"}]`), most frequent first.
    public var section: ReportSection {
        let columns = [ReportColumn(["count"], "count"), ReportColumn(["error"], "error"),
                       ReportColumn(["example"], "example task"), ReportColumn(["example_task"], "task id"),
                       ReportColumn(["example_url"], "url")]
        var rows = byCount.map { group in
            ReportRow(path: [], label: group.error, cells: [
                .integer(Int64(group.count)), .text(group.error), .text(group.exampleName),
                .integer(group.exampleTask), group.exampleURL.map { .text($0) } ?? .missing,
            ])
        }
        if otherCount > 0 {
            rows.append(ReportRow(path: [], label: "other", cells: [
                .integer(Int64(otherCount)), .text("other messages (more than \(Self.maxGroups) distinct)"),
                .missing, .missing, .missing,
            ]))
        }
        return ReportSection(title: "failed tasks, by error", path: ["failed_tasks"], layout: .records(columns),
                             rows: rows)
    }

    /// Streams the trace at `path` and collects its failed tasks (up to a cut, when it is cut short).
    /// - Throws: `TraceAnalysisError.unreadable` when the file cannot be opened or is not a trace.
    public static func read(path: String) throws(TraceAnalysisError) -> FailedTasks {
        var failures = FailedTasks()
        do {
            let reader = try ChromeTraceReader(path: path)
            while let event = try reader.next() { failures.consume(event) }
        } catch {
            throw .unreadable(path: path, error)
        }
        return failures
    }
}
