import ConcTraceRecorder
import ConcTraceSystem
import Synchronization

/// The async pool's I/O thread: an ``EventLoop`` used only as an ``IOReactor`` (no task runs on it), started on
/// first use, so runs that do no I/O have no such thread and no such track in the trace.
///
/// ```
///   pool thread: task ── execute ──▶ I/O thread: curl multi ── epoll, timers
///                                         │ transfer done: continuation.resume
///   pool thread ◀── enqueue (ready, recorded on the I/O thread's track) ─┘
/// ```
///
/// A task resumed from here is recorded `ready` on this thread's lane, which is bound to the thread so the pool
/// records there, not on a lane of its own making.
package final class ReactorThread: IOReactor, Sendable {
    private let recorder: Recorder
    private let name: String
    // Locked (a pthread mutex), which Thread Sanitizer sees through, as for the pool's shared state.
    private let loop = Locked<Result<EventLoop, OSError>?>(nil)

    /// Makes the reactor; its thread starts with the first `execute`.
    /// - Parameter name: the thread's worker name in the trace.
    package init(recorder: Recorder, name: String) {
        self.recorder = recorder
        self.name = name
    }

    /// Stops the thread, if it was started. Call once the transfers have ended.
    package func stop() {
        if case .success(let loop)? = loop.withLock({ $0 }) { loop.stop() }
    }

    private func started() throws(OSError) -> EventLoop {
        try loop.withLock { (current: inout Result<EventLoop, OSError>?) throws(OSError) -> EventLoop in
            if let current { return try current.get() }
            do throws(OSError) {
                let made = try EventLoop(recorder: recorder, name: name)
                try made.start()
                let recorder = self.recorder
                let lane = made.lane
                try made.execute { recorder.bindCurrentThread(to: lane) }
                current = .success(made)
                return made
            } catch {
                current = .failure(error)
                throw error
            }
        }
    }

    package func execute(_ action: @escaping @Sendable () -> Void) throws(OSError) {
        try started().execute(action)
    }

    package func watch(_ fd: Int32, for interest: IOEvents, _ handler: @escaping (IOEvents) -> Void) throws(OSError) {
        try started().watch(fd, for: interest, handler)
    }

    package func unwatch(_ fd: Int32) {
        (try? started())?.unwatch(fd)
    }

    package func schedule(at deadline: UInt64, _ action: @escaping () -> Void) {
        (try? started())?.schedule(at: deadline, action)
    }
}
