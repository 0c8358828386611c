import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import ConcTraceWorkloads

/// A pool of OS threads fed from one ready queue: tasks wait in the queue `ready`; a worker takes the next one and
/// runs it to its end, blocking the thread (the task `waiting`) wherever the task waits.
public struct ThreadPoolStrategy: Strategy {
    public var kind: StrategyKind { .threads }
    public let workers: Int

    /// The default pool size: one thread per task, at most 64.
    public static func defaultWorkers(tasks: Int) -> Int { min(tasks, 64) }

    /// Makes a pool of `workers` threads.
    public init(workers: Int) {
        precondition(workers > 0, "a pool needs a worker")
        self.workers = workers
    }

    public func run(_ workload: any Workload, in context: RunContext) throws -> RunResult {
        let batch = Batch(workload: workload, context: context, rootOnCallingThread: true)
        let queue = ReadyQueue<(index: Int, task: UInt64)>()
        var threads: [OSThread] = []
        threads.reserveCapacity(workers)
        do throws(OSError) {
            for number in 1...workers {
                let lane = context.recorder.makeLane(name: "thread \(number)")
                threads.append(try OSThread(name: "ct-worker-\(number)") {
                    lane.recordOSSwitches()
                    while let item = queue.pop() {
                        batch.execute(index: item.index, task: item.task, on: lane)
                    }
                    lane.recordOSSwitches()
                })
            }
        } catch {
            // Let the workers that did start see an empty, closed queue and leave.
            queue.close()
            threads.forEach { $0.join() }
            throw StrategyError.cannotStartWorker(index: threads.count + 1, error)
        }
        for index in 0..<workload.taskCount {
            queue.push((index, batch.spawn(index: index)))
        }
        batch.rootWaitsForChildren()
        queue.close()
        threads.forEach { $0.join() }
        return batch.complete(workers: workers)
    }
}
