#if canImport(Glibc)
import Glibc
#endif
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSystem

/// What converting recorded events to Chrome JSON costs: `conctrace bench writer`.
///
/// The events are those of a `sleep` run on one event loop (`--steps 1`), made up in memory in the order the loop
/// records them: the root creates every task (`created`, `ready`), each task runs and waits for its timer
/// (`running`, `waiting`), each timer makes it `ready` and it runs to its end (`running`, `done`). So the converter
/// holds every task in flight at once, as in the real run. Events are made and converted in drain-sized batches;
/// only the conversion (and, with a file, the `write(2)` of its text) is timed, on the wall clock and as the thread's
/// CPU time (which a machine shared with other work disturbs less).
public enum WriterBenchmark {
    /// One measurement: events converted, the JSON bytes they became, and the seconds of each round.
    public struct Measurement: Sendable {
        /// Events converted per round.
        public var events: Int
        /// JSON bytes written per round.
        public var bytes: Int
        /// Seconds per round (conversion, and writing when a file was given).
        public var seconds: [Double]
        /// The converting thread's CPU seconds per round (user and system).
        public var cpuSeconds: [Double]

        /// The median round's seconds.
        public var median: Double { seconds.sorted()[seconds.count / 2] }
        /// The median round's CPU seconds.
        public var medianCPU: Double { cpuSeconds.sorted()[cpuSeconds.count / 2] }
        /// Events per CPU second over the median round.
        public var eventsPerCPUSecond: Double { Double(events) / medianCPU }
        /// Events per second over the median round.
        public var eventsPerSecond: Double { Double(events) / median }
        /// Megabytes (10^6 bytes) per second over the median round.
        public var megabytesPerSecond: Double { Double(bytes) / 1e6 / median }
    }

    /// Converts the events of a `tasks`-task sleep run `rounds` times.
    /// - Parameters:
    ///   - tasks: tasks of the made-up run (7 events each, and 7 for the root).
    ///   - rounds: timed rounds; the median is reported.
    ///   - file: where to write the text (each round truncates nothing: it appends), or nil to discard it.
    /// - Throws: `OSError` if writing to `file` fails.
    public static func measure(tasks: Int, rounds: Int, file: FileDescriptor? = nil) throws(OSError) -> Measurement {
        var seconds: [Double] = []
        var cpuSeconds: [Double] = []
        var events = 0
        var bytes = 0
        let annotations = TaskAnnotations()
        var batch: [TraceEvent] = []
        batch.reserveCapacity(batchSize)
        for _ in 0..<rounds {
            var converter = ChromeTraceConverter(processID: 4242)
            converter.writeHeader(processName: "conctrace sleep/eventloop", metadata: RunMetadata())
            converter.workerStarted(worker: 1, name: "main")
            converter.workerStarted(worker: 2, name: "eventloop")
            var source = SleepRunEvents(tasks: tasks)
            var elapsed: UInt64 = 0
            var cpu: UInt64 = 0
            events = 0
            bytes = 0
            while source.next(batchOf: batchSize, into: &batch) {
                let start = MonotonicClock.now()
                let startCPU = threadCPUTime()
                converter.consume(batch, annotations: annotations)
                let written = try converter.drainOutput { text in
                    Result { () throws(OSError) -> Int in
                        if let file { try file.writeAll(UnsafeRawBufferPointer(text)) }
                        return text.count
                    }
                }.get()
                elapsed &+= MonotonicClock.now() &- start
                cpu &+= threadCPUTime() &- startCPU
                events += batch.count
                bytes += written
            }
            seconds.append(Double(elapsed) / 1e9)
            cpuSeconds.append(Double(cpu) / 1e9)
        }
        return Measurement(events: events, bytes: bytes, seconds: seconds, cpuSeconds: cpuSeconds)
    }

    /// The calling thread's CPU time, in nanoseconds.
    private static func threadCPUTime() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Events per batch: the recorder's default drain batch.
    static let batchSize = 16_384
}

/// The events of a one-step sleep run on an event loop, made on demand in recording order.
struct SleepRunEvents {
    let tasks: Int
    private var phase = 0
    private var index = 0
    private var clock: UInt64 = 1_000_000_000
    private let root: UInt64 = 1
    private let label = TaskLabel("sleep")

    init(tasks: Int) {
        precondition(tasks > 0, "the benchmark run needs a task")
        self.tasks = tasks
    }

    private mutating func event(_ kind: EventKind, task: UInt64, worker: UInt32, related: UInt64 = 0,
                                reason: WaitReason = .none, index: Int? = nil) -> TraceEvent {
        clock &+= 250
        return TraceEvent(timestamp: clock, kind: kind, task: task, worker: worker, related: related,
                          reason: reason, value: UInt128(index ?? 0), hasValue: index != nil,
                          label: index != nil ? label : .none)
    }

    /// Replaces `batch` with up to `count` next events; false when there are none left.
    mutating func next(batchOf count: Int, into batch: inout [TraceEvent]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        while batch.count < count, phase < 6 {
            let task = root &+ 1 &+ UInt64(index)
            switch phase {
            case 0:
                batch.append(TraceEvent(timestamp: clock, kind: .created, task: root, worker: 1, label: .main))
                batch.append(event(.ready, task: root, worker: 2))
                batch.append(event(.running, task: root, worker: 2))
                phase = 1
            case 1:
                batch.append(event(.created, task: task, worker: 2, related: root, index: index))
                batch.append(event(.ready, task: task, worker: 2, related: root))
                if advance(to: 2) { batch.append(event(.waiting, task: root, worker: 2, reason: .child)) }
            case 2:
                batch.append(event(.running, task: task, worker: 2))
                batch.append(event(.waiting, task: task, worker: 2, reason: .timer))
                advance(to: 3)
            case 3:
                batch.append(event(.ready, task: task, worker: 2))
                batch.append(event(.running, task: task, worker: 2))
                batch.append(event(.done, task: task, worker: 2))
                advance(to: 4)
            case 4:
                batch.append(event(.ready, task: root, worker: 2))
                batch.append(event(.running, task: root, worker: 2))
                batch.append(event(.done, task: root, worker: 2))
                phase = 6
            default:
                break
            }
        }
        return !batch.isEmpty
    }

    /// Moves to the next task; at the last one, to phase `next`. Returns whether the phase ended.
    @discardableResult
    private mutating func advance(to next: Int) -> Bool {
        index += 1
        guard index == tasks else { return false }
        index = 0
        phase = next
        return true
    }
}
