/// The names a conctrace trace uses for its events, categories, counters and args: written by the writer, read by
/// the analyzer, defined here once (docs/trace-format.md explains each).
public enum TraceNames {
    // MARK: Process-level instants (`ph: i`, `s: p`)

    /// The run's metadata (`RunMetadata`), first after the process name.
    public static let run = "conctrace.run"
    /// Recording statistics: at checkpoints and last (`final: true`).
    public static let stats = "conctrace.stats"
    /// A worker process's own metadata, in a merged `processes` trace (its `conctrace.run`, renamed).
    public static let worker = "conctrace.worker"
    /// A worker process's own recording statistics, in a merged `processes` trace.
    public static let workerStats = "conctrace.worker_stats"

    // MARK: Categories

    /// Async tracks of tasks: a task's life span and its state spans.
    public static let taskCategory = "task"
    /// `X` slices that are running slices of tasks.
    public static let runningCategory = "running"
    /// Flow arrows from a task's creator to its first slice.
    public static let spawnCategory = "spawn"
    /// Flow arrows from the slice that made a task ready to the slice where it runs next.
    public static let wakeCategory = "wake"
    /// Flow arrows from the parent of `processes` to the worker slice that runs the task.
    public static let dispatchCategory = "dispatch"

    // MARK: State spans

    /// The state spans on a task's track.
    public static let readySpan = "ready"
    public static let runningSpan = "running"
    /// `waiting (<reason>)`.
    public static let waitingSpanPrefix = "waiting ("

    // MARK: Counters

    /// Tasks in flight and ready (`in_flight`, `ready`).
    public static let tasksCounter = "tasks"
    /// `os switches (<worker>)`: a worker thread's OS context switches so far.
    public static let osSwitchesCounterPrefix = "os switches ("
    /// `process (worker N)`: a worker process's getrusage at its end.
    public static let processCounterPrefix = "process (worker "

    // MARK: Flow ids

    /// The base of the `dispatch` flow ids (2^48 + task id); the converters' own flow ids are small counters.
    public static let dispatchFlowBase: UInt64 = 1 << 48
}
