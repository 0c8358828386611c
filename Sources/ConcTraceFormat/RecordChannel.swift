/// How `conctrace record` and the tracing runtime it preloads into a program talk: environment variables one way,
/// status lines on an inherited pipe the other, and the recording itself in an event log (`EventLog`, the compact
/// binary form) on an inherited file, which `record` turns into the trace once the program has ended.
///
/// ```
///   conctrace record ── environment ──▶ program (LD_PRELOAD: the preload library)
///        ▲    ▲                            │ constructor: takes and clears these variables, installs the hooks
///        │    │                            │ first task: loads the tracing runtime, which records into the log
///        │    └──── event log (file) ──────┤
///        └──────── status lines ───────────┘ untraceable | error <message> | tracing <pid> <ns/event> | final ...
/// ```
///
/// The preload library (C, `Sources/CConcTracePreload`) spells the variable names and its own lines itself; this
/// type is the Swift side's, and the record tests check the two agree.
public enum RecordChannel {
    /// The variables `record` sets for the program. The preload library removes them (and itself from
    /// `LD_PRELOAD`) before the program's `main`, so processes the program starts are not traced.
    public enum Variable: String, Sendable, CaseIterable {
        /// The preload library's path (so it can take itself out of `LD_PRELOAD`).
        case preload = "CONCTRACE_RECORD_PRELOAD"
        /// The tracing runtime's path (a shared library the preload library loads).
        case runtime = "CONCTRACE_RECORD_RUNTIME"
        /// The descriptor of the event log file the program records into.
        case eventLog = "CONCTRACE_RECORD_EVENT_LOG_FD"
        /// The write end of the status pipe.
        case statusDescriptor = "CONCTRACE_RECORD_STATUS_FD"
        /// Pool threads (a positive number).
        case workers = "CONCTRACE_RECORD_WORKERS"
    }

    /// One line the program's side writes.
    public enum Status: Sendable, Equatable {
        /// The process has no Swift concurrency runtime to hook (the preload library's own line).
        case untraceable
        /// Tracing could not start or failed: why (the program runs on, untraced).
        case error(String)
        /// Tracing started in process `pid`, whose recorder costs `nsPerEvent` per event (calibrated there).
        case tracing(pid: Int32, nsPerEvent: Double)
        /// Tracing ended: tasks met, tasks whose end was seen, events recorded and dropped, and why it ended
        /// (`exit`, or `signal N`).
        case final(tasks: Int, ended: Int, events: Int, dropped: Int, reason: String)

        /// The line, with its newline.
        public var line: String {
            switch self {
            case .untraceable: "untraceable\n"
            case .error(let message): "error \(message.split(separator: "\n").joined(separator: " "))\n"
            case .tracing(let pid, let nsPerEvent): "tracing \(pid) \(nsPerEvent)\n"
            case .final(let tasks, let ended, let events, let dropped, let reason):
                "final tasks=\(tasks) ended=\(ended) events=\(events) dropped=\(dropped) reason=\(reason)\n"
            }
        }

        /// Reads a line back (without its newline); nil for anything else.
        public init?(line: String) {
            let (word, rest) = line.firstIndex(of: " ").map { (line[..<$0], line[line.index(after: $0)...]) }
                ?? (line[...], "")
            switch word {
            case "untraceable": self = .untraceable
            case "error": self = .error(String(rest))
            case "tracing":
                let fields = rest.split(separator: " ")
                guard let pid = fields.first.flatMap({ Int32($0) }) else { return nil }
                self = .tracing(pid: pid, nsPerEvent: fields.dropFirst().first.flatMap { Double($0) } ?? 0)
            case "final":
                var fields: [Substring: Substring] = [:]
                for pair in rest.split(separator: " ") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    fields[pair[..<equals]] = pair[pair.index(after: equals)...]
                }
                guard let tasks = fields["tasks"].flatMap({ Int($0) }), let ended = fields["ended"].flatMap({ Int($0) }),
                      let events = fields["events"].flatMap({ Int($0) }),
                      let dropped = fields["dropped"].flatMap({ Int($0) })
                else { return nil }
                self = .final(tasks: tasks, ended: ended, events: events, dropped: dropped,
                              reason: fields["reason"].map(String.init) ?? "exit")
            default: return nil
            }
        }
    }
}
