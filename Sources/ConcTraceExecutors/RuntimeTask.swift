/// What the Swift concurrency runtime says about a job: whether it is a task's own job, the task's id, its flags,
/// and the task running on the calling thread. Checked with Swift 6.3 on Linux (`swift/ABI/Task.h`: a job's flags
/// word follows its metadata, reference counts and two scheduler words).
package enum RuntimeTask {
    /// The job kind of `Task.yield()`'s job (a nullary continuation: it resumes the yielding task).
    package static let nullaryContinuationKind: UInt32 = 195
    /// Job flag: a child task (of a task group or an `async let`).
    package static let childFlag: UInt32 = 1 << 24
    /// Job flag: a child task of a task group.
    package static let groupChildFlag: UInt32 = 1 << 26
    /// Job flag: the child task of an `async let`.
    package static let asyncLetFlag: UInt32 = 1 << 28

    /// The job's address, as the runtime's functions take it.
    package static func pointer(_ job: UnownedJob) -> UnsafeRawPointer {
        unsafeBitCast(job, to: UnsafeRawPointer.self)
    }

    /// The job's flags word: its kind in the low byte (0: a task), its priority in the next.
    package static func flags(of job: UnownedJob) -> UInt32 {
        pointer(job).load(fromByteOffset: 4 * MemoryLayout<UnsafeRawPointer>.size, as: UInt32.self)
    }

    /// Whether the job is a task's own job (not an actor's, nor a runtime job such as `Task.yield`'s).
    package static func isTask(_ job: UnownedJob) -> Bool {
        flags(of: job) & 0xff == 0
    }

    /// The runtime's id of the job's task (unique in the process; the first task is 1).
    package static func id(of job: UnownedJob) -> UInt64 {
        runtimeJobTaskID(pointer(job))
    }

    /// The runtime id of the task running on the calling thread, or 0.
    package static func currentID() -> UInt64 {
        // UnsafeCurrentTask is the task's reference and nothing else.
        withUnsafeCurrentTask { task in task.map { runtimeJobTaskID(unsafeBitCast($0, to: UnsafeRawPointer.self)) } } ?? 0
    }
}

@_silgen_name("swift_task_getJobTaskId")
private func runtimeJobTaskID(_ job: UnsafeRawPointer) -> UInt64
