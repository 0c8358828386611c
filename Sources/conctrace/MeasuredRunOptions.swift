import ArgumentParser
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceStrategies
import ConcTraceWorkloads

/// What `sweep` and `advise` share: which strategies run, with how many workers, for how long at most, and the
/// workload's own options, passed on to each child `conctrace run`.
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

    /// The workload's options as `conctrace run` arguments: only those that apply to it.
    func runArguments(for workload: WorkloadKind) -> [String] {
        switch workload {
        case .cpu: ["--base", String(parameters.base)]
        case .sleep: ["--sleep-ms", String(parameters.sleepMs), "--steps", String(parameters.steps)]
        case .download: download.arguments
        }
    }

    /// The workload's parameters as a sweep file records them.
    func describedParameters(for workload: WorkloadKind) -> [(key: String, value: TraceValue)] {
        switch workload {
        case .cpu: [("base", .int(Int64(parameters.base)))]
        case .sleep: [("sleep_ms", .double(parameters.sleepMs)), ("steps", .int(Int64(parameters.steps)))]
        case .download:
            if let urls = download.urls { [("urls", .string(urls))] }
            else if let server = download.server { [("server", .string(server))] }
            else { [("latency_ms", .string((download.latency ?? .fixed(milliseconds: 100)).argumentText))] }
        }
    }
}
