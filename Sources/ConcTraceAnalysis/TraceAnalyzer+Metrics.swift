import ConcTraceFormat
import ConcTraceReader

/// Metric values and, for the ones that cannot be computed, the reason.
struct MetricSheet {
    var values: [Metric: Double] = [:]
    var unavailable: [Metric: String] = [:]

    /// Sets `metric` to `value`, or records `reason` when the value is nil (or not finite).
    mutating func set(_ metric: Metric, _ value: Double?, else reason: @autoclosure () -> String) {
        if let value, value.isFinite {
            values[metric] = value
        } else {
            unavailable[metric] = value == nil ? reason() : "not a finite number (\(reason()))"
        }
    }

    /// Sets a metric per percentile of `histogram` (ns, shown in `scale` ns per unit) and its mean.
    mutating func set(_ histogram: DurationHistogram, scale: Double, percentiles: [(Metric, Double)],
                      mean: Metric?, max: Metric? = nil, else reason: @autoclosure () -> String) {
        for (metric, percentile) in percentiles {
            set(metric, histogram.percentile(percentile).map { Double($0) / scale }, else: reason())
        }
        if let mean { set(mean, histogram.mean.map { $0 / scale }, else: reason()) }
        if let max { set(max, histogram.count > 0 ? Double(histogram.maximum) / scale : nil, else: reason()) }
    }
}

private let nanosecondsPerSecond = 1e9
private let nanosecondsPerMillisecond = 1e6
private let nanosecondsPerMicrosecond = 1e3

extension TraceAnalyzer {
    /// The metrics of the events consumed so far.
    /// - Parameters:
    ///   - path: the trace's file, for the report.
    ///   - isTruncated: the file stopped before the trace was closed.
    ///   - bytes: the bytes read.
    public func finish(path: String, isTruncated: Bool = false, bytes: Int = 0) -> TraceAnalysis {
        var analyzer = self
        analyzer.drainBeginEnds()
        return analyzer.metrics(path: path, isTruncated: isTruncated, bytes: bytes)
    }

    private func metrics(path: String, isTruncated: Bool, bytes: Int) -> TraceAnalysis {
        var sheet = MetricSheet()
        let isConctrace = runMetadata != nil

        // Threads and the active span.
        let activeThreads = threads.filter { $0.slices > 0 }
        let spanStart = threads.reduce(Int64.max) { min($0, $1.firstStart) }
        let spanEnd = threads.reduce(Int64.min) { max($0, $1.lastEnd) }
        let span: Int64? = spanStart <= spanEnd ? spanEnd - spanStart : nil
        let noSlices = "no thread slices (X events, or B/E pairs)"
        sheet.set(.span, span.map { Double($0) / nanosecondsPerSecond }, else: noSlices)
        let workerTime: Double? = if let span, span > 0 { Double(span) * Double(activeThreads.count) } else { nil }
        let noWorkerTime = span == nil ? noSlices : "the active span is 0"

        // Tasks.
        let ended = tasks.ended
        let noTasks = isTruncated
            ? "no task ended before the cut (task metrics come from task life spans: b/e with cat \"task\" and args.task)"
            : "no task life spans (b/e with cat \"task\" and args.task, which conctrace writes when a task ends)"
        let wall: Int64? = ended > 0 ? tasks.endedTimes.max()! - tasks.createdTimes.min()! : nil
        let wallSeconds: Double? = wall.flatMap { $0 > 0 ? Double($0) / nanosecondsPerSecond : nil }
        let noWall = ended == 0 ? noTasks : "the wall time is 0"
        sheet.set(.wall, wall.map { Double($0) / nanosecondsPerSecond }, else: noTasks)
        sheet.set(.tasksDone, ended > 0 ? Double(tasks.done) : nil, else: noTasks)
        sheet.set(.tasksFailed, ended > 0 ? Double(tasks.failed) : nil, else: noTasks)
        sheet.set(.tasksCancelled, ended > 0 ? Double(tasks.cancelled) : nil, else: noTasks)
        sheet.set(.throughputTasks, wallSeconds.map { Double(tasks.done) / $0 }, else: noWall)
        sheet.set(.throughputBytes, tasks.tasksWithBytes > 0 ? wallSeconds.map { tasks.bytes / $0 } : nil,
                  else: tasks.tasksWithBytes == 0
                      ? "no task life span has args.bytes (the download workload records them)" : noWall)
        sheet.set(tasks.latency, scale: nanosecondsPerMillisecond,
                  percentiles: [(.latencyP50, 50), (.latencyP90, 90), (.latencyP99, 99)],
                  mean: .latencyMean, max: .latencyMax, else: noTasks)
        sheet.set(tasks.schedulingDelay, scale: nanosecondsPerMicrosecond,
                  percentiles: [(.schedulingDelayP50, 50), (.schedulingDelayP99, 99)], mean: .schedulingDelayMean,
                  else: "no running slice (X with cat \"running\" and args.task) starts where a ready span of its task ends")
        let stateTimes = tasks.stateTimes()
        sheet.set(stateTimes.running, scale: nanosecondsPerMillisecond,
                  percentiles: [(.runningTimeP50, 50), (.runningTimeP99, 99)], mean: .runningTimeMean, else: noTasks)
        sheet.set(stateTimes.ready, scale: nanosecondsPerMillisecond,
                  percentiles: [(.readyTimeP50, 50), (.readyTimeP99, 99)], mean: .readyTimeMean, else: noTasks)
        sheet.set(stateTimes.waiting, scale: nanosecondsPerMillisecond,
                  percentiles: [(.waitingTimeP50, 50), (.waitingTimeP99, 99)], mean: .waitingTimeMean, else: noTasks)

        // Switches and dispatch overhead.
        let taskSlices = threads.reduce(0) { $0 + $1.taskSlices }
        let noTaskSlices = "no running slices of tasks (X with cat \"running\" and args.task)"
        let switches = threads.reduce(0) { $0 + max(0, $1.taskSlices - 1) }
        sheet.set(.switches, taskSlices > 0 ? Double(switches) : nil, else: noTaskSlices)
        sheet.set(.switchesPerTask, taskSlices > 0 && ended > 0 ? Double(switches) / Double(ended) : nil,
                  else: taskSlices == 0 ? noTaskSlices : noTasks)
        let sampled = threads.compactMap { thread in thread.firstSwitches.flatMap { first in thread.lastSwitches.map { (first, $0) } } }
        let noOSSwitches = "no \"os switches (<worker>)\" counters"
        // Differences in Double: counters from a hostile file may span the whole Int64 range.
        sheet.set(.osVoluntarySwitches,
                  sampled.isEmpty ? nil : sampled.reduce(0.0) { $0 + Double($1.1.voluntary) - Double($1.0.voluntary) },
                  else: noOSSwitches)
        sheet.set(.osInvoluntarySwitches,
                  sampled.isEmpty ? nil : sampled.reduce(0.0) { $0 + Double($1.1.involuntary) - Double($1.0.involuntary) },
                  else: noOSSwitches)
        setDispatch(&sheet, taskSlices: taskSlices, noTaskSlices: noTaskSlices, workerTime: workerTime,
                    noWorkerTime: noWorkerTime)

        setConcurrency(&sheet, isConctrace: isConctrace, wall: wall, noTasks: noTasks)

        setRecorder(&sheet, workerTime: workerTime, noWorkerTime: noWorkerTime)

        // Async tracks.
        var lifetimes = DurationHistogram()
        for track in tracks.values where track.first <= track.last { lifetimes.record(track.last - track.first) }
        tasks.trackLifetimes(into: &lifetimes)
        let noTracks = "no async track has both a b and an e event"
        sheet.set(.asyncTracks, lifetimes.count > 0 ? Double(lifetimes.count) : nil, else: noTracks)
        sheet.set(lifetimes, scale: nanosecondsPerMillisecond,
                  percentiles: [(.asyncLifetimeP50, 50), (.asyncLifetimeP90, 90), (.asyncLifetimeP99, 99)],
                  mean: .asyncLifetimeMean, max: .asyncLifetimeMax, else: noTracks)

        let unmatched = asyncSpans.unmatchedEnds + asyncSpans.unclosed
            + threads.reduce(0) { $0 + $1.pairing.unmatchedEnds + $1.pairing.openBegins }
        let refusedBegins = threads.reduce(0) { $0 + $1.pairing.refusedBegins + $1.pairing.invertedPairs }
            + flows.refused
        let source = TraceSource(
            path: path, format: isConctrace ? .conctrace : .foreign, isTruncated: isTruncated, bytes: bytes,
            events: events, unknownPhaseEvents: unknownPhaseEvents,
            invalidEvents: invalidEvents + limitedEvents + refusedBegins,
            unmatchedEvents: unmatched)
        return TraceAnalysis(
            source: source, run: orderedRunMetadata(), values: sheet.values, unavailable: sheet.unavailable,
            workers: workerSummaries(span: span, hasTaskSlices: taskSlices > 0), flows: flowSummaries(),
            recorderProcesses: recorderProcesses(),
            notes: notes(source: source),
            latencyPercentiles: tasks.latency.distribution(at: TraceAnalysis.latencyCDFPercentiles)
                .map { ($0.percentile, Double($0.nanoseconds) / nanosecondsPerMillisecond) })
    }

    // MARK: Parts

    private func setDispatch(_ sheet: inout MetricSheet, taskSlices: Int, noTaskSlices: String, workerTime: Double?,
                             noWorkerTime: String) {
        let unordered = threads.reduce(0) { $0 + $1.unorderedTaskSlices }
        let reason: String? = if taskSlices == 0 {
            noTaskSlices
        } else if unordered > 0 {
            "\(unordered) running slice(s) start before the previous slice of their worker in the file; dispatch "
                + "gaps need each worker's slices in time order, as conctrace writes them"
        } else if tasks.schedulingDelay.count == 0 {
            "no running slice starts where a ready span of its task ends"
        } else {
            nil
        }
        let gaps = tasks.dispatchGaps
        let noGaps = reason ?? "no slice's task was ready when its worker's previous slice ended"
        sheet.set(.dispatchMean, reason == nil ? gaps.mean.map { $0 / nanosecondsPerMicrosecond } : nil, else: noGaps)
        sheet.set(.dispatchP99, reason == nil ? gaps.percentile(99).map { Double($0) / nanosecondsPerMicrosecond } : nil,
                  else: noGaps)
        sheet.set(.dispatchShare, reason == nil ? workerTime.map { gaps.total / $0 } : nil,
                  else: reason ?? noWorkerTime)
    }

    /// The most tasks in flight at once, exactly, from the task spans; the mean from the `tasks` counters when the
    /// trace has them (the Little's-law ratio then checks the counter against the task spans), else from the spans.
    private func setConcurrency(_ sheet: inout MetricSheet, isConctrace: Bool, wall: Int64?, noTasks: String) {
        let series = inFlight.filter { $0.value.samples > 0 }
        guard let wall, tasks.ended > 0 else {
            for metric in [Metric.concurrencyMax, .concurrencyMean, .littlesLawRatio] {
                sheet.set(metric, nil, else: noTasks)
            }
            return
        }
        let noWall = "the wall time is 0"
        sheet.set(.concurrencyMax, tasks.maximumInFlight().map(Double.init), else: noTasks)
        guard !series.isEmpty else {
            sheet.set(.concurrencyMean, wall > 0 ? tasks.latency.total / Double(wall) : nil, else: noWall)
            sheet.set(.littlesLawRatio, nil,
                      else: "needs the \"tasks\" counter (in_flight): from task spans alone the ratio is 1 by construction")
            return
        }
        // The counters count the roots (which are not run tasks) while they live; a cut trace may lack the root's
        // life span: then one root is taken to live through the whole series, as conctrace's root does.
        let assumeRoot = tasks.roots.isEmpty && isConctrace
        func rootTime(pid: Int64, from start: Int64, to end: Int64) -> Double {
            if assumeRoot { return Double(end - start) }
            return tasks.roots.filter { $0.pid == pid }.reduce(0.0) {
                $0 + Double(max(0, min($1.ended, end) - max($1.created, start)))
            }
        }
        let unordered = series.reduce(0) { $0 + $1.value.unordered }
        guard unordered == 0 else {
            let reason = "\(unordered) \"tasks\" counter sample(s) are older than the sample before them in the file"
            sheet.set(.concurrencyMean, nil, else: reason)
            sheet.set(.littlesLawRatio, nil, else: reason)
            return
        }
        let area = series.reduce(0.0) { $0 + $1.value.area - rootTime(pid: $1.key, from: $1.value.first, to: $1.value.last) }
        let mean: Double? = wall > 0 ? area / Double(wall) : nil
        sheet.set(.concurrencyMean, mean, else: noWall)
        // mean in flight / (ended/wall × mean latency) = mean in flight × wall / total latency.
        let totalLatency = tasks.latency.total
        sheet.set(.littlesLawRatio, totalLatency > 0 ? mean.map { $0 * Double(wall) / totalLatency } : nil,
                  else: wall > 0 ? "the mean latency is 0" : noWall)
    }

    private func workerSummaries(span: Int64?, hasTaskSlices: Bool) -> [WorkerSummary] {
        let keys = Set(threadIndex.keys).union(threadNames.keys).sorted { ($0.pid, $0.tid) < ($1.pid, $1.tid) }
        return keys.map { key in
            let thread = threadIndex[key].map { threads[$0] } ?? ThreadActivity(pid: key.pid, tid: key.tid)
            let durations = thread.durations
            let slicePercentiles = durations.count == 0 ? nil : WorkerSummary.SlicePercentiles(
                p50: Double(durations.percentile(50)!) / nanosecondsPerMicrosecond,
                p90: Double(durations.percentile(90)!) / nanosecondsPerMicrosecond,
                p99: Double(durations.percentile(99)!) / nanosecondsPerMicrosecond,
                max: Double(durations.maximum) / nanosecondsPerMicrosecond)
            return WorkerSummary(
                pid: key.pid, tid: key.tid, name: threadNames[key] ?? processNames[key.pid],
                busySeconds: thread.busy / nanosecondsPerSecond, slices: thread.slices,
                utilization: span.flatMap { $0 > 0 ? thread.busy / Double($0) : nil },
                switches: hasTaskSlices ? max(0, thread.taskSlices - 1) : nil,
                sliceMicroseconds: slicePercentiles)
        }
    }

    /// The flow counts per category: conctrace's `spawn`, `wake` and `dispatch` first, then the others by name.
    private func flowSummaries() -> [FlowSummary] {
        let known = ["spawn", "wake", "dispatch"]
        return flows.finish()
            .map { FlowSummary(category: $0.category, arrows: $0.counts.arrows, bound: $0.counts.bound,
                               startUnbound: $0.counts.startUnbound, endUnbound: $0.counts.endUnbound,
                               unpaired: $0.counts.unpaired) }
            .sorted { (known.firstIndex(of: $0.category) ?? known.count, $0.category)
                < (known.firstIndex(of: $1.category) ?? known.count, $1.category) }
    }

    /// The documented `conctrace.run` keys first, in the documented order, then any others by name.
    private func orderedRunMetadata() -> [(key: String, value: TraceValue)]? {
        guard let runMetadata else { return nil }
        let documented = ["tool", "version", "workload", "strategy", "tasks", "workers", "base", "steps", "sleep_ms",
                          "host", "cores", "pid", "clock", "start_monotonic_ns", "start_unix_ns", "ns_per_event",
                          "command"]
        let known = documented.compactMap { key in runMetadata[key].map { (key: key, value: $0) } }
        let others = runMetadata.filter { !documented.contains($0.key) }.sorted { $0.key < $1.key }
            .map { (key: $0.key, value: $0.value) }
        return known + others
    }
}
