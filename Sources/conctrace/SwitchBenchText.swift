import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceLab

/// How `bench switch` prints its figures: a table of each case's median with its spread, then what recording
/// costs each case measured both ways; or one JSON object.
enum SwitchBenchText {
    /// `strategy  recording  ns/switch median [95% CI]  min  max  n  CPU ns median [95% CI]`, then the recording
    /// tests.
    static func table(_ times: [Benchmarks.SwitchTimes], costs: [Benchmarks.RecordingCost])
        -> String
    {
        let header = ["strategy", "recording", "ns/switch median [95% CI]", "min", "max", "n",
                      "CPU ns median [95% CI]"]
        func medianText(_ summary: SampleSummary) -> String {
            NumberFormat.fixed(summary.median, decimals: 1) + (summary.interval.map {
                " [\(NumberFormat.fixed($0.lower, decimals: 1))-\(NumberFormat.fixed($0.upper, decimals: 1))]"
            } ?? "")
        }
        let rows = times.map { time -> [String] in
            guard let summary = time.summary else {
                return [time.name, time.recording ? "on" : "off", "-", "-", "-", "0", ""]
            }
            return [time.name, time.recording ? "on" : "off", medianText(summary),
                    NumberFormat.fixed(summary.minimum, decimals: 1), NumberFormat.fixed(summary.maximum, decimals: 1),
                    String(summary.count), time.cpuSummary.map(medianText) ?? ""]
        }
        var lines = [TextTable(header: header, rows: rows, leftAligned: [0, 1]).text]
        if let level = times.compactMap({ $0.summary?.interval?.confidence }).min(), level < 0.95 {
            let percent = level * 100
            lines.append("(with \(times.map(\.samples.count).min() ?? 0) runs the interval is min-max, at " +
                         "\(NumberFormat.fixed(percent, decimals: percent == percent.rounded() ? 0 : 1))% confidence; " +
                         "6 runs or more reach 95%)")
        }
        if !costs.isEmpty {
            lines.append("")
            lines.append("recording on vs off (Mann-Whitney U; a cost when p < 0.01 and more than 5%):")
            for cost in costs { lines.append("  " + cost.name + ": " + costText(cost)) }
        }
        return lines.joined(separator: "\n")
    }

    /// `+87.5 ns per switch [95% CI 61.0 to 110.2], +12.3% (exact Mann-Whitney U p = 0.0006): recording costs this
    /// case more than 5%`: the shift (Hodges-Lehmann, on − off) with its interval, then the medians' difference.
    static func costText(_ cost: Benchmarks.RecordingCost) -> String {
        let comparison = cost.comparison
        func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + NumberFormat.fixed(value, decimals: 1) }
        let shift = cost.shift.map { shift in
            // At least 95 % is said as 95 % (as the medians' intervals); less, as it is.
            let levelText = shift.reachesTarget ? "95" : NumberFormat.fixed(shift.confidence * 100, decimals: 1)
            return signed(shift.estimate) + " ns per switch [" + levelText + "% CI " + signed(shift.lower) + " to "
                + signed(shift.upper) + "], "
        } ?? ""
        let difference = shift + (comparison.relativeDifference.map {
            ($0 >= 0 ? "+" : "") + NumberFormat.fixed($0 * 100, decimals: 1) + "%"
        } ?? "n/a")
        let test = comparison.test.map {
            " (\($0.method == .exact ? "exact" : "approximate") Mann-Whitney U p = \(pText($0.pValue)))"
        } ?? ""
        let verdict = switch comparison.outcome {
        case .worse: "recording costs this case more than 5%"
        case .belowThreshold: "significant, but within 5%"
        case .notSignificant: "not significant: on and off cannot be told apart"
        case .tooFewRuns: "too few runs for the test to reach p < 0.01 (5 each can)"
        case .noData: "not measured both ways"
        }
        return difference + test + ": " + verdict
    }

    private static func pText(_ p: Double) -> String {
        p < 0.0001 ? "< 0.0001" : NumberFormat.fixed(p, decimals: p < 0.01 ? 4 : 2)
    }

    /// `{"switches": [{"strategy", "recording", "ns_per_switch" (the median), "ci95", "ci_level", "min", "max",
    /// "mean", "sd", "outliers", "runs", "samples" (each run's, in run order), and for eventloop and floor
    /// "cpu_ns_per_switch" (the median of the one thread's CPU time), "cpu_ci95" and "cpu_samples"}],
    /// "recording_cost": [{"strategy", "off_median", "on_median", "difference", "shift_ns" (Hodges-Lehmann, on −
    /// off), "shift_ci" and "shift_ci_level", "u", "p", "method", "outcome"}]}`, ns.
    static func json(_ times: [Benchmarks.SwitchTimes], costs: [Benchmarks.RecordingCost])
        -> String
    {
        func rounded(_ value: Double) -> String {
            value.isFinite ? String((value * 10).rounded() / 10) : "null"
        }
        let rows = times.map { time -> String in
            var row = JSONObjectText()
            row.add("strategy", time.name)
            row.add("recording", time.recording ? "on" : "off")
            let summary = time.summary
            row.add("ns_per_switch", json: summary.map { rounded($0.median) } ?? "null")
            row.add("ci95", json: summary?.interval.map { "[\(rounded($0.lower)),\(rounded($0.upper))]" } ?? "null")
            row.add("ci_level", json: summary?.interval.map { String($0.confidence) } ?? "null")
            row.add("min", json: summary.map { rounded($0.minimum) } ?? "null")
            row.add("max", json: summary.map { rounded($0.maximum) } ?? "null")
            row.add("mean", json: summary.map { rounded($0.mean) } ?? "null")
            row.add("sd", json: summary?.standardDeviation.map(rounded) ?? "null")
            row.add("outliers", summary?.outliers.count ?? 0)
            row.add("runs", time.samples.count)
            row.add("samples", json: "[" + time.samples.map(rounded).joined(separator: ",") + "]")
            if let cpu = time.cpuSummary {
                row.add("cpu_ns_per_switch", json: rounded(cpu.median))
                row.add("cpu_ci95", json: cpu.interval.map { "[\(rounded($0.lower)),\(rounded($0.upper))]" } ?? "null")
                row.add("cpu_samples", json: "[" + time.cpuSamples.map(rounded).joined(separator: ",") + "]")
            }
            return row.text
        }
        let tests = costs.map { cost -> String in
            let comparison = cost.comparison
            var row = JSONObjectText()
            row.add("strategy", cost.name)
            row.add("off_median", json: comparison.referenceMedian.map(rounded) ?? "null")
            row.add("on_median", json: comparison.otherMedian.map(rounded) ?? "null")
            row.add("difference", json: comparison.relativeDifference.map { String($0) } ?? "null")
            row.add("shift_ns", json: cost.shift.map { rounded($0.estimate) } ?? "null")
            row.add("shift_ci", json: cost.shift.map { "[\(rounded($0.lower)),\(rounded($0.upper))]" } ?? "null")
            row.add("shift_ci_level", json: cost.shift.map { String($0.confidence) } ?? "null")
            row.add("u", json: comparison.test.map { String($0.u) } ?? "null")
            row.add("p", json: comparison.test.map { String($0.pValue) } ?? "null")
            row.add("method", comparison.test?.method.rawValue)
            row.add("outcome", comparison.outcome.rawValue)
            return row.text
        }
        var json = JSONObjectText()
        json.add("switches", json: "[" + rows.joined(separator: ",") + "]")
        json.add("recording_cost", json: "[" + tests.joined(separator: ",") + "]")
        return json.text
    }
}
