import ConcTraceAnalysis

/// The top of the page: each verdict with its reasons and caveats, then a sweep's verdict at each size.
///
/// A verdict shows, in order: the answer (`StrategyAdvice.headline`) with how it was decided; where its runs come
/// from and why they stopped; the verdict's figures as bars with whiskers (median, 95 % interval of the median,
/// n); each strategy's figures in a table; every test behind the verdict (`Verdict.stages`); the tutorial's rule
/// as measured; the Swift note; the strategies the verdict could not name and the noise warnings.
struct VerdictSection {
    var verdicts: [ReportVerdict]
    var sweep: SweepResults?
    /// The colour of each strategy, shared with the rest of the page.
    var style: (String) -> SeriesStyle

    var html: String {
        guard !verdicts.isEmpty || sweep != nil else { return "" }
        var html = "<section class=\"verdicts\"><h2>The verdict</h2><p class=\"explain\">A strategy is named "
            + "better than another only when a Mann-Whitney U test of their runs finds the difference significant "
            + "(p &lt; 0.01) and it is more than 5 %; otherwise they tie, and peak memory, then p99 latency, break the "
            + "tie the same way (docs/metrics.md, \"Verdicts and spread\"). Bars are medians; whiskers the 95 % "
            + "confidence interval of the median (order statistics; min-max below 6 runs); n the runs behind "
            + "each.</p>"
        for verdict in verdicts { html += card(verdict) }
        if let sweep { html += sweepVerdicts(sweep) }
        return html + "</section>"
    }

    // MARK: One verdict

    private func card(_ verdict: ReportVerdict) -> String {
        let advice = verdict.advice
        let decision = advice.verdict.decision
        let badge = switch decision {
        case .clearWinner, .onlyCandidate: "winner"
        case .tie: "tie"
        case .noCandidate: "none"
        }
        var html = "<div class=\"verdict\"><h3>\(HTMLText.escape(verdict.title))</h3>"
        html += "<p class=\"answer\"><span class=\"badge \(badge)\">\(HTMLText.escape(ReportText.decision(decision)))"
            + "</span> \(HTMLText.escape(advice.headline))</p>"
        html += "<p class=\"explain\">\(HTMLText.escape(basis(verdict)))</p>"
        html += charts(advice)
        html += figureTable(verdict)
        html += testTable(advice)
        html += ruleBlock(advice)
        if let note = advice.swiftNote { html += "<p class=\"note\">\(HTMLText.escape(note))</p>" }
        let problems = advice.problems
        if !problems.isEmpty {
            html += "<p class=\"caveats-title\">Caveats</p><ul class=\"caveats\">"
                + problems.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>"
        }
        return html + "</div>"
    }

    /// Where the runs come from, how many, and why they stopped.
    private func basis(_ verdict: ReportVerdict) -> String {
        let advice = verdict.advice
        let counts = advice.strategies.map(\.samples.runs)
        let runs = (counts.min(), counts.max())
        var text = switch runs {
        case (let low?, let high?) where low == high: "\(low) counted run\(low == 1 ? "" : "s") per strategy"
        case (let low?, let high?): "\(low) to \(high) counted runs per strategy"
        default: "no runs"
        }
        text += " on \(advice.cores) core\(advice.cores == 1 ? "" : "s")"
        switch verdict.origin {
        case .measured:
            if let policy = verdict.results?.repetition { text += "; repetition: " + ReportText.repetition(policy) }
            text += "."
            if let stop = advice.stopReason {
                text += " Runs stopped: \(stop.text)."
            } else if let results = verdict.results, let tasks = results.sizes.first, let stop = results.stop(tasks: tasks) {
                text += " Runs stopped: \(stop.text)."
            }
        case .traces:
            text += ", each trace counted as one run. These traces were not made by one repetition plan (no warm-up, "
                + "no interleaving): measure with 'conctrace advise' for a verdict to rely on."
        }
        return text
    }

    /// Wall time, p99 latency and peak memory as bars: each strategy's median, whisker and n.
    private func charts(_ advice: StrategyAdvice) -> String {
        let winners = Set(advice.verdict.winners)
        var html = "<div class=\"charts\">"
        for metric in VerdictMetric.allCases {
            let summaries = advice.strategies.map { ($0, $0.summary(metric)) }
            guard summaries.contains(where: { $0.1 != nil }) else { continue }
            let unit = FigureUnit.of(metric, summaries.compactMap { $0.1?.median })
            let bars = summaries.map { strategy, summary in
                BarChart.Bar(name: strategy.strategy, style: style(strategy.strategy),
                             value: summary.map { unit.scaled($0.median) },
                             interval: summary?.interval.map { (unit.scaled($0.lower), unit.scaled($0.upper)) },
                             count: summary?.count,
                             reason: strategy.samples.failures.first ?? "no \(metric.label) readings",
                             emphasized: winners.contains(strategy.strategy))
            }
            let title = metric == .wall ? "Wall time" : metric == .peakMemory ? "Peak memory (RSS)" : "Task latency p99"
            // Three side by side in the card: names are strategies, short.
            html += "<figure>" + BarChart(title: title, unit: unit.symbol, bars: bars, width: 345, labelWidth: 84,
                                          hint: "shorter is better", format: unit.label).svg() + "</figure>"
        }
        return html + "</div>"
    }

    /// Each strategy: its runs and each figure's median [95 % interval], min-max of the wall time, its status.
    private func figureTable(_ verdict: ReportVerdict) -> String {
        let advice = verdict.advice
        let summaries = verdict.summaries
        let winners = Set(advice.verdict.winners)
        let excluded = Dictionary(advice.verdict.excluded.map { ($0.strategy, $0.reason) },
                                  uniquingKeysWith: { first, _ in first })
        // All six figures when the runs are known, else the three the advice keeps.
        let columns: [(name: String, figure: SweepResults.Figure, value: (String) -> SampleSummary?)]
        if summaries.isEmpty {
            columns = [
                ("wall", .wall, { advice.summary(of: $0)?.wall }),
                ("latency p99", .latencyP99, { advice.summary(of: $0)?.latencyP99 }),
                ("peak RSS", .peakMemory, { advice.summary(of: $0)?.peakMemory }),
            ]
        } else {
            let of = { (name: String) in summaries.first { $0.strategy == name } }
            columns = [
                ("wall", .wall, { of($0)?.wall }), ("throughput", .throughput, { of($0)?.throughput }),
                ("latency p99", .latencyP99, { of($0)?.latencyP99 }),
                ("dispatch", .dispatch, { of($0)?.dispatchOverhead }),
                ("switches/task", .switchesPerTask, { of($0)?.switchesPerTask }),
                ("peak RSS", .peakMemory, { of($0)?.peakMemory }),
            ]
        }
        let names = advice.strategies.map(\.strategy)
        let units = columns.map { column in FigureUnit.of(column.figure, names.compactMap(column.value).map(\.median)) }
        let rows = advice.strategies.map { strategy -> [HTMLTable.Cell] in
            let failed = strategy.samples.failures.count
            var cells: [HTMLTable.Cell] = [
                .text(strategy.strategy + (winners.contains(strategy.strategy) ? " ✓" : "")),
                .number(String(strategy.samples.runs) + (failed == 0 ? "" : " (+\(failed) failed)")),
            ]
            let wallUnit = units[0]
            cells.append(strategy.wall.map { .number(wallUnit.text($0.minimum) + "-" + wallUnit.text($0.maximum)) }
                ?? .missing(nil))
            for (column, unit) in zip(columns, units) {
                cells.append(column.value(strategy.strategy).map { .number(unit.spread($0)) } ?? .missing(nil))
            }
            // The reason can be a long error, and the caveats list it: here on hover.
            if !excluded.isEmpty {
                cells.append(HTMLTable.Cell(text: excluded[strategy.strategy] == nil ? "" : "not named",
                                            hint: excluded[strategy.strategy]))
            }
            return cells
        }
        let headers = ["strategy", "runs", "wall min-max" + (units[0].symbol.isEmpty ? "" : " (\(units[0].symbol))")]
            + zip(columns, units).map { column, unit in
                column.name + (unit.symbol.isEmpty ? "" : " (\(unit.symbol))")
            } + (excluded.isEmpty ? [] : [""])
        return HTMLTable(caption: "Each strategy: median [95% interval of the median] of its runs (✓ a winner)",
                         headers: headers, numericHeaders: Set(1...(columns.count + 2)), rows: rows,
                         className: "compact").html
    }

    /// Every test of every stage: the figure, the two strategies and their medians, the difference, the test and
    /// its p-value, and what it found.
    private func testTable(_ advice: StrategyAdvice) -> String {
        let tests = advice.verdict.stages.flatMap(\.tests)
        guard !tests.isEmpty else { return "" }
        let criteria = advice.verdict.criteria
        // One unit per figure, for all its tests.
        let units = Dictionary(grouping: tests, by: \.metric).mapValues { tests in
            FigureUnit.of(tests[0].metric, tests.flatMap { [$0.referenceMedian, $0.otherMedian].compactMap { $0 } })
        }
        let rows = tests.map { test -> [HTMLTable.Cell] in
            let unit = units[test.metric] ?? FigureUnit.of(test.metric, [])
            let median = { (value: Double?) in value.map { HTMLTable.Cell.number(unit.withSymbol($0)) } ?? .missing(nil) }
            return [.text(test.metric.label), .text(test.other), median(test.otherMedian), .text(test.reference),
                    median(test.referenceMedian), .number(ReportText.difference(test.relativeDifference)),
                    .text(ReportText.method(test.test)),
                    test.test.map { .number(ReportText.pValue($0.pValue)) } ?? .missing(nil),
                    .text(ReportText.outcome(test, criteria: criteria))]
        }
        return HTMLTable(caption: "The tests behind the verdict (each strategy against the best median at each stage)",
                         headers: ["figure", "strategy", "median", "against", "its median", "difference",
                                   "Mann-Whitney U", "p", "outcome"],
                         numericHeaders: [2, 4, 5, 7], rows: rows, className: "compact").html
    }

    /// The tutorial's rule: the sentences, then the branch, what it recommends, the agreement and the figures it
    /// rests on.
    private func ruleBlock(_ advice: StrategyAdvice) -> String {
        let rule = advice.tutorialRule
        var items: [(String, String)] = [
            ("branch", rule.branch.rawValue.replacingUnderscores),
            ("recommends", rule.recommendation ?? "nothing (not tested)"),
            ("measurement", rule.agreement.rawValue.replacingUnderscores),
            ("classified by", rule.basis == .trace ? "the traces" : "the workload's name"),
        ]
        if let profile = rule.profile {
            items.append(("running share", ReportText.percent(profile.runningShare)))
            if profile.kind == .ioBound, let switches = profile.switchesPerWait {
                items.append(("a wait is", NumberFormat.significant(switches, digits: 3) + " switches"))
            }
            items.append(("tasks / threads", "\(profile.figures.tasks) / \(profile.workerCapacity)"))
            items.append(("switch cost", profile.switchCost?.text ?? "not measured"))
        }
        var html = "<div class=\"rule\"><p><strong>The tutorial's rule.</strong> \(HTMLText.escape(advice.rule))</p>"
            + "<dl class=\"meta small\">"
        for (key, value) in items {
            html += "<div><dt>\(HTMLText.escape(key))</dt><dd>\(HTMLText.escape(value))</dd></div>"
        }
        return html + "</dl></div>"
    }

    // MARK: A sweep's verdicts

    private func sweepVerdicts(_ sweep: SweepResults) -> String {
        let rows = sweep.sizes.map { tasks -> [HTMLTable.Cell] in
            let advice = sweep.advice(tasks: tasks)
            return [.number(String(tasks)), .text(advice.verdict.winners.joined(separator: ", ")),
                    .text(ReportText.decision(advice.verdict.decision)), .text(advice.headline),
                    .text(sweep.stop(tasks: tasks)?.text ?? "")]
        }
        var html = "<div class=\"verdict\"><h3>Sweep: \(HTMLText.escape(sweep.workload)), the verdict at each size</h3>"
        html += "<p class=\"explain\">The same rule over each size's runs. A sweep file keeps no trace figures or "
            + "machine readings, so the tutorial's rule and the noise warnings are left to <code>conctrace advise</code>. "
            + "The scaling charts below draw the runs.</p>"
        let stopped = rows.contains { !$0[4].text.isEmpty }
        html += HTMLTable(caption: nil, headers: ["tasks", "winners", "decision", "verdict"] + (stopped ? ["runs stopped"] : []),
                          numericHeaders: [0], rows: stopped ? rows : rows.map { Array($0.prefix(4)) }).html
        return html + "</div>"
    }
}

extension String {
    /// `slow_io_many_tasks` as `slow io many tasks`.
    fileprivate var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
