#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceWorkloads

/// The worker side of the processes strategy (`conctrace worker`): reads tasks from stdin, runs each on the
/// calling thread recording it on `lane` under the parent's task id, and answers on stdout (see
/// `ProcessWorkerLink` for the lines). At end of input it records its OS switches and answers with its
/// getrusage(RUSAGE_SELF).
public enum ProcessWorker {
    /// Serves tasks until stdin closes.
    public static func serve(_ workload: any Workload, lane: EventLane, cancellation: Cancellation) {
        lane.recordOSSwitches()
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        reading: while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break reading }
            buffer += chunk[0..<count]
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                let fields = line.split(separator: " ")
                guard fields.count == 3, fields[0] == "T", let index = Int(fields[1]), let task = UInt64(fields[2]),
                      (0..<workload.taskCount).contains(index) else { continue }
                answer(run(workload, index: index, task: task, lane: lane, cancellation: cancellation))
            }
        }
        lane.recordOSSwitches()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Int(usage.ru_utime.tv_sec) * 1_000_000 + Int(usage.ru_utime.tv_usec)
        let system = Int(usage.ru_stime.tv_sec) * 1_000_000 + Int(usage.ru_stime.tv_usec)
        answer("U \(user) \(system) \(usage.ru_nvcsw) \(usage.ru_nivcsw)\n")
    }

    private static func run(_ workload: any Workload, index: Int, task: UInt64, lane: EventLane,
                            cancellation: Cancellation) -> String {
        lane.record(.created, task: task, value: UInt128(index), hasValue: true, label: workload.taskLabel)
        let started = MonotonicClock.now()
        lane.record(.running, task: task)
        let prefix = "R \(index) \(started) \(lane.worker)"
        do {
            let outcome = try workload.runBlocking(
                index: index, context: BlockingContext(lane: lane, task: task, cancellation: cancellation))
            lane.record(.done, task: task, value: outcome.result ?? 0, hasValue: outcome.result != nil)
            return prefix + " ok " + (outcome.result.map { String($0) } ?? "-") + "\n"
        } catch {
            lane.record(.failed, task: task)
            let text = String(describing: error).map { $0 == "\n" ? " " : $0 }
            return prefix + " err " + String(text) + "\n"
        }
    }

    private static func answer(_ line: String) {
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
