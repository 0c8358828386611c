/// The recorder's figures of a trace: every process's `conctrace.stats` or `conctrace.worker_stats`, summed.
extension TraceAnalyzer {
    /// The recorder's figures, summed over the run's process and, in a processes trace, every worker process (each
    /// records its own events with its own calibrated cost).
    func setRecorder(_ sheet: inout MetricSheet, workerTime: Double?, noWorkerTime: String) {
        let noStats = "no conctrace.stats event (not a conctrace trace, or cut before its first checkpoint)"
        let hasStats = recorders.parent != nil || !recorders.workers.isEmpty
        let runCost = runMetadata?["ns_per_event"]?.doubleValue
        let events = recorders.total(\.events)
        sheet.set(.recorderEvents, events, else: hasStats ? "conctrace.stats has no events count" : noStats)
        sheet.set(.recorderDropped, recorders.total(\.dropped),
                  else: hasStats ? "conctrace.stats has no dropped count" : noStats)
        sheet.set(.recorderNsPerEvent, recorders.parent?.nsPerEvent ?? runCost,
                  else: "neither conctrace.stats nor conctrace.run has ns_per_event")
        // Each process's events at its own cost per event (the run's calibration when a process has none).
        let costs = recorders.processes.compactMap { process in
            process.stats.events.map { (events: Double($0), cost: process.stats.nsPerEvent ?? runCost) }
        }
        if costs.isEmpty {
            sheet.set(.recorderShare, nil, else: hasStats ? "conctrace.stats has no events count" : noStats)
        } else if costs.contains(where: { $0.cost == nil }) {
            sheet.set(.recorderShare, nil, else: "no ns_per_event")
        } else if let workerTime {
            sheet.set(.recorderShare, costs.reduce(0.0) { $0 + $1.events * $1.cost! } / workerTime,
                      else: "events × ns_per_event overflows")
        } else {
            sheet.set(.recorderShare, nil, else: noWorkerTime)
        }
    }

    /// Each process's recorder figures, for a processes trace (empty for a trace of one process).
    func recorderProcesses() -> [RecorderProcess] {
        guard !recorders.workers.isEmpty else { return [] }
        return recorders.processes.map { process in
            RecorderProcess(pid: process.pid, name: processNames[process.pid], events: process.stats.events,
                            dropped: process.stats.dropped, lost: process.stats.lost,
                            nsPerEvent: process.stats.nsPerEvent, isFinal: process.stats.isFinal)
        }
    }

    /// " in conctrace worker 1: 3": which processes a figure came from, when the trace has several.
    func byProcess(_ figure: (RecordingStats) -> Int64?) -> String {
        guard !recorders.workers.isEmpty else { return "" }
        let parts = recorders.processes.compactMap { process -> String? in
            guard let value = figure(process.stats), value > 0 else { return nil }
            return "\(processNames[process.pid] ?? "pid \(process.pid)"): \(value)"
        }
        return " (" + parts.joined(separator: ", ") + ")"
    }
}
