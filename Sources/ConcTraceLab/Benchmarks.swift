import ConcTraceAnalysis
import ConcTraceRecorder
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWriter

/// `conctrace bench`: the recorder's own cost, and what one switch costs per strategy.
public enum Benchmarks {
    /// The recorder's median cost per event on one thread and on two threads at once, after a warm-up (which pages
    /// in the lanes' memory and settles the CPU clock).
    public static func recordCost(events: Int, rounds: Int) -> (oneThread: Double, twoThreads: Double) {
        _ = RecordCost.measure(eventsPerRound: events, rounds: 3)
        let one = RecordCost.measure(eventsPerRound: events, rounds: rounds)
        let two = RecordCost.measureConcurrently(threads: 2, eventsPerRound: events, rounds: rounds)
        return (one, two)
    }

    /// One case's times per switch, with or without recording, over the counted runs.
    public struct SwitchTimes: Sendable {
        /// The case's name (`threads`, `async`, ...).
        public var name: String
        /// Whether every switch was recorded (into a discarding sink).
        public var recording: Bool
        /// Nanoseconds per switch, one per counted run, in run order.
        public var samples: [Double]
        /// CPU nanoseconds per switch of the one thread that ran both tasks (eventloop, floor), one per counted
        /// run; empty for the other cases. It leaves out the time the thread waited for a core.
        public var cpuSamples: [Double] = []

        /// The times with their spread; nil before any run.
        public var summary: SampleSummary? { SampleSummary(samples) }
        /// The CPU times with their spread; nil when not measured.
        public var cpuSummary: SampleSummary? { SampleSummary(cpuSamples) }
    }

    /// Each case of `cases` measured `runs` times, recorded and not as `recording` says (cases that cannot be
    /// recorded are measured without), side by side in one run: interleaved in rounds (every case and mode once per
    /// round, so that drift falls on all alike) after one uncounted warm-up round.
    /// - Throws: what a case throws (a worker that cannot start).
    public static func switches(_ cases: [SwitchBenchmark.Case], recording: [Bool], runs: Int) throws
        -> [SwitchTimes]
    {
        let kinds = cases.flatMap { benchmark in
            (benchmark.isInstrumented ? recording : [false]).map { (benchmark, $0) }
        }
        var times = kinds.map { SwitchTimes(name: $0.0.rawValue, recording: $0.1, samples: []) }
        for round in 0...runs {
            for (index, (benchmark, mode)) in kinds.enumerated() {
                let run = try SwitchBenchmark.measure(
                    benchmark, recording: mode, echo: benchmark == .processes ? WorkerRequest.echoLaunch() : nil)
                // Round 0 warms caches, page tables, the CPU clock and the executors' threads up: not counted.
                if round > 0 {
                    times[index].samples.append(run.nanoseconds)
                    if let cpu = run.cpuNanoseconds { times[index].cpuSamples.append(cpu) }
                }
            }
        }
        return times
    }

    /// What recording costs one case measured both ways.
    public struct RecordingCost: Sendable {
        /// The case's name.
        public var name: String
        /// Recording on against off, by the verdict's rule (Mann-Whitney U at p < 0.01, and more than 5 % slower).
        public var comparison: SampleComparison
        /// The cost in ns per switch (on − off) with its interval; nil when a side has no runs.
        public var shift: ShiftEstimate?
    }

    /// What recording costs each case measured both ways, in the order of `times`.
    public static func recordingCosts(_ times: [SwitchTimes]) -> [RecordingCost] {
        times.filter { !$0.recording }.compactMap { off in
            guard let on = times.first(where: { $0.name == off.name && $0.recording }) else { return nil }
            return RecordingCost(
                name: off.name,
                comparison: SampleComparison(reference: off.samples, other: on.samples, smallerIsBetter: true),
                shift: ShiftEstimate(reference: off.samples, other: on.samples))
        }
    }

    /// The writer's throughput: the events of a `tasks`-task sleep run converted to JSON `rounds` times, after one
    /// warm-up round; with `toFile`, the text is also written to a nameless temporary file (the page cache).
    /// - Throws: `OSError` if the temporary file cannot be made or written.
    public static func writer(tasks: Int, rounds: Int, toFile: Bool) throws(OSError) -> WriterBenchmark.Measurement {
        let file = toFile ? try TemporaryFile.anonymous() : nil
        defer { try? file?.close() }
        _ = try WriterBenchmark.measure(tasks: tasks, rounds: 1, file: file)
        return try WriterBenchmark.measure(tasks: tasks, rounds: rounds, file: file)
    }
}
