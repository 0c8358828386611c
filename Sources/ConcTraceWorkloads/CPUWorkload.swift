import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// The tutorial's CPU-bound experiment: task `k` computes the sum of `i * i` for `i` in `0..<(base + k)`.
///
/// The sums pass `UInt64` for the tutorial's sizes (n = 10,000,000 gives 333333283333335000000), so they are
/// computed exactly in 128 bits, with the loop: this is the CPU-bound work, not a formula.
public struct CPUWorkload: Workload {
    public var name: String { WorkloadKind.cpu.rawValue }
    public let taskCount: Int
    /// The `n` of task 0.
    public let base: Int
    public var taskLabel: StaticString { "cpu" }
    public var parameters: [(key: String, value: AnnotationValue)] { [("base", .int(Int64(base)))] }

    /// The largest `base + tasks` accepted: far beyond what finishes in reasonable time, and well inside 128 bits.
    public static let maximumN = 1_000_000_000_000

    /// Makes the workload. The tutorial's defaults: 20 tasks, base 10,000,000.
    public init(tasks: Int = 20, base: Int = 10_000_000) {
        precondition(tasks > 0 && base >= 0 && base + tasks <= Self.maximumN, "cpu workload out of range")
        self.taskCount = tasks
        self.base = base
    }

    /// The `n` of task `index`.
    public func n(forTask index: Int) -> Int { base + index }

    public func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome {
        TaskOutcome(result: Self.sumOfSquares(below: n(forTask: index)))
    }

    /// The same loop, without a suspension point: on an event loop, the loop runs nothing else meanwhile.
    nonisolated(nonsending) public func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
        TaskOutcome(result: Self.sumOfSquares(below: n(forTask: index)))
    }

    /// The sum of `i * i` for `i` in `0..<n`, by the loop.
    public static func sumOfSquares(below n: Int) -> UInt128 {
        precondition(n >= 0 && n <= maximumN, "n out of range")
        var total: UInt128 = 0
        // i * i fits in 64 bits for every i < 2^32, which covers maximumN; the running total needs 128.
        for i in 0..<UInt64(n) {
            total += UInt128(i * i)
        }
        return total
    }

    /// The closed form n(n-1)(2n-1)/6, to check the loop against.
    public static func closedForm(below n: Int) -> UInt128 {
        let value = UInt128(n)
        guard value > 0 else { return 0 }
        return value * (value - 1) * (2 * value - 1) / 6
    }
}
