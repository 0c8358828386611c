import ConcTraceAnalysis

/// The unit a chart or a table column shows a figure in, chosen once for all its values so that they read alike:
/// durations in s, ms or µs by the largest, memory always in MiB, rates and counts as they are.
///
/// Values are given in the unit they were measured in (wall time in s, p99 latency in ms, memory in bytes, ...);
/// `scaled` puts them in the shown unit, `text` writes one with the decimals the unit's values need.
struct FigureUnit {
    /// Written after the values (`ms`, `MiB`, `tasks/s`; empty for plain numbers).
    var symbol: String
    /// What a measured value is multiplied by to be in `symbol`.
    var factor: Double
    /// Decimals shown.
    var decimals: Int

    /// Durations measured in `measuredIn` (1 for s, 1e-3 for ms, 1e-6 for µs), shown in s, ms or µs by the largest
    /// of `values` (ms when none is usable), with three significant digits for the smallest.
    static func duration(_ values: [Double], measuredIn: Double) -> FigureUnit {
        let seconds = values.filter(\.isFinite).map { ($0 * measuredIn).magnitude }
        let largest = seconds.max() ?? 1e-3
        let (symbol, perSecond): (String, Double) = largest >= 1 ? ("s", 1) : largest >= 1e-3 ? ("ms", 1e3) : ("µs", 1e6)
        return FigureUnit(symbol: symbol, factor: measuredIn * perSecond,
                          decimals: decimals(seconds.map { $0 * perSecond }))
    }

    /// Memory measured in bytes, shown in MiB (2²⁰ bytes), the unit conctrace uses everywhere.
    static let mebibytes = FigureUnit(symbol: "MiB", factor: 1.0 / 1_048_576, decimals: 1)

    /// A figure with its own unit (tasks/s, µs, a plain number), decimals by the smallest of `values`.
    static func plain(_ symbol: String, _ values: [Double]) -> FigureUnit {
        FigureUnit(symbol: symbol, factor: 1, decimals: decimals(values))
    }

    /// The unit of a verdict's figure for `values` (as measured: s, bytes, ms).
    static func of(_ metric: VerdictMetric, _ values: [Double]) -> FigureUnit {
        switch metric {
        case .wall: duration(values, measuredIn: 1)
        case .latencyP99: duration(values, measuredIn: 1e-3)
        case .peakMemory: mebibytes
        }
    }

    /// The unit of a sweep figure for `values` (as the sweep records them: s, tasks/s, ms, µs, a number, bytes).
    static func of(_ figure: SweepResults.Figure, _ values: [Double]) -> FigureUnit {
        switch figure {
        case .wall: duration(values, measuredIn: 1)
        case .latencyP99: duration(values, measuredIn: 1e-3)
        case .throughput: plain("tasks/s", values)
        case .dispatch: plain("µs", values)
        case .switchesPerTask: plain("", values)
        case .peakMemory: mebibytes
        }
    }

    /// `value` in this unit, as a number.
    func scaled(_ value: Double) -> Double { value * factor }

    /// `value` (as measured) in this unit, without the symbol: `71.6`; `n/a` when not finite.
    func text(_ value: Double) -> String {
        NumberFormat.fixed(scaled(value), decimals: decimals)
    }

    /// A value already in this unit (a chart's label), with three significant digits of its own: `0.49`, `223`.
    func label(_ shown: Double) -> String {
        NumberFormat.significant(shown, digits: 3)
    }

    /// `value` with the symbol: `71.6 ms`.
    func withSymbol(_ value: Double) -> String {
        symbol.isEmpty ? text(value) : text(value) + " " + symbol
    }

    /// A summary as tables show it: `71.6 [69.8-73.1]`, the median and its interval (none for one value).
    func spread(_ summary: SampleSummary) -> String {
        text(summary.median) + (summary.interval.map { " [" + text($0.lower) + "-" + text($0.upper) + "]" } ?? "")
    }

    /// Decimals for a column of `values`, all written alike: three significant digits for the smallest magnitude
    /// above 0, but at most one decimal more than the largest needs (123 → 0, 12.3 → 1, 1.23 → 2, 0.123 → 3).
    static func decimals(_ values: [Double]) -> Int {
        let magnitudes = values.filter { $0.isFinite && $0 != 0 }.map(\.magnitude)
        guard let smallest = magnitudes.min(), let largest = magnitudes.max() else { return 1 }
        return min(decimals(of: smallest), decimals(of: largest) + 1)
    }

    private static func decimals(of magnitude: Double) -> Int {
        if magnitude >= 100 { return 0 }
        if magnitude >= 10 { return 1 }
        if magnitude >= 1 { return 2 }
        return 3
    }
}
