/// The notes of an analysis: what a reader should know about the trace before trusting its numbers.
extension TraceAnalyzer {
    /// Warnings about the trace, one line each: cut short, unfinished, drops and losses, skipped events, estimates.
    func notes(source: TraceSource) -> [String] {
        var notes: [String] = []
        if source.isTruncated {
            notes.append("the trace is cut short (no closing bracket, or a half-written last event): "
                         + "analyzed the \(source.events) event(s) before the cut")
        } else if source.format == .conctrace, recorders.parent?.isFinal != true {
            notes.append("no final conctrace.stats: recording did not finish (the run was interrupted, or its "
                         + "writer failed)")
        }
        let unfinishedWorkers = recorders.workers.filter { !$0.value.isFinal }.keys.sorted()
        if !source.isTruncated, !unfinishedWorkers.isEmpty {
            notes.append("no final conctrace.worker_stats from " + unfinishedWorkers.map {
                processNames[$0] ?? "pid \($0)" }.joined(separator: ", ") + ": its recording did not finish")
        }
        let dropped = recorders.processes.reduce(Int64(0)) { $0.addingSaturated(max(0, $1.stats.dropped ?? 0)) }
        if dropped > 0 {
            notes.append("the recorder dropped \(dropped) event(s)\(byProcess(\.dropped)) (a worker's buffer was "
                         + "full): counts and times may miss them")
        }
        let lost = recorders.processes.reduce(Int64(0)) { $0.addingSaturated(max(0, $1.stats.lost ?? 0)) }
        if lost > 0 { notes.append("\(lost) recorded event(s) were never written\(byProcess(\.lost))") }
        if tasks.unfinished > 0 {
            notes.append("\(tasks.unfinished) task(s) with states or slices but no life span (in flight where the "
                         + "trace stops) are left out of the task metrics")
        }
        if source.unknownPhaseEvents > 0 {
            notes.append("skipped \(source.unknownPhaseEvents) event(s) with a missing or unknown phase")
        }
        if source.invalidEvents > 0 {
            notes.append("skipped \(source.invalidEvents) event(s) missing a field the analysis needs, "
                         + "or with a time out of range")
        }
        if source.unmatchedEvents > 0 {
            notes.append("\(source.unmatchedEvents) begin or end event(s) without their partner")
        }
        let late = threads.reduce(0) { $0 + $1.pairing.lateEvents }
        if late > 0 {
            notes.append("\(late) B/E event(s) came out of time order by more than the \(BeginEndPairing.window) "
                         + "events held per thread for pairing: paired where they came, so nesting there may differ "
                         + "from a full sort")
        }
        let refused = threads.reduce(0) { $0 + $1.pairing.refusedBegins } + flows.refused
        if limitedEvents + refused > 0 {
            notes.append("skipped \(limitedEvents + refused) event(s) past the memory limits (\(Self.maxThreads) threads, "
                         + "\(Self.maxOpenSlices) open B events per thread, \(Self.maxOpenAsyncSpans) open b events, "
                         + "\(FlowLedger.maxOpenFlows) open flow arrows)")
        }
        let estimated = threads.filter { $0.estimatedSlices > 0 }
        if !estimated.isEmpty {
            let slices = estimated.reduce(0) { $0 + $1.estimatedSlices }
            notes.append("busy time of \(estimated.count) thread(s) is approximate: \(slices) slice(s) came out of "
                         + "time order by more than the \(BusyUnion.maxRuns) separate busy runs kept per thread, and "
                         + "reached into runs already merged")
        }
        return notes
    }
}
