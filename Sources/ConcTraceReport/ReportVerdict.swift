import ConcTraceAnalysis

/// A verdict the report shows at its top: one workload at one size, the strategies' repeated runs, the advice made
/// from them (`StrategyAdvice`: the verdict, each test behind it, the tutorial's rule, the Swift note, why the runs
/// stopped, the warnings) and, when known, every run with all its figures.
///
/// `demo` gives one per experiment and `advise` its own; a report of traces alone makes them from the traces
/// (`fromTraces`), wherever two strategies ran the same workload.
public struct ReportVerdict: Sendable {
    /// Where the runs behind the verdict come from.
    public enum Origin: Sendable, Equatable {
        /// A repetition plan measured them (`advise`, `demo`): warm-up, interleaved rounds.
        case measured
        /// Traces given to `conctrace report`, one run each, in whatever order and conditions they were made.
        case traces
    }

    /// The heading, e.g. `CPU: 20 sums of squares ...`.
    public var title: String
    public var advice: StrategyAdvice
    /// Every counted run, as a sweep of one size: the source of the throughput, dispatch overhead, switches per
    /// task and peak memory spread; nil when only the advice is known.
    public var results: SweepResults?
    public var origin: Origin

    /// Makes a verdict of measured runs.
    public init(title: String, advice: StrategyAdvice, results: SweepResults?, origin: Origin = .measured) {
        self.title = title
        self.advice = advice
        self.results = results
        self.origin = origin
    }

    /// The summaries of each strategy's runs with all their figures, when the runs are known (one size).
    var summaries: [SweepResults.Summary] {
        guard let results, let tasks = results.sizes.first else { return [] }
        return results.summaries(tasks: tasks)
    }

    /// The workload's name.
    var workload: String { advice.workload }
}

extension ReportVerdict {
    /// The run-metadata keys that, with the workload's name, say two traces ran the same work: traces that agree
    /// on all of them are runs of one workload (their timelines share a time axis, their strategies a verdict).
    static let workloadKeys = ["tasks", "base", "steps", "sleep_ms", "timeout_ms", "source"]

    /// The workload of a trace with its parameters, as one key; nil for a trace without run metadata (a foreign
    /// trace: it is a workload of its own).
    static func workloadKey(_ analysis: TraceAnalysis) -> String? {
        guard let workload = analysis.run("workload")?.stringValue else { return nil }
        return ([workload] + workloadKeys.map { key in analysis.run(key).map(ReportPage.text) ?? "-" })
            .joined(separator: "\u{0}")
    }

    /// Verdicts made from traces: for each workload (name and parameters) that at least two strategies ran, the
    /// advice from each strategy's traces as its runs: wall time and p99 latency from each trace (traces hold no
    /// peak memory), a trace with failed tasks or cut short counted as a run that did not finish. The tutorial's
    /// rule is classified from the traces (`WorkloadProfile`) when a threads trace says its pool size; otherwise by
    /// the workload's name. Traces without run metadata (workload, strategy, cores) get no verdict.
    static func fromTraces(_ analyses: [TraceAnalysis]) -> [ReportVerdict] {
        var order: [String] = []
        var groups: [String: [TraceAnalysis]] = [:]
        for analysis in analyses {
            guard let key = workloadKey(analysis), analysis.run("strategy")?.stringValue != nil,
                  analysis.run("cores")?.intValue != nil else { continue }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(analysis)
        }
        return order.compactMap { key in
            guard let members = groups[key] else { return nil }
            return verdict(members)
        }
    }

    /// The verdict of the traces of one workload; nil when they hold fewer than two strategies.
    private static func verdict(_ members: [TraceAnalysis]) -> ReportVerdict? {
        var strategies: [String] = []
        var samples: [String: StrategySamples] = [:]
        for analysis in members {
            let strategy = analysis.run("strategy")?.stringValue ?? analysis.name
            if samples[strategy] == nil {
                strategies.append(strategy)
                samples[strategy] = StrategySamples(strategy: strategy, wallSeconds: [])
            }
            samples[strategy]?.add(trace: analysis)
        }
        guard strategies.count >= 2, let first = members.first,
              let cores = first.run("cores")?.intValue, cores > 0, cores <= Int64(Int32.max) else { return nil }
        let workload = first.run("workload")?.stringValue ?? "?"
        let tasks = first.run("tasks")?.intValue
        let advice = StrategyAdvice(workload: workload, samples: strategies.compactMap { samples[$0] },
                                    cores: Int(cores), profile: profile(members))
        let runs = Set(strategies.map { name in members.filter { $0.run("strategy")?.stringValue == name }.count })
        let each = runs.count == 1 ? "\(runs.first!) trace\(runs.first! == 1 ? "" : "s") each"
            : "\(runs.min()!) to \(runs.max()!) traces each"
        return ReportVerdict(title: "\(workload)" + (tasks.map { ", \($0) tasks" } ?? "")
                                 + ": \(strategies.count) strategies from the traces given (\(each))",
                             advice: advice, results: nil, origin: .traces)
    }

    /// The workload classified from the traces, as `advise` classifies its runs: a sequential or threads trace's
    /// time per task, the switch cost measured in them, the threads trace's pool as the worker capacity.
    private static func profile(_ members: [TraceAnalysis]) -> WorkloadProfile? {
        let threads = members.first { $0.run("strategy")?.stringValue == "threads" }
        guard let capacity = threads?.run("workers")?.intValue, capacity > 0, capacity <= Int64(Int32.max) else {
            return nil
        }
        let preferred = members.filter { ["sequential", "threads"].contains($0.run("strategy")?.stringValue ?? "") }
            + members
        guard let figures = preferred.lazy.compactMap(WorkloadFigures.init(analysis:)).first else { return nil }
        return WorkloadProfile(figures: figures, switchCost: SwitchCost.measured(in: members),
                               workerCapacity: Int(capacity))
    }
}

extension StrategySamples {
    /// Adds one trace as a run: its wall time and p99 latency, or a failure when tasks failed, the trace is cut
    /// short, or it has no wall time.
    mutating func add(trace analysis: TraceAnalysis) {
        let path = analysis.source.path
        if let failed = analysis[.tasksFailed], failed > 0 {
            failures.append("\(NumberFormat.fixed(failed, decimals: 0)) task(s) failed in \(path)")
        } else if analysis.source.isTruncated {
            failures.append("\(path) is cut short")
        } else if let wall = analysis[.wall], wall.isFinite {
            wallSeconds.append(wall)
            if let p99 = analysis[.latencyP99], p99.isFinite { latencyP99Milliseconds.append(p99) }
        } else {
            failures.append("\(path) has no wall time")
        }
    }
}
