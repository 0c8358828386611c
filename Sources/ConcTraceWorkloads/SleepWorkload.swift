#if canImport(Glibc)
import Glibc
#endif
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// Pure waiting: each task waits `steps` times for `sleep`. With nothing to compute, a run's time beyond the
/// sleeping itself is scheduling and switching.
public struct SleepWorkload: Workload {
    public var name: String { WorkloadKind.sleep.rawValue }
    public let taskCount: Int
    /// How many times each task waits.
    public let steps: Int
    /// How long each wait is, in nanoseconds.
    public let sleepNanoseconds: UInt64
    public var taskLabel: StaticString { "sleep" }
    public var parameters: [(key: String, value: AnnotationValue)] {
        [("steps", .int(Int64(steps))), ("sleep_ms", .double(Double(sleepNanoseconds) / 1e6))]
    }

    /// Makes the workload.
    public init(tasks: Int, steps: Int, sleepNanoseconds: UInt64) {
        precondition(tasks > 0 && steps > 0, "sleep workload needs tasks and steps")
        self.taskCount = tasks
        self.steps = steps
        self.sleepNanoseconds = sleepNanoseconds
    }

    public func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome {
        for _ in 0..<steps {
            if context.cancellation.isCancelled { throw TaskError.cancelled }
            context.blockingWait(.timer) { Self.sleep(nanoseconds: sleepNanoseconds) }
        }
        return TaskOutcome()
    }

    nonisolated(nonsending) public func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
        for _ in 0..<steps {
            if context.cancellation.isCancelled { throw TaskError.cancelled }
            await context.waiter.sleep(nanoseconds: sleepNanoseconds)
        }
        return TaskOutcome()
    }

    /// Blocks the calling thread for `nanoseconds`, resuming after signals.
    static func sleep(nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
