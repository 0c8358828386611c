import ConcTraceFormat

extension StrategyAdvice {
    /// The advice as one JSON object (docs/metrics.md, "Verdicts and spread"): `workload`, `cores`, `verdict`
    /// (winners, decision, the test, its results per pair), `strategies` (runs and each figure's median, 95 %
    /// interval, min, max, mean, standard deviation, outliers), `rule`, `swift_note`, `warnings`, `repetition`.
    /// Raw numbers in the measured units (s, bytes, ms); `null` for what is missing.
    public func jsonText() -> String {
        var object = JSONObjectText()
        object.add("workload", workload)
        object.add("cores", cores)
        object.add("verdict", json: verdictJSON)
        object.add("strategies", json: AdviceJSON.array(strategies.map(strategyJSON)))
        object.add("rule", json: ruleJSON)
        object.add("swift_note", swiftNote)
        object.add("warnings", json: AdviceJSON.array(warnings.map(AdviceJSON.warning)))
        if let stopReason {
            var repetition = JSONObjectText()
            repetition.add("stopped", stopReason.code)
            repetition.add("text", stopReason.text)
            object.add("repetition", json: repetition.text)
        } else {
            object.add("repetition", json: "null")
        }
        return object.text
    }

    private var verdictJSON: String {
        var object = JSONObjectText()
        object.add("winners", json: AdviceJSON.array(verdict.winners.map(JSONObjectText.quoted)))
        object.add("decision", verdict.decision.code)
        object.add("decided_by", verdict.decision.decidedBy?.rawValue)
        object.add("text", headline)
        object.add("test", "mann-whitney-u")
        object.add("alpha", verdict.criteria.alpha)
        object.add("threshold", verdict.criteria.practicalThreshold)
        let tests = verdict.stages.flatMap(\.tests).map(AdviceJSON.pairTest)
        object.add("comparisons", json: AdviceJSON.array(tests))
        let excluded = verdict.excluded.map { exclusion in
            var entry = JSONObjectText()
            entry.add("strategy", exclusion.strategy)
            entry.add("reason", exclusion.reason)
            return entry.text
        }
        object.add("excluded", json: AdviceJSON.array(excluded))
        return object.text
    }

    private func strategyJSON(_ summary: StrategySummary) -> String {
        var object = JSONObjectText()
        object.add("strategy", summary.strategy)
        object.add("runs", summary.samples.runs)
        object.add("failed_runs", summary.samples.failures.count)
        object.add("failures", json: AdviceJSON.array(summary.samples.failures.map(JSONObjectText.quoted)))
        for metric in VerdictMetric.allCases {
            object.add(metric.rawValue, json: summary.summary(metric).map(AdviceJSON.summary) ?? "null")
        }
        return object.text
    }

    private var ruleJSON: String {
        var object = JSONObjectText()
        object.add("basis", tutorialRule.basis.rawValue)
        object.add("branch", tutorialRule.branch.rawValue)
        object.add("recommends", tutorialRule.recommendation)
        object.add("agreement", tutorialRule.agreement.rawValue)
        let profile = tutorialRule.profile
        object.add("kind", profile?.kind.rawValue)
        object.add("running_share", json: SweepJSON.number(profile?.runningShare))
        object.add("running_ms_per_task", json: SweepJSON.number(profile?.figures.runningMillisecondsPerTask))
        object.add("waiting_ms_per_task", json: SweepJSON.number(profile?.figures.waitingMillisecondsPerTask))
        object.add("switch_cost_us", json: SweepJSON.number(profile?.switchCost?.microseconds))
        object.add("switch_cost_source", profile?.switchCost.map(AdviceJSON.source))
        object.add("switches_per_wait", json: SweepJSON.number(profile?.switchesPerWait))
        object.add("io_speed", profile?.ioSpeed?.rawValue)
        object.add("tasks", json: profile.map { String($0.figures.tasks) } ?? "null")
        object.add("worker_capacity", json: profile.map { String($0.workerCapacity) } ?? "null")
        object.add("task_count", profile?.taskCount.rawValue)
        object.add("text", rule)
        return object.text
    }
}

extension RepetitionPlan.StopReason {
    /// A stable name for JSON: `fixed_count`, `precise`, `maximum_runs`, `budget_spent`, `decided`,
    /// `no_strategy_left`, `interrupted`.
    public var code: String {
        switch self {
        case .fixedCountReached: "fixed_count"
        case .precise: "precise"
        case .maximumRuns: "maximum_runs"
        case .budgetSpent: "budget_spent"
        case .decided: "decided"
        case .noStrategyLeft: "no_strategy_left"
        case .interrupted: "interrupted"
        }
    }
}

/// JSON text of the advice's parts.
enum AdviceJSON {
    static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }

    /// `{"median":...,"ci95":[lo,hi],"ci_level":...,"min":...,"max":...,"mean":...,"sd":...,"n":...,"outliers":...}`;
    /// `ci95` and `ci_level` are null for one value, `ci_level` below 0.95 for fewer than 6.
    static func summary(_ summary: SampleSummary) -> String {
        var object = JSONObjectText()
        object.add("median", summary.median)
        object.add("ci95", json: summary.interval.map {
            "[" + SweepJSON.number($0.lower) + "," + SweepJSON.number($0.upper) + "]"
        } ?? "null")
        object.add("ci_level", json: SweepJSON.number(summary.interval?.confidence))
        object.add("min", summary.minimum)
        object.add("max", summary.maximum)
        object.add("mean", summary.mean)
        object.add("sd", json: SweepJSON.number(summary.standardDeviation))
        object.add("n", summary.count)
        object.add("outliers", summary.outliers.count)
        return object.text
    }

    static func pairTest(_ test: PairTest) -> String {
        var object = JSONObjectText()
        object.add("metric", test.metric.rawValue)
        object.add("reference", test.reference)
        object.add("other", test.other)
        object.add("reference_median", json: SweepJSON.number(test.referenceMedian))
        object.add("other_median", json: SweepJSON.number(test.otherMedian))
        object.add("difference", json: SweepJSON.number(test.relativeDifference))
        object.add("u", json: SweepJSON.number(test.test?.u))
        object.add("p", json: SweepJSON.number(test.test?.pValue))
        object.add("method", test.test?.method.rawValue)
        object.add("outcome", test.outcome.rawValue)
        return object.text
    }

    static func warning(_ warning: NoiseWarning) -> String {
        var object = JSONObjectText()
        object.add("code", warning.code)
        object.add("strategy", warning.strategy)
        object.add("text", warning.text)
        return object.text
    }

    static func source(_ cost: SwitchCost) -> String {
        switch cost.source {
        case .traceDispatchOverhead(let strategy): "trace dispatch overhead (\(strategy))"
        case .benchSwitch(let name, let recording): "bench switch (\(name), recording \(recording ? "on" : "off"))"
        }
    }
}
