extension TutorialRule {
    /// The classification with its figures, the rule's recommendation for the branch, and whether the measurement
    /// agrees: a few sentences, each saying which figure it rests on.
    public func text(winners: [String]) -> String {
        ([classification, recommendationSentence, agreementSentence(winners: winners)].compactMap { $0 })
            .joined(separator: " ")
    }

    /// How the trace placed the run; nil when classified by name.
    var classification: String? {
        guard let profile else { return nil }
        let figures = profile.figures
        let from = figures.strategy.map { ", in the \($0) run" } ?? ""
        let running = MeasurementText.seconds(figures.runningMillisecondsPerTask / 1000)
        let waiting = MeasurementText.seconds(figures.waitingMillisecondsPerTask / 1000)
        var sentences: [String] = []
        switch profile.kind {
        case .cpuBound:
            sentences.append("The trace makes this CPU-bound: a task ran \(MeasurementText.percent(profile.runningShare)) " +
                             "of its time (\(running) running, \(waiting) waiting\(from)).")
        case .ioBound:
            sentences.append("The trace makes this I/O-bound: a task waited " +
                             "\(MeasurementText.percent(1 - profile.runningShare)) of its time (\(waiting) waiting, " +
                             "\(running) running\(from)).")
            if let speed = profile.ioSpeed, let cost = profile.switchCost, let switches = profile.switchesPerWait {
                let count = NumberFormat.fixed(switches, decimals: switches >= 10 ? 0 : 1)
                let limit = NumberFormat.fixed(WorkloadProfile.slowWaitFactor, decimals: 0)
                sentences.append(speed == .slow
                    ? "Slow I/O: a wait of \(waiting) is \(count) switches of \(cost.text); \(limit) or more is slow."
                    : "Fast I/O: a wait of \(waiting) is only \(count) switches of \(cost.text); \(limit) or more " +
                        "would be slow.")
            } else {
                sentences.append("Slow or fast I/O is not tested: no switch cost was measured.")
            }
            let tasks = figures.tasks, capacity = profile.workerCapacity
            sentences.append(profile.taskCount == .many
                ? "Many tasks: \(tasks), more than the \(capacity) threads the threads strategy has for them."
                : "Few tasks: \(tasks), within the \(capacity) threads the threads strategy has for them.")
        }
        return sentences.joined(separator: " ")
    }

    var recommendationSentence: String {
        switch branch {
        case .cpuBound:
            "The tutorial's rule for CPU-bound work: processes (\"Use multiprocessing\")" +
                (basis == .workloadName ? ", here by the workload's name: no trace figures tested it." : ".")
        case .slowIOManyTasks:
            "The tutorial's rule for slow I/O and many tasks: an event loop, eventloop (\"Use Asyncio\")."
        case .fastIOFewTasks:
            "The tutorial's rule for fast I/O and few tasks: threads (\"Use multithreading\")."
        case .slowIOFewTasks:
            "The tutorial's pseudo-code says an event loop for slow I/O (\"Use Asyncio\"), but its bullets pair " +
                "slow I/O with many tasks: with few, every task can wait on a thread of its own, so threads may do " +
                "as well."
        case .fastIOManyTasks:
            "The tutorial's pseudo-code says threads for fast I/O (\"Use multithreading\"), but its bullets pair " +
                "fast I/O with few tasks: with more tasks than threads, tasks queue for a thread, and an event " +
                "loop may do better."
        case .ioSpeedUnknown:
            "The tutorial's rule for I/O-bound work: an event loop when the I/O is slow and the tasks many; " +
                "threads when the I/O is fast and the tasks few." +
                (basis == .workloadName
                    ? " Not tested here: slow vs fast I/O and many vs few tasks need the runs' trace figures."
                    : "")
        }
    }

    func agreementSentence(winners: [String]) -> String? {
        guard let recommendation else { return nil }
        switch agreement {
        case .agrees:
            return "The measurement agrees: \(recommendation) is the clear winner."
        case .ties:
            return "The measurement ties: \(recommendation) is among the winners " +
                "(\(MeasurementText.list(winners))), as good as the others here and no better."
        case .disagrees:
            let won = winners.count == 1 ? "\(winners[0]) won" : "\(MeasurementText.list(winners)) tie for the win"
            return "The measurement disagrees: \(won); \(disagreement ?? "\(recommendation) is not among them")."
        case .notMeasured:
            return "\(recommendation) was not measured, so the rule is not checked."
        case .noVerdict:
            return "No strategy finished its runs, so the rule is not checked."
        case .untested:
            return nil
        }
    }
}
