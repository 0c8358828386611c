/// What one `conctrace.stats` (or a worker's `conctrace.worker_stats`) says about recording.
struct RecordingStats {
    var timestamp: Int64
    var events: Int64?
    var dropped: Int64?
    var lost: Int64?
    var nsPerEvent: Double?
    var isFinal: Bool

    /// Whether `self` should replace `current`: the one marked final wins, else the latest by time.
    func supersedes(_ current: RecordingStats?) -> Bool {
        guard let current else { return true }
        if isFinal { return true }
        return !current.isFinal && timestamp >= current.timestamp
    }
}

/// The recorders of a trace: the run's own process (`conctrace.stats`) and, in a `--strategy processes` trace, each
/// worker process (`conctrace.worker_stats`, one series per pid). Each worker records its own events and drops, so
/// the trace's recording is their sum.
struct RecorderLedger {
    /// Worker processes tracked, at most (conctrace runs at most 1,024 worker processes).
    static let maxWorkers = 20_000

    /// The run's process: its `conctrace.stats`, and its pid.
    private(set) var parent: RecordingStats?
    private(set) var parentPid: Int64?
    /// Each worker process's `conctrace.worker_stats`.
    private(set) var workers: [Int64: RecordingStats] = [:]
    /// Worker statistics refused past `maxWorkers`.
    private(set) var refused = 0

    mutating func noteParent(_ stats: RecordingStats, pid: Int64) {
        guard stats.supersedes(parent) else { return }
        parent = stats
        parentPid = pid
    }

    mutating func noteWorker(_ stats: RecordingStats, pid: Int64) {
        guard workers[pid] != nil || workers.count < Self.maxWorkers else {
            refused += 1
            return
        }
        if stats.supersedes(workers[pid]) { workers[pid] = stats }
    }

    /// Every process's statistics: the parent first, then the workers by pid.
    var processes: [(pid: Int64, stats: RecordingStats)] {
        let parentEntry = parent.map { [(pid: parentPid ?? 0, stats: $0)] } ?? []
        return parentEntry + workers.sorted { $0.key < $1.key }.map { (pid: $0.key, stats: $0.value) }
    }

    /// The sum of one figure over the processes that have it (nil when none has it); a Double, which never
    /// overflows however large a hostile file's counts.
    func total(_ figure: (RecordingStats) -> Int64?) -> Double? {
        let values = processes.compactMap { figure($0.stats) }
        return values.isEmpty ? nil : values.reduce(0.0) { $0 + Double($1) }
    }
}
