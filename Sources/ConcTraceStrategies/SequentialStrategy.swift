import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads

/// Every task, one after another, on the calling thread: the baseline the others are measured against.
public struct SequentialStrategy: Strategy {
    public var kind: StrategyKind { .sequential }
    public var workers: Int { 1 }

    /// Makes the strategy.
    public init() {}

    public func run(_ workload: any Workload, in context: RunContext) throws -> RunResult {
        let batch = Batch(workload: workload, context: context, rootOnCallingThread: true)
        let tasks = (0..<workload.taskCount).map { batch.spawn(index: $0) }
        batch.rootWaitsForChildren()
        context.mainLane.recordOSSwitches()
        for (index, task) in tasks.enumerated() {
            batch.execute(index: index, task: task, on: context.mainLane)
        }
        context.mainLane.recordOSSwitches()
        return batch.complete(workers: 1)
    }
}
