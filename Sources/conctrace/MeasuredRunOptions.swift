import ArgumentParser
import ConcTraceAnalysis
import ConcTraceLab
import ConcTraceStrategies
import ConcTraceWorkloads

/// What `sweep` and `advise` share: which strategies run, with how many workers, how many times, for how long at
/// most, and the workload's own options, passed on to each child `conctrace run`.
struct MeasuredRunOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Strategies, comma-separated (default: all: sequential, threads, async, eventloop, processes).",
        valueName: "a,b,..."))
    var strategies: String?

    @Option(help: "--workers for every run (default: each strategy's own).")
    var workers: Int?

    @Option(help: "A run's time limit in seconds: past it the run is stopped and reported as such.")
    var limitS: Double = 60

    @OptionGroup
    var repetition: RepetitionOptions

    @Flag(name: .shortAndLong, help: "Say on stderr which run starts, a line each (on a terminal, one line shows anyway).")
    var verbose = false

    @OptionGroup
    var parameters: WorkloadParameters

    @OptionGroup(title: "Download options")
    var download: DownloadOptions

    /// Checks the options for runs of `workload` of up to `maxTasks` tasks.
    func validate(workload: WorkloadKind, maxTasks: Int) throws {
        _ = try strategyList()
        if let workers, !(1...10_000).contains(workers) {
            throw ValidationError("--workers must be 1...10000 (got \(workers))")
        }
        if !(limitS > 0) { throw ValidationError("--limit-s must be above 0 (got \(limitS))") }
        try repetition.validate()
        try parameters.validate(tasks: maxTasks)
        try download.validate(for: workload)
    }

    /// The strategies named (all of them, in their documented order, when none are).
    func strategyList() throws -> [StrategyKind] {
        guard let strategies else { return StrategyKind.allCases }
        var list: [StrategyKind] = []
        for name in strategies.split(separator: ",") {
            let name = name.trimmingCharacters(in: " ")
            guard let strategy = StrategyKind(rawValue: name) else {
                let known = StrategyKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown strategy '\(name)' (known: \(known))")
            }
            if !list.contains(strategy) { list.append(strategy) }
        }
        guard !list.isEmpty else { throw ValidationError("--strategies names no strategy") }
        return list
    }

    /// The workload the runs share, of `tasks` tasks (nil: its default).
    func workload(_ kind: WorkloadKind, tasks: Int?) -> WorkloadSpec {
        download.apply(to: parameters.spec(kind, tasks: tasks))
    }
}

/// How many times each strategy runs: `--repeat N`, or adaptively within `--budget-s` (docs/metrics.md,
/// "Repetitions").
struct RepetitionOptions: ParsableArguments {
    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "Counted runs per strategy, after one warm-up run each (default: adaptive: at least 5, then more until " +
            "every median wall time is known within ±5% at 95% confidence, 30 at most, or --budget-s is spent). " +
            "Fewer than 5 cannot name a winner at p < 0.01.", valueName: "n"))
    var repeatCount: Int?

    @Option(name: .customLong("budget-s"), help: ArgumentHelp(
        "The adaptive plan's time budget in seconds (per size for sweep): no round starts that is predicted to " +
            "end past it; the first 5 rounds run regardless. (default: 20)", valueName: "s"))
    var budgetS: Double?

    /// Checks the values.
    func validate() throws {
        if let repeatCount, !(1...1000).contains(repeatCount) {
            throw ValidationError("--repeat must be 1...1000 (got \(repeatCount))")
        }
        if let budgetS, !(budgetS >= 0 && budgetS <= 86_400) {
            throw ValidationError("--budget-s must be 0...86400 (got \(budgetS))")
        }
        if repeatCount != nil, budgetS != nil {
            throw ValidationError("--repeat fixes the number of runs; --budget-s is for the adaptive plan (give one)")
        }
    }

    /// The plan these options ask for; `defaultPolicy` without either option.
    func policy(default defaultPolicy: RepetitionPolicy = .adaptive()) -> RepetitionPolicy {
        if let repeatCount { return .fixed(repeatCount) }
        if let budgetS { return .adaptive(budgetSeconds: budgetS) }
        return defaultPolicy
    }
}

/// Task counts given as `n,n,...`, each 1...`maximum`.
/// - Throws: `ValidationError` naming the first part that is not such a count.
func parseSizes(_ text: String, option: String, maximum: Int) throws -> [Int] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
        guard let size = Int(part.trimmingCharacters(in: " ")) else {
            throw ValidationError("\(option) takes task counts like 10,100,1000 (got '\(part)')")
        }
        guard (1...maximum).contains(size) else {
            throw ValidationError("\(option) \(size) is beyond what a sweep can take: each size must be 1...\(maximum)")
        }
        return size
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
