import ConcTraceRecorder
import ConcTraceStrategies

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

    /// Each case of `cases` measured `runs` times, recorded and not as `recording` says (cases that cannot be
    /// recorded are measured once, as they are), side by side in one run.
    /// - Throws: what a case throws (a worker that cannot start).
    public static func switches(_ cases: [SwitchBenchmark.Case], recording: [Bool], runs: Int) throws
        -> [SwitchBenchmark.Measurement]
    {
        var measurements: [SwitchBenchmark.Measurement] = []
        for benchmark in cases {
            for mode in benchmark.isInstrumented ? recording : [false] {
                measurements.append(try SwitchBenchmark.measure(
                    benchmark, recording: mode, runs: runs,
                    echo: benchmark == .processes ? WorkerRequest.echoLaunch() : nil))
            }
        }
        return measurements
    }
}
