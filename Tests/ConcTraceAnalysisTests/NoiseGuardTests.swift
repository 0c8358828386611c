import ConcTraceAnalysis
import Foundation
import Testing

/// The noise guard: /proc parsing on sample text, the machine checks (load, steal) and the run checks (short runs,
/// impossible speed-ups, spread, confidence, outliers). The /proc samples are in the kernel's format (proc(5));
/// the first is what this machine printed on 2026-11-29.
@Suite("Noise guard: load, steal, short runs, impossible speed-ups, spread")
struct NoiseGuardTests {
    static let loadavg = "1.19 1.38 0.89 1/83 19932\n"
    static let stat = """
        cpu  74609 30 9258 105934 776 0 128 66 0 0
        cpu0 35539 0 3586 56103 101 0 16 36 0 0
        cpu1 39069 29 5672 49830 674 0 111 29 0 0
        intr 1234 0 0
        ctxt 99999
        """

    @Test("/proc/loadavg: three averages and the runnable count")
    func parseLoadavg() throws {
        let load = try #require(LoadAverage(procLoadavg: Self.loadavg))
        #expect(load == LoadAverage(oneMinute: 1.19, fiveMinutes: 1.38, fifteenMinutes: 0.89, runnable: 1))
        #expect(LoadAverage(procLoadavg: "") == nil)
        #expect(LoadAverage(procLoadavg: "high 1 2") == nil)
        #expect(LoadAverage(procLoadavg: "0.5 0.4 0.3")?.runnable == nil)
    }

    @Test("/proc/stat: the aggregate cpu line, steal the 8th number; old kernels without steal read 0")
    func parseStat() throws {
        let cpu = try #require(CPUTimes(procStat: Self.stat))
        #expect(cpu == CPUTimes(user: 74609, nice: 30, system: 9258, idle: 105934, iowait: 776, irq: 0,
                                softirq: 128, steal: 66))
        // 74609 + 30 + 9258 + 105934 + 776 + 0 + 128 + 66; guest fields (0 0) are inside user and nice already.
        #expect(cpu.total == 190801)
        #expect(CPUTimes(procStat: "cpu  10 20 30 40\n")?.steal == 0)
        #expect(CPUTimes(procStat: "cpu0 1 2 3 4\n") == nil)
        #expect(CPUTimes(procStat: "cpu  1 2 x 4\n") == nil)
    }

    @Test("steal share between two readings: Δsteal / Δtotal")
    func stealShare() {
        let before = CPUTimes(user: 1000, nice: 0, system: 100, idle: 800, steal: 100)
        // 200 more ticks: 120 user, 20 idle, 60 steal → 60 / 200 = 0.3.
        let after = CPUTimes(user: 1120, nice: 0, system: 100, idle: 820, steal: 160)
        #expect(after.stealShare(since: before) == 0.3)
        #expect(before.stealShare(since: before) == nil)
        #expect(before.stealShare(since: after) == nil)
    }

    @Test("load at or above the cores warns, before and after; steal over 5% warns; 5% does not")
    func machineWarnings() {
        let quiet = SystemSnapshot(load: LoadAverage(oneMinute: 0.4, fiveMinutes: 0.3, fifteenMinutes: 0.2),
                                   cpu: CPUTimes(user: 0, nice: 0, system: 0, idle: 1000, steal: 0))
        let busy = SystemSnapshot(load: LoadAverage(oneMinute: 2.0, fiveMinutes: 1, fifteenMinutes: 1),
                                  cpu: CPUTimes(user: 900, nice: 0, system: 0, idle: 1040, steal: 60))
        #expect(NoiseGuard.machineWarnings(before: quiet, after: quiet, cores: 2).isEmpty)
        // 1000 ticks passed, 60 stolen: 6%.
        #expect(NoiseGuard.machineWarnings(before: quiet, after: busy, cores: 2) == [
            .busyMachine(load: 2.0, cores: 2, moment: .after), .cpuSteal(share: 0.06),
        ])
        let fivePercent = SystemSnapshot(load: quiet.load, cpu: CPUTimes(user: 950, nice: 0, system: 0, idle: 1000,
                                                                          steal: 50))
        #expect(NoiseGuard.machineWarnings(before: quiet, after: fivePercent, cores: 2).isEmpty)
        #expect(NoiseGuard.machineWarnings(before: busy, after: nil, cores: 4).isEmpty)
        #expect(NoiseGuard.machineWarnings(before: busy, after: nil, cores: 2) == [
            .busyMachine(load: 2.0, cores: 2, moment: .before),
        ])
    }

    @Test("a reading that failed is said, not hidden")
    func unreadable() {
        let broken = SystemSnapshot(procLoadavg: "", procStat: "nothing")
        #expect(broken.load == nil && broken.cpu == nil)
        #expect(NoiseGuard.machineWarnings(before: broken, after: nil, cores: 2).map(\.code) ==
                ["unreadable", "unreadable"])
    }

    @Test("the thin reader reads this machine's /proc, and says why a missing file cannot be read")
    func readsProc() {
        let snapshot = SystemSnapshot.read()
        #expect(snapshot.load != nil)
        #expect(snapshot.cpu != nil)
        let missing = SystemSnapshot.read(loadavgPath: "/nonexistent/loadavg", statPath: "/proc/stat")
        #expect(missing.load == nil)
        #expect(missing.problems == ["/nonexistent/loadavg: open: No such file or directory (errno 2)"])
    }

    static func summary(_ values: [Double]) -> SampleSummary { SampleSummary(values)! }

    @Test("runs under 20 ms warn, with the option to change for the workload")
    func shortRuns() {
        let fast = Self.summary([0.012, 0.0121, 0.0119, 0.0122, 0.0118, 0.012])
        let warnings = NoiseGuard.runWarnings(wallTimes: [("eventloop", fast)], cores: 2, cpuBound: true,
                                              workload: "cpu")
        #expect(warnings == [.shortRuns(strategy: "eventloop", medianSeconds: 0.012, workload: "cpu")])
        #expect(warnings[0].text.hasSuffix("use a larger --base or more --tasks"))
        #expect(warnings[0].text.hasPrefix("eventloop runs took 12.0 ms (median), under 20 ms"))
        let slowEnough = Self.summary([0.02, 0.0201, 0.0199, 0.0202, 0.0198, 0.02])
        #expect(NoiseGuard.runWarnings(wallTimes: [("a", slowEnough)], cores: 2, cpuBound: true, workload: nil)
            .isEmpty)
    }

    @Test("a CPU speed-up above the cores is impossible, and the likely cause is named from the samples")
    func impossibleSpeedUp() throws {
        let steadySequential = Self.summary([0.4, 0.401, 0.399, 0.4005, 0.3995, 0.4])
        let steadyThreads = Self.summary([0.124, 0.125, 0.126, 0.1245, 0.1255, 0.125])
        // Medians 0.4 and 0.125: 3.2x on 2 cores, both steady (±0.8%): frequency scaling or unequal CPU.
        let warnings = NoiseGuard.runWarnings(wallTimes: [("sequential", steadySequential), ("threads", steadyThreads)],
                                              cores: 2, cpuBound: true, workload: "cpu")
        #expect(warnings == [.impossibleSpeedUp(strategy: "threads", speedUp: 3.2, cores: 2, cause: .frequencyScaling)])
        #expect(warnings[0].text.hasPrefix("threads ran CPU-bound work 3.20x as fast as sequential on 2 cores: " +
                                           "impossible (at most 2x)"))
        // The same on I/O-bound work is fine.
        #expect(NoiseGuard.runWarnings(wallTimes: [("sequential", steadySequential), ("threads", steadyThreads)],
                                       cores: 2, cpuBound: false, workload: "sleep").isEmpty)
        // A slow first sequential run (z = 533): a cold start. Median (0.4 + 0.401) / 2.
        let cold = Self.summary([1.2, 0.401, 0.399, 0.402, 0.398, 0.4])
        let coldWarnings = NoiseGuard.runWarnings(wallTimes: [("sequential", cold), ("threads", steadyThreads)],
                                                  cores: 2, cpuBound: true, workload: "cpu")
        #expect(coldWarnings.contains(.impossibleSpeedUp(strategy: "threads", speedUp: 0.4005 / 0.125, cores: 2,
                                                         cause: .coldFirstRun)))
        // Wide spread: noise.
        let scattered = Self.summary([0.25, 0.45, 0.3, 0.2, 0.35, 0.4])
        let noisy = NoiseGuard.runWarnings(wallTimes: [("sequential", scattered), ("threads", steadyThreads)],
                                           cores: 2, cpuBound: true, workload: "cpu")
        #expect(noisy.contains { if case .impossibleSpeedUp(_, _, _, .noise) = $0 { true } else { false } })
    }

    @Test("spread: wider than ±10% warns; fewer than 6 runs warns about confidence instead; outliers warn")
    func spread() {
        // Sorted 0.08 0.09 0.1 0.1 0.11 0.13: median 0.1, interval [0.08, 0.13] → ±30%.
        let wide = Self.summary([0.1, 0.13, 0.08, 0.1, 0.11, 0.09])
        #expect(NoiseGuard.runWarnings(wallTimes: [("async", wide)], cores: 2, cpuBound: false, workload: nil) ==
                [.wideSpread(strategy: "async", relativeHalfWidth: (0.13 - 0.1) / 0.1)])
        let three = Self.summary([0.1, 0.1, 0.1])
        #expect(NoiseGuard.runWarnings(wallTimes: [("async", three)], cores: 2, cpuBound: false, workload: nil) ==
                [.lowConfidence(strategy: "async", runs: 3, confidence: 0.75)])
        let one = Self.summary([0.1])
        let single = NoiseGuard.runWarnings(wallTimes: [("async", one)], cores: 2, cpuBound: false, workload: nil)
        #expect(single == [.lowConfidence(strategy: "async", runs: 1, confidence: 0)])
        #expect(single[0].text == "async: a single run, so no interval, and no test can tell it from another (a " +
                "verdict needs 5 runs or more each)")
        // Median 0.1, MAD 0.001: 0.5 scores 400.
        let outlier = Self.summary([0.5, 0.1, 0.101, 0.099, 0.1, 0.1, 0.101])
        let warnings = NoiseGuard.runWarnings(wallTimes: [("threads", outlier)], cores: 2, cpuBound: false,
                                              workload: nil)
        #expect(warnings.contains(.outliers(strategy: "threads", count: 1, runs: 7, slowFirst: true)))
    }
}
