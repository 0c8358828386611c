extension StrategyAdvice {
    /// The advice as text: the figures table, then `verdictText`.
    public var summaryText: String {
        (tableLines + ["", verdictText]).joined(separator: "\n")
    }

    /// The verdict sentence, each test, the rule, the Swift note, why the runs stopped, then the excluded
    /// strategies and warnings (`!`), a line each: the advice without its table (the demo prints its own).
    public var verdictText: String {
        var lines = [headline]
        lines += testLines.map { "  - " + $0 }
        lines.append("  - " + rule)
        if let swiftNote { lines.append("  - " + swiftNote) }
        if let stopReason { lines.append("  - Runs stopped: \(stopReason.text).") }
        lines += problems.map { "  ! " + $0 }
        return lines.joined(separator: "\n")
    }

    /// One row per strategy: runs, wall time median [95% CI] and min-max, peak memory and p99 latency with theirs.
    public var tableLines: [String] {
        let header = ["strategy", "runs", "wall median [95% CI]", "min-max", "peak memory", "p99 latency"]
        let rows = strategies.map { summary -> [String] in
            let failed = summary.samples.failures.count
            let runs = String(summary.samples.runs) + (failed == 0 ? "" : " (+\(failed) failed)")
            guard let wall = summary.wall else { return [summary.strategy, runs, "did not finish", "", "", ""] }
            return [summary.strategy, runs, MeasurementText.figure(.wall, wall), MeasurementText.range(.wall, wall),
                    summary.peakMemory.map { MeasurementText.figure(.peakMemory, $0) } ?? "n/a",
                    summary.latencyP99.map { MeasurementText.figure(.latencyP99, $0) } ?? "n/a"]
        }
        let table = [header] + rows
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            let line = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
    }

    /// The verdict in one sentence, with the test that decided it.
    public var headline: String {
        let winners = verdict.winners
        switch verdict.decision {
        case .noCandidate:
            return "no advice: no strategy finished its runs"
        case .onlyCandidate:
            return "use \(winners[0]): the only strategy that finished its runs (\(figure(winners[0], .wall)))"
        case .clearWinner(let metric):
            return "use \(winners[0]): " + clearWinnerReason(winners[0], decidedBy: metric)
        case .tie:
            return tieSentence(winners)
        }
    }

    /// Each test of each stage, one sentence: the two figures, the difference, the p-value, the outcome.
    /// A stage where every test lacked runs is one line.
    public var testLines: [String] {
        verdict.stages.flatMap { stage -> [String] in
            guard !stage.tests.isEmpty, stage.tests.allSatisfy({ $0.outcome == .tooFewRuns }) else {
                return stage.tests.map(line)
            }
            let figures = stage.candidates.map { "\($0) \(figure($0, stage.metric))" }
            return ["\(stage.metric.label): \(MeasurementText.list(figures)); too few runs for a test, a tie"]
        }
    }

    /// The warnings as sentences; a "few runs" warning shared by several strategies is said once.
    var warningLines: [String] {
        var lines: [String] = []
        var fewRuns: [Int: [String]] = [:]
        var fewOrder: [Int] = []
        for warning in warnings {
            if case .lowConfidence(let strategy, let runs, _) = warning {
                if fewRuns[runs] == nil { fewOrder.append(runs) }
                fewRuns[runs, default: []].append(strategy)
            } else {
                lines.append(warning.text)
            }
        }
        let merged = fewOrder.map { runs in
            NoiseWarning.lowConfidenceText(fewRuns[runs] ?? [], runs: runs,
                                           confidence: runs > 1 ? MedianInterval.ranks(count: runs).confidence : 0)
        }
        return merged + lines
    }

    private func figure(_ strategy: String, _ metric: VerdictMetric) -> String {
        summary(of: strategy)?.summary(metric).map { MeasurementText.figure(metric, $0) } ?? "n/a"
    }

    private func clearWinnerReason(_ winner: String, decidedBy metric: VerdictMetric) -> String {
        let stage = verdict.stages.last { $0.metric == metric }
        // The runner-up: the best of those found worse at the deciding stage.
        let runnerUp = stage?.tests.filter { $0.outcome == .worse }
            .min { ($0.otherMedian ?? .infinity) < ($1.otherMedian ?? .infinity) }
        let comparison = runnerUp.map { test in
            "; the next, \(test.other), \(figure(test.other, metric)), \(difference(test)) (\(testName(test)))"
        } ?? ""
        switch metric {
        case .wall:
            return "the fastest, \(figure(winner, .wall))" + comparison
        case .peakMemory, .latencyP99:
            let tied = verdict.stages.first?.candidates.filter { $0 != winner } ?? []
            let tiedOn = metric == .peakMemory ? "wall time" : "wall time and peak memory"
            let lower = metric == .peakMemory ? "needs the least memory" : "has the lowest p99 latency"
            return "it ties with \(MeasurementText.list(tied)) on \(tiedOn) and \(lower), " +
                "\(figure(winner, metric))" + comparison
        }
    }

    private func tieSentence(_ winners: [String]) -> String {
        let walls = winners.map { figure($0, .wall) }
        let figures = walls.count == 2 ? walls.joined(separator: " vs ") : MeasurementText.list(walls)
        let names = MeasurementText.list(winners)
        let wallTests = verdict.wallTests.filter { winners.contains($0.other) }
        if !wallTests.isEmpty, wallTests.allSatisfy({ $0.outcome == .tooFewRuns }) {
            let runs = Set(winners.compactMap { summary(of: $0)?.wall?.count }).sorted().map(String.init)
            return "\(names) cannot be told apart with \(MeasurementText.list(runs)) run\(runs == ["1"] ? "" : "s") " +
                "each: \(figures); no rank test of so few runs reaches p < \(NumberFormat.fixed(verdict.criteria.alpha, decimals: 2)) " +
                "(5 runs each can)"
        }
        // A tie of widely spread runs is only as far as these runs tell.
        let spread = winners.contains { summary(of: $0)?.wall?.isPrecise(within: NoiseGuard.wideSpreadThreshold) != true }
        let anyOf = winners.count == 2 ? "either will do" : "any of them will do"
        let test = wallTests.count == 1 ? " (\(testName(wallTests[0])): \(outcomeText(wallTests[0])))" : ""
        return "\(names) tie: \(figures); \(anyOf)" + test +
            (spread ? ", as far as these runs tell: they spread widely (see the warnings)" : "")
    }

    private func line(_ test: PairTest) -> String {
        "\(test.metric.label), \(test.other) vs \(test.reference): \(figure(test.other, test.metric)) vs " +
            "\(figure(test.reference, test.metric)), \(difference(test)); \(testName(test)): \(outcomeText(test))" +
            (test.outcome == .worse ? "" : ", a tie")
    }

    /// `1.96x as long` for a factor of 1.5 or more, else `+43%` (the other against the reference).
    private func difference(_ test: PairTest) -> String {
        guard let relative = test.relativeDifference, relative.isFinite else { return "no difference to state" }
        return relative >= 0.5
            ? MeasurementText.ratio(1 + relative) + " " + (test.metric == .wall ? "as long" : "as much")
            : (relative >= 0 ? "+" : "") + MeasurementText.percent(relative)
    }

    /// `exact Mann-Whitney U p = 0.59`, or `approximate ...` for the normal approximation.
    private func testName(_ test: PairTest) -> String {
        guard let result = test.test else { return "no test" }
        return (result.method == .exact ? "exact" : "approximate") + " Mann-Whitney U " +
            MeasurementText.pValue(result.pValue)
    }

    private func outcomeText(_ test: PairTest) -> String {
        let alpha = NumberFormat.fixed(verdict.criteria.alpha, decimals: 2)
        switch test.outcome {
        case .worse:
            return switch test.metric {
            case .wall: "\(test.other) is slower"
            case .peakMemory: "\(test.other) needs more memory"
            case .latencyP99: "\(test.other) has a higher p99 latency"
            }
        case .notSignificant:
            return "not significant at p < \(alpha)"
        case .belowThreshold:
            return "significant, but within the \(MeasurementText.percent(verdict.criteria.practicalThreshold)) " +
                "threshold"
        case .tooFewRuns:
            let smallest = test.test.map { MannWhitneyU.smallestPValue($0.firstCount, $0.secondCount) } ?? 1
            return "too few runs to reach p < \(alpha) (the best they allow is \(MeasurementText.pValue(smallest)))"
        case .noData:
            return "no \(test.metric.label) readings on one side"
        }
    }
}
