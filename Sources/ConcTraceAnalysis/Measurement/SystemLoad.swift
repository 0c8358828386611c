/// The load average, as /proc/loadavg gives it: runnable and uninterruptible tasks, averaged over 1, 5 and 15
/// minutes, and the tasks runnable at the moment of reading.
public struct LoadAverage: Sendable, Equatable {
    public var oneMinute: Double
    public var fiveMinutes: Double
    public var fifteenMinutes: Double
    /// Tasks runnable when it was read (the `r` of `r/t`); nil when the text has no such field.
    public var runnable: Int?

    /// Makes a load average.
    public init(oneMinute: Double, fiveMinutes: Double, fifteenMinutes: Double, runnable: Int? = nil) {
        self.oneMinute = oneMinute
        self.fiveMinutes = fiveMinutes
        self.fifteenMinutes = fifteenMinutes
        self.runnable = runnable
    }

    /// Parses /proc/loadavg's text, e.g. `0.52 0.58 0.59 1/723 12345`; nil when the first three fields are not
    /// numbers.
    public init?(procLoadavg text: String) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard fields.count >= 3, let one = Double(fields[0]), let five = Double(fields[1]),
              let fifteen = Double(fields[2]), one >= 0, five >= 0, fifteen >= 0 else { return nil }
        let runnable = fields.count >= 4 ? fields[3].split(separator: "/").first.flatMap { Int($0) } : nil
        self.init(oneMinute: one, fiveMinutes: five, fifteenMinutes: fifteen, runnable: runnable)
    }
}

/// The machine's CPU time by state since boot, in clock ticks (USER_HZ), summed over all CPUs: the `cpu` line of
/// /proc/stat. Two readings give the share of CPU time in each state between them.
public struct CPUTimes: Sendable, Equatable {
    public var user: UInt64
    public var nice: UInt64
    public var system: UInt64
    public var idle: UInt64
    public var iowait: UInt64
    public var irq: UInt64
    public var softirq: UInt64
    /// Time the hypervisor gave this VM's virtual CPUs to someone else while they had work (0 on bare metal, and
    /// on kernels that do not count it).
    public var steal: UInt64

    /// Makes CPU times (ticks).
    public init(user: UInt64, nice: UInt64, system: UInt64, idle: UInt64, iowait: UInt64 = 0, irq: UInt64 = 0,
                softirq: UInt64 = 0, steal: UInt64 = 0) {
        (self.user, self.nice, self.system, self.idle) = (user, nice, system, idle)
        (self.iowait, self.irq, self.softirq, self.steal) = (iowait, irq, softirq, steal)
    }

    /// Parses the aggregate `cpu` line of /proc/stat's text (`cpu  user nice system idle iowait irq softirq steal
    /// guest guest_nice`); nil when there is no such line or fewer than four numbers on it. Missing later fields
    /// (old kernels) are 0. Guest time is already inside user and nice, so it is not added again.
    public init?(procStat text: String) {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let numbers = line.split(separator: " ").dropFirst().map { UInt64($0) }
        guard numbers.count >= 4, !numbers.prefix(8).contains(nil) else { return nil }
        let ticks = numbers.prefix(8).map { $0 ?? 0 } + [UInt64](repeating: 0, count: max(0, 8 - numbers.count))
        self.init(user: ticks[0], nice: ticks[1], system: ticks[2], idle: ticks[3], iowait: ticks[4], irq: ticks[5],
                  softirq: ticks[6], steal: ticks[7])
    }

    /// All ticks, in every state.
    public var total: UInt64 {
        user &+ nice &+ system &+ idle &+ iowait &+ irq &+ softirq &+ steal
    }

    /// The share of CPU time stolen between `earlier` and this reading; nil when no tick passed (or the counters
    /// went backwards, as after a reboot).
    public func stealShare(since earlier: CPUTimes) -> Double? {
        guard total > earlier.total, steal >= earlier.steal else { return nil }
        return Double(steal - earlier.steal) / Double(total - earlier.total)
    }
}

/// What the machine was doing at one moment: its load average and CPU time counters, with the reasons for any
/// that could not be read.
public struct SystemSnapshot: Sendable, Equatable {
    /// nil when /proc/loadavg could not be read or parsed.
    public var load: LoadAverage?
    /// nil when /proc/stat could not be read or parsed.
    public var cpu: CPUTimes?
    /// One line per file that could not be read or parsed, e.g. `/proc/stat: open: ... (errno 2)`.
    public var problems: [String]

    /// Makes a snapshot.
    public init(load: LoadAverage?, cpu: CPUTimes?, problems: [String] = []) {
        self.load = load
        self.cpu = cpu
        self.problems = problems
    }

    /// A snapshot from the texts of /proc/loadavg and /proc/stat.
    public init(procLoadavg: String, procStat: String) {
        load = LoadAverage(procLoadavg: procLoadavg)
        cpu = CPUTimes(procStat: procStat)
        problems = (load == nil ? ["/proc/loadavg: not a load average"] : [])
            + (cpu == nil ? ["/proc/stat: no cpu line"] : [])
    }
}
