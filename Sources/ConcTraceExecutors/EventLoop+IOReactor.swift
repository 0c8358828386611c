import CLinux
import ConcTraceRecorder
import ConcTraceSystem

/// The loop as an ``IOReactor``: its epoll waits for the watched sockets, its timer heap for the deadlines, and
/// the callbacks run on its thread between task slices. The download workload's curl multi runs here.
extension EventLoop: IOReactor {
    /// Runs `action` on the loop thread: at once when called there; from another thread, as a small job of the
    /// loop's own (not a task in the trace), after the jobs already sent.
    public func execute(_ action: @escaping @Sendable () -> Void) throws(OSError) {
        if inLoopThread {
            action()
        } else {
            Task(executorPreference: self) { action() }
        }
    }

    /// Watches `fd` for `interest` through epoll (level-triggered). Call on the loop thread.
    public func watch(_ fd: Int32, for interest: IOEvents, _ handler: @escaping (IOEvents) -> Void) throws(OSError) {
        var events: UInt32 = 0
        if interest.contains(.readable) { events |= EPOLLIN.rawValue }
        if interest.contains(.writable) { events |= EPOLLOUT.rawValue }
        try watch(fd, events: events) { mask in
            var ready: IOEvents = []
            // A hang-up reads as readable: the reader then sees the end of the stream.
            if mask & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 { ready.insert(.readable) }
            if mask & EPOLLOUT.rawValue != 0 { ready.insert(.writable) }
            if mask & EPOLLERR.rawValue != 0 { ready.insert(.error) }
            handler(ready)
        }
    }
}
