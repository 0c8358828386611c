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
