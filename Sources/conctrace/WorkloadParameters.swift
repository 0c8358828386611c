import ArgumentParser
import ConcTraceLab
import ConcTraceWorkloads

/// The parameters of the cpu and sleep workloads, as options.
struct WorkloadParameters: ParsableArguments {
    @Option(help: "cpu: task k sums i*i for i below base + k.")
    var base: Int = 10_000_000

    @Option(name: .customLong("sleep-ms"), help: "sleep: how long each wait lasts, in milliseconds.")
    var sleepMs: Double = 10

    @Option(help: "sleep: how many waits each task makes.")
    var steps: Int = 1

    /// Checks the values for a run of `tasks` tasks.
    func validate(tasks: Int) throws {
        if steps <= 0 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if !(sleepMs >= 0 && sleepMs <= 3_600_000) {
            throw ValidationError("--sleep-ms must be between 0 and 3600000 (got \(sleepMs))")
        }
        if base < 0 { throw ValidationError("--base must be at least 0 (got \(base))") }
        if base > CPUWorkload.maximumN - tasks {
            throw ValidationError("--base must be at most \(CPUWorkload.maximumN - tasks) (got \(base))")
        }
    }

    /// The workload these parameters describe (a download's pages are `DownloadOptions`').
    func spec(_ kind: WorkloadKind, tasks: Int?) -> WorkloadSpec {
        WorkloadSpec(kind: kind, tasks: tasks, base: base, sleepMilliseconds: sleepMs, steps: steps)
    }
}
