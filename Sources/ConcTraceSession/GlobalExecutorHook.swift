@_spi(ExperimentalCustomExecutors) import _Concurrency
import CConcTraceHooks
import ConcTraceExecutors
import ConcTraceSystem
import Synchronization

/// Swift's global executor replaced by a pool, in two ways the runtime offers:
/// - its hooks (`swift_task_enqueueGlobal_hook` and the delayed ones) call these C callbacks, which hand each job to
///   the installed pool (or back to the runtime's executor when none is installed);
/// - the pool becomes `Task.defaultExecutor` (the runtime's executor factory, Swift 6.3): `Task.sleep` then asks the
///   pool to schedule its wake-up (so the sleeping task is recorded `waiting (timer)`), and jobs run on the pool
///   are on the default executor (run on another task executor, a task hops back to the default one first).
///
/// One pool per process holds the hooks; the callbacks find it through an atomic reference, since a C callback
/// carries no context.
enum GlobalExecutorHook {
    /// The installed pool, retained (0: none).
    private static let installed = Atomic<UInt>(0)

    static var recordingMainExecutor: RecordingMainExecutor? { mainExecutor.withLock { $0 } }

    static var pool: WorkerPool? {
        let raw = installed.load(ordering: .acquiring)
        guard raw != 0 else { return nil }
        return Unmanaged<WorkerPool>.fromOpaque(UnsafeRawPointer(bitPattern: raw)!).takeUnretainedValue()
    }

    /// The recording main executor, while installed.
    private static let mainExecutor = Locked<RecordingMainExecutor?>(nil)

    /// Makes `pool` the global executor, and `main` the main actor's.
    /// - Throws: `TraceSessionError.globalExecutorUnavailable`.
    static func install(_ pool: WorkerPool, main: RecordingMainExecutor) throws(TraceSessionError) {
        let raw = UInt(bitPattern: Unmanaged.passRetained(pool).toOpaque())
        guard installed.compareExchange(expected: 0, desired: raw, ordering: .acquiringAndReleasing).exchanged else {
            Unmanaged<WorkerPool>.fromOpaque(UnsafeRawPointer(bitPattern: raw)!).release()
            throw .globalExecutorUnavailable("another trace session in this process holds it")
        }
        switch ct_hooks_install(enqueue, enqueueAfter) {
        case CT_HOOKS_INSTALLED:
            mainExecutor.withLock { $0 = main }
            _createExecutors(factory: TracingExecutorFactory.self)
            return
        case CT_HOOKS_TAKEN:
            uninstall()
            throw .globalExecutorUnavailable("another global executor (e.g. SwiftNIO's) holds the runtime's hook")
        default:
            uninstall()
            throw .globalExecutorUnavailable("this process's Swift runtime has no executor hooks")
        }
    }

    /// Gives the global executor back to the runtime (the pool itself stays, for the jobs bound to it).
    static func uninstall() {
        ct_hooks_uninstall()
        if pool != nil {
            mainExecutor.withLock { $0 = nil }
            _createExecutors(factory: PlatformExecutorFactory.self)
        }
        let raw = installed.exchange(0, ordering: .acquiringAndReleasing)
        if raw != 0 { Unmanaged<WorkerPool>.fromOpaque(UnsafeRawPointer(bitPattern: raw)!).release() }
    }

    private static let enqueue: ct_enqueue_callback = { job in
        guard let pool else { return ct_enqueue_on_runtime_executor(job) }
        pool.enqueue(ExecutorJob(unsafeBitCast(job, to: UnownedJob.self)))
    }

    private static let enqueueAfter: ct_delayed_enqueue_callback = { delay, job in
        guard let pool else { return ct_enqueue_on_runtime_executor(job) }
        pool.scheduleWakeUp(unsafeBitCast(job, to: UnownedJob.self), afterNanoseconds: delay)
    }
}

/// The runtime's executors with the installed pool as the default one and the recording main executor as the main
/// actor's.
struct TracingExecutorFactory: ExecutorFactory {
    static var mainExecutor: any MainExecutor {
        GlobalExecutorHook.recordingMainExecutor ?? PlatformExecutorFactory.mainExecutor
    }

    static var defaultExecutor: any TaskExecutor { GlobalExecutorHook.pool ?? PlatformExecutorFactory.defaultExecutor }
}
