import ArgumentParser
import ConcTraceAnalysis
import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceWorkloads

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct Advise: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the candidate strategies briefly on your workload and answer: use X, with the reasons.",
            discussion: """
                Each strategy runs the same work once, as 'conctrace run' in a child process, traced and \
                analyzed (docs/metrics.md). The fastest wins; within 10% the one with the least memory (then the \
                lowest p99 latency). The answer says how it compares with the tutorial's rule (slow I/O: an event \
                loop; fast I/O and few tasks: threads; CPU-bound: processes) and where Swift differs from Python. \
                Exit codes: 0 an answer; 3 no strategy finished the work; 64 bad arguments; 130/143 interrupted.
                """
        )

        @Option(help: "The workload: cpu, sleep or download.")
        var workload: WorkloadKind

        @Option(help: "Tasks per run (default: 20 for cpu, 100 for sleep, 15 for download: the tutorial's).")
        var tasks: Int?

        @OptionGroup
        var runs: MeasuredRunOptions

        @Option(help: "Keep the runs' traces in this folder (default: a temporary folder, removed).")
        var traceDir: String?

        var taskCount: Int {
            tasks ?? (workload == .cpu ? 20 : workload == .sleep ? 100 : DownloadOptions.tutorialPages)
        }

        func validate() throws {
            if let tasks, !(1...10_000_000).contains(tasks) {
                throw ValidationError("--tasks must be 1...10000000 (got \(tasks))")
            }
            try runs.validate(workload: workload, maxTasks: taskCount)
        }

        func run() throws {
            SignalWatcher.start { ChildRun.forward(signal: $0) }
            try reportingFailures(execute)
        }

        private func execute() throws {
            let strategies = try runs.strategyList()
            let folder = try traceDir.map { dir in try createParentFolder(of: dir + "/x"); return dir }
                ?? makeTemporaryFolder()
            defer { if traceDir == nil { removeFolder(folder) } }
            let options = runs.runArguments(for: workload)
            var progress = Progress(total: strategies.count)
            var measured: [SweepResults.Run] = []
            for strategy in strategies {
                guard ChildRun.stopSignal == nil else { break }
                progress.begin("\(workload.rawValue)/\(strategy.rawValue) × \(taskCount)")
                let request = MeasuredRun(workload: workload, strategy: strategy, tasks: taskCount, workers: runs.workers,
                                          options: options,
                                          tracePath: "\(folder)/\(workload.rawValue)-\(strategy.rawValue).json")
                measured.append(request.measure(limitSeconds: runs.limitS))
            }
            progress.clear()
            if let signal = ChildRun.stopSignal {
                printError("interrupted before every candidate ran; no advice")
                throw ExitStatus.forSignal(signal).exitCode
            }
            let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let advice = StrategyAdvice(workload: workload.rawValue, runs: measured, cores: cores)
            let results = SweepResults(workload: workload.rawValue,
                                       parameters: runs.describedParameters(for: workload),
                                       host: hostName(), cores: cores, createdUnixSeconds: Int64(time(nil)),
                                       version: ConcTrace.version, runs: measured)
            printLine("\(workload.rawValue), \(taskCount) tasks, \(cores) cores:")
            printLine(SweepTable(results).text)
            printLine("")
            printLine(advice.text)
            if traceDir != nil { printLine("traces: \(folder)/") }
            if advice.choice == nil { throw ExitStatus.partialFailure.exitCode }
        }
    }
}

extension StrategyAdvice {
    /// "use X" and the reasons, as printed by `advise` and `demo`.
    var text: String {
        var lines = [choice.map { "use \($0)" } ?? "no advice: no strategy finished the work"]
        lines += reasons.map { "  - " + $0 }
        lines.append("  - " + rule)
        if let swiftNote { lines.append("  - " + swiftNote) }
        lines += problems.map { "  ! " + $0 }
        return lines.joined(separator: "\n")
    }
}

/// A new folder under $TMPDIR (or /tmp), for traces that are read and thrown away.
func makeTemporaryFolder() throws -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(base)/conctrace-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        throw CLIFailure(message: "cannot create a temporary folder in \(base): \(OSError(call: "mkdtemp", errno: errno))",
                         status: .cannotCreateOutput)
    }
    return String(cString: made)
}

/// Removes a folder of plain files (the traces a command made).
func removeFolder(_ path: String) {
    guard let directory = opendir(path) else { return }
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if name != "." && name != ".." { unlink("\(path)/\(name)") }
    }
    closedir(directory)
    rmdir(path)
}
