/// "Use X": the strategy that did the work best in measured runs of one workload at one size, with the reasons,
/// and how that compares with the tutorial's rule of thumb (slow I/O: an event loop; fast I/O and few tasks:
/// threads; CPU-bound: processes).
///
/// The choice is the fastest run (wall time). Runs within `tieMargin` of it are ties: among them, one that needs
/// `tieMargin` less peak memory than the fastest wins (the least memory first); otherwise the fastest stays, and
/// the ties are named as equally good here. Runs that failed or could not run are never chosen and are listed with
/// their errors.
public struct StrategyAdvice: Sendable {
    /// The share of wall time within which two runs count as equally fast.
    public static let tieMargin = 0.10

    /// The recommended strategy; nil when no run finished.
    public let choice: String?
    /// Measured reasons, one sentence each.
    public let reasons: [String]
    /// The tutorial's rule for this workload and whether the measurement agrees.
    public let rule: String
    /// Where Swift differs from the tutorial's Python, for this workload (nil when it does not).
    public let swiftNote: String?
    /// The runs that did not finish, with their errors.
    public let problems: [String]

    /// Advises from `runs` (one per strategy) of `workload` (cpu, sleep or download) on `cores` cores.
    public init(workload: String, runs: [SweepResults.Run], cores: Int) {
        let finished = runs.filter { $0.status == .ok && $0.wallSeconds != nil }
        problems = runs.filter { $0.status != .ok }.map {
            "\($0.strategy): \($0.status.rawValue): \($0.error ?? "exit status \($0.exitCode)")"
        }
        let isCPU = workload == "cpu"
        swiftNote = isCPU
            ? "In Swift, unlike CPython, threads run CPU work in parallel (there is no global interpreter lock), " +
                "so threads need no processes to use all \(cores) cores."
            : nil
        guard let fastest = finished.min(by: { $0.wallSeconds! < $1.wallSeconds! }) else {
            choice = nil
            reasons = ["no strategy finished the work; see the errors"]
            rule = Self.rule(isCPU: isCPU, choice: nil)
            return
        }
        let best = fastest.wallSeconds!
        let ties = finished.filter { $0.wallSeconds! <= best * (1 + Self.tieMargin) }
        // A tie wins on memory only when it needs clearly less: a few hundred KiB are noise.
        let leaner = ties.filter { run in
            guard let memory = run.peakRSSBytes, let fastestMemory = fastest.peakRSSBytes else { return false }
            return Double(memory) < Double(fastestMemory) * (1 - Self.tieMargin)
        }
        let chosen = leaner.min { ($0.peakRSSBytes ?? .max) < ($1.peakRSSBytes ?? .max) } ?? fastest
        choice = chosen.strategy
        rule = Self.rule(isCPU: isCPU, choice: chosen.strategy)

        var reasons: [String] = []
        let wall = chosen.wallSeconds!
        let others = finished.filter { $0.strategy != chosen.strategy }.sorted { $0.wallSeconds! < $1.wallSeconds! }
        let comparisons = others.map { "\($0.strategy) \(Self.seconds($0.wallSeconds!))" +
            " (\(Self.ratio($0.wallSeconds! / wall)))" }
        reasons.append("It finished \(chosen.tasks) tasks in \(Self.seconds(wall))" +
                       (comparisons.isEmpty ? "." : "; " + comparisons.joined(separator: ", ") + "."))
        if chosen.strategy != fastest.strategy {
            reasons.append("\(fastest.strategy) was \(Self.ratio(fastest.wallSeconds! / wall)), within " +
                           "\(Int(Self.tieMargin * 100))%, but needs clearly more memory.")
        } else if ties.count > 1 {
            let tied = ties.filter { $0.strategy != chosen.strategy }.map(\.strategy)
            reasons.append("\(tied.joined(separator: " and ")) did as well here (within " +
                           "\(Int(Self.tieMargin * 100))% in time and memory): " +
                           (tied.count == 1 ? "either" : "any of them") + " will do at this size.")
        }
        if let memory = chosen.peakRSSBytes {
            let line = others.compactMap { run in run.peakRSSBytes.map { "\(run.strategy) \(Self.mebibytes($0))" } }
            reasons.append("Peak memory \(Self.mebibytes(memory))" +
                           (line.isEmpty ? "." : " (" + line.joined(separator: ", ") + ")."))
        }
        if let p99 = chosen.latencyP99Milliseconds {
            let line = others.compactMap { run in
                run.latencyP99Milliseconds.map { "\(run.strategy) \(Self.milliseconds($0))" }
            }
            reasons.append("Task latency p99 \(Self.milliseconds(p99))" +
                           (line.isEmpty ? "." : " (" + line.joined(separator: ", ") + ")."))
        }
        if let dispatch = chosen.dispatchOverheadMicroseconds, let switches = chosen.switchesPerTask {
            reasons.append("Switch cost: \(Self.number(dispatch, digits: 2)) µs of dispatch overhead per switch, " +
                           "\(Self.number(switches, digits: 1)) switches per task.")
        }
        self.reasons = reasons
    }

    /// The tutorial's rule, and whether `choice` agrees with it.
    private static func rule(isCPU: Bool, choice: String?) -> String {
        let text = isCPU
            ? "The tutorial's rule for CPU-bound work: processes."
            : "The tutorial's rule for I/O-bound work: an event loop when the I/O is slow and the tasks many; " +
                "threads when the I/O is fast and the tasks few."
        guard let choice else { return text }
        let agrees = ["threads", "async"].contains(choice)
            || choice == (isCPU ? "processes" : "eventloop")
        if !agrees { return text + " Here \(choice) measured best instead." }
        if isCPU, choice != "processes" {
            return text + " Here \(choice) did as well or better: any strategy that uses every core does."
        }
        return text + " The measurement agrees."
    }

    static func seconds(_ value: Double) -> String { number(value, digits: value < 10 ? 3 : 1) + " s" }
    static func milliseconds(_ value: Double) -> String { number(value, digits: 1) + " ms" }
    static func mebibytes(_ bytes: Int) -> String { number(Double(bytes) / 1_048_576, digits: 1) + " MiB" }
    /// How another run's wall time compares: `2.50x slower`, or `2% faster` for a tie that lost on memory.
    static func ratio(_ value: Double) -> String {
        abs(value - 1) < 0.005 ? "as fast" : value < 1 ? number((1 - value) * 100, digits: 0) + "% faster" : number(value, digits: value < 10 ? 2 : value < 100 ? 1 : 0) + "x slower"
    }

    static func number(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if digits == 0 { return String(Int(rounded)) }
        var text = String(rounded)
        let decimals = text.split(separator: ".").last.map(\.count) ?? 0
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        return text
    }
}
