#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads

/// The worker side of the processes strategy (`conctrace worker`): reads tasks from stdin, runs each on the
/// calling thread recording it on `lane` under the parent's task id, and answers on stdout with a
/// ``ProcessTaskReport`` line. At end of input it records its OS switches and answers with its
/// getrusage(RUSAGE_SELF).
///
/// A worker records a task's states, not its life: `created` and `ready` stamped with the time the parent made the
/// task ready (sent with the task), then `running` (and `waiting`/`ready`/`running` as it waits), then its end.
/// The parent owns the task's life span: the merge converts the worker's events without it (the converter's
/// `.worker` role).
public enum ProcessWorker {
    /// What a worker says first, once it records and reads tasks (`H`, a line of its own).
    static let readyLine = "H"

    /// Serves tasks until stdin closes; says it is ready first.
    public static func serve(_ workload: any Workload, lane: EventLane, cancellation: Cancellation) {
        lane.recordOSSwitches()
        answer(readyLine + "\n")
        let label = TaskLabel(workload.taskLabel)
        var input = LineReader(.standardInput)
        while let lines = input.readLines() {
            for line in lines {
                let fields = line.split(separator: " ")
                guard fields.count == 4, fields[0] == "T", let index = Int(fields[1]), let task = UInt64(fields[2]),
                      let readySince = UInt64(fields[3]), (0..<workload.taskCount).contains(index) else { continue }
                answer(run(workload, label: label, index: index, task: task, readySince: readySince, lane: lane,
                           cancellation: cancellation).line)
            }
        }
        lane.recordOSSwitches()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Int(usage.ru_utime.tv_sec) * 1_000_000 + Int(usage.ru_utime.tv_usec)
        let system = Int(usage.ru_stime.tv_sec) * 1_000_000 + Int(usage.ru_stime.tv_usec)
        answer("U \(user) \(system) \(usage.ru_nvcsw) \(usage.ru_nivcsw) \(peakResidentBytes() ?? 0)\n")
    }

    /// The `processes` case of `conctrace bench switch`: writes back every byte read from stdin, until it closes.
    public static func echo() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            guard let count = try? chunk.withUnsafeMutableBytes({ try FileDescriptor.standardInput.read(into: $0) }),
                  count > 0 else { return }
            guard (try? FileDescriptor.standardOutput.writeAll(Array(chunk[0..<count]))) != nil else { return }
        }
    }

    private static func run(_ workload: any Workload, label: TaskLabel, index: Int, task: UInt64, readySince: UInt64,
                            lane: EventLane, cancellation: Cancellation) -> ProcessTaskReport {
        // Ready since the parent made it so (never later than now: the same clock, and the task came after).
        let since = min(readySince, MonotonicClock.now())
        lane.append(TraceEvent(timestamp: since, kind: .created, task: task, worker: lane.worker,
                               value: UInt128(index), hasValue: true, label: label))
        lane.append(TraceEvent(timestamp: since, kind: .ready, task: task, worker: lane.worker))
        let started = MonotonicClock.now()
        lane.append(TraceEvent(timestamp: started, kind: .running, task: task, worker: lane.worker))
        let ending: ProcessTaskReport.Ending
        var details: [TaskDetail] = []
        let kind: EventKind
        do {
            let outcome = try workload.runBlocking(
                index: index, context: BlockingContext(lane: lane, task: task, cancellation: cancellation))
            ending = .done(result: outcome.result, bytes: outcome.bytes)
            details = outcome.details
            kind = .done
        } catch let error as TaskError where error == .cancelled {
            ending = .cancelled
            kind = .cancelled
        } catch {
            let failure = error as? TaskFailure
            details = failure?.details ?? []
            ending = .failed(error: String(describing: failure?.error ?? error))
            kind = .failed
        }
        let ended = MonotonicClock.now()
        lane.append(TraceEvent(timestamp: ended, kind: kind, task: task, worker: lane.worker))
        return ProcessTaskReport(index: index, started: started, ended: ended, thread: lane.worker, ending: ending,
                                 details: details)
    }

    private static func answer(_ line: String) {
        // The parent gone, nobody reads the answer: the worker then ends at its next read.
        try? FileDescriptor.standardOutput.writeAll(line)
    }
}
