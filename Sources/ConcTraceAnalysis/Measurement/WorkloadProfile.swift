/// The figures of one measured run that place its workload in the tutorial's rule, from its trace
/// (docs/metrics.md): how long a task ran and waited, and how many tasks there were.
public struct WorkloadFigures: Sendable, Equatable {
    /// The strategy of the run they come from (nil when the trace does not say).
    public var strategy: String?
    /// `task_time_ms.running.mean`: time a task spent running, ms.
    public var runningMillisecondsPerTask: Double
    /// `task_time_ms.waiting.mean`: time a task spent waiting (for I/O, a sleep, a lock), ms.
    public var waitingMillisecondsPerTask: Double
    /// The tasks that ended (`tasks.done` + `tasks.failed` + `tasks.cancelled`).
    public var tasks: Int

    /// Makes figures.
    public init(strategy: String?, runningMillisecondsPerTask: Double, waitingMillisecondsPerTask: Double, tasks: Int) {
        self.strategy = strategy
        self.runningMillisecondsPerTask = runningMillisecondsPerTask
        self.waitingMillisecondsPerTask = waitingMillisecondsPerTask
        self.tasks = tasks
    }

    /// The figures of an analyzed trace; nil when it lacks the time per task or the task counts (a foreign trace,
    /// or one without ended tasks).
    public init?(analysis: TraceAnalysis) {
        guard let running = analysis[.runningTimeMean], let waiting = analysis[.waitingTimeMean],
              let done = analysis[.tasksDone] else { return nil }
        let ended = done + (analysis[.tasksFailed] ?? 0) + (analysis[.tasksCancelled] ?? 0)
        self.init(strategy: analysis.run("strategy")?.stringValue, runningMillisecondsPerTask: running,
                  waitingMillisecondsPerTask: waiting, tasks: Int(ended))
    }
}

/// What one switch between tasks costs, and which of conctrace's two measurements of it the figure is.
public struct SwitchCost: Sendable, Equatable {
    /// Where the figure comes from (docs/metrics.md explains how the two differ).
    public enum Source: Sendable, Equatable {
        /// `dispatch_overhead_us.mean` of this strategy's traced run: the gap on a worker from one running slice's
        /// end to the next ready task's start.
        case traceDispatchOverhead(strategy: String)
        /// `conctrace bench switch`: a hand-off between two tasks in a tight loop, for this case, with or without
        /// recording.
        case benchSwitch(case: String, recording: Bool)
    }

    public var microseconds: Double
    public var source: Source

    /// Makes a switch cost.
    public init(microseconds: Double, source: Source) {
        self.microseconds = microseconds
        self.source = source
    }

    /// The switch cost measured in a set of traced runs of one workload: the threads run's dispatch overhead
    /// (a switch between OS threads, the cost the tutorial's rule weighs), else the largest any other run measured
    /// (so that a wait called slow dwarfs even the dearest switch seen); nil when no run measured one (e.g. threads
    /// with a thread per task never switch, and an event loop may not either).
    public static func measured(in analyses: [TraceAnalysis]) -> SwitchCost? {
        let costs = analyses.compactMap { analysis -> SwitchCost? in
            guard let cost = analysis[.dispatchMean], cost > 0, let strategy = analysis.run("strategy")?.stringValue
            else { return nil }
            return SwitchCost(microseconds: cost, source: .traceDispatchOverhead(strategy: strategy))
        }
        return costs.first { $0.source == .traceDispatchOverhead(strategy: "threads") }
            ?? costs.max { $0.microseconds < $1.microseconds }
    }

    /// e.g. `4.90 µs per switch (dispatch overhead in the threads run's trace)`.
    public var text: String {
        let origin = switch source {
        case .traceDispatchOverhead(let strategy): "dispatch overhead in the \(strategy) run's trace"
        case .benchSwitch(let name, let recording): "conctrace bench switch, \(name), recording \(recording ? "on" : "off")"
        }
        return MeasurementText.seconds(microseconds / 1e6) + " per switch (" + origin + ")"
    }
}

/// A measured workload classified as the tutorial's rule asks, from its trace rather than its name.
///
/// - **CPU-bound or I/O-bound**: the share of a task's time spent running, of running + waiting (time ready to run
///   but queued is the strategy's doing, not the workload's, and is left out). At or above `cpuBoundShare` (½) it is
///   CPU-bound.
/// - **Slow or fast I/O** (I/O-bound only): the mean wait per task against the cost of one switch. A wait of at
///   least `slowWaitFactor` (100) switches is slow: switching costs at most 1 % of it, so how cheaply a strategy
///   switches hardly matters, and what matters is how many waits it can hold at once. Below, it is fast I/O.
///   Without a switch cost the speed is unknown.
/// - **Many or few tasks**: more tasks than the worker capacity (the threads the threads strategy runs them on) is
///   many: not every task can wait on its own thread at once.
public struct WorkloadProfile: Sendable, Equatable {
    /// CPU-bound or I/O-bound.
    public enum Kind: String, Sendable {
        case cpuBound = "cpu_bound"
        case ioBound = "io_bound"
    }

    /// Slow or fast I/O.
    public enum IOSpeed: String, Sendable {
        case slow, fast
    }

    /// Many or few tasks, against the worker capacity.
    public enum TaskCount: String, Sendable {
        case many, few
    }

    /// The running share at or above which a workload is CPU-bound.
    public static let cpuBoundShare = 0.5
    /// Waits of at least this many switch costs are slow I/O.
    public static let slowWaitFactor = 100.0

    public let figures: WorkloadFigures
    /// running / (running + waiting), per task on average.
    public let runningShare: Double
    public let kind: Kind
    /// The switch cost the waits were compared with; nil when none was measured.
    public let switchCost: SwitchCost?
    /// Mean wait per task / switch cost; nil without a switch cost.
    public let switchesPerWait: Double?
    /// Slow or fast; nil for CPU-bound work and when no switch cost was measured.
    public let ioSpeed: IOSpeed?
    /// The threads the threads strategy has for these tasks.
    public let workerCapacity: Int
    public let taskCount: TaskCount

    /// Classifies `figures`; nil when the tasks neither ran nor waited (no time to share).
    /// - Parameter workerCapacity: the threads strategy's pool size for this run (its trace's `workers`, or
    ///   `min(tasks, 64)`, its default).
    public init?(figures: WorkloadFigures, switchCost: SwitchCost?, workerCapacity: Int) {
        let busy = figures.runningMillisecondsPerTask + figures.waitingMillisecondsPerTask
        guard busy > 0, busy.isFinite else { return nil }
        self.figures = figures
        runningShare = figures.runningMillisecondsPerTask / busy
        kind = runningShare >= Self.cpuBoundShare ? .cpuBound : .ioBound
        self.switchCost = switchCost
        if let switchCost, switchCost.microseconds > 0 {
            let ratio = figures.waitingMillisecondsPerTask * 1000 / switchCost.microseconds
            switchesPerWait = ratio
            ioSpeed = kind == .cpuBound ? nil : (ratio >= Self.slowWaitFactor ? .slow : .fast)
        } else {
            switchesPerWait = nil
            ioSpeed = nil
        }
        self.workerCapacity = workerCapacity
        taskCount = figures.tasks > workerCapacity ? .many : .few
    }
}
