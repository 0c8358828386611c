import ConcTraceRecorder
import ConcTraceSystem

/// What a watched file descriptor is waited for, or what it became ready for.
public struct IOEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Data (or the peer's close) can be read.
    public static let readable = IOEvents(rawValue: 1 << 0)
    /// Data can be written without blocking.
    public static let writable = IOEvents(rawValue: 1 << 1)
    /// The descriptor has an error pending (only ever reported, never asked for).
    public static let error = IOEvents(rawValue: 1 << 2)
}

/// A thread that waits for many file descriptors and deadlines at once and calls back when one fires: what
/// non-blocking I/O (the curl multi interface) runs on.
///
/// The event loop is one (it runs tasks and their I/O on the same thread); the async pool uses an event loop as a
/// pure reactor on a thread of its own. Everything but `execute` is for the reactor's own thread: callbacks run
/// there, one at a time, so the state they share needs no lock.
///
/// ```
///   any thread ── execute ──▶ reactor thread: watch / unwatch / schedule
///                                   │ epoll, timer heap
///                                   ▼
///                             readiness and deadline callbacks (on the reactor thread)
/// ```
public protocol IOReactor: AnyObject, Sendable {
    /// Runs `action` on the reactor's thread: at once when called there, soon after otherwise.
    /// - Throws: `OSError` when the reactor cannot run (its thread could not be started).
    func execute(_ action: @escaping @Sendable () -> Void) throws(OSError)

    /// Calls `handler` with what happened each time `fd` becomes ready for `interest` (level-triggered), until
    /// `unwatch`. Watching an fd again replaces its interest and handler. Call on the reactor's thread.
    /// - Throws: `OSError` when the fd cannot be watched (e.g. it is not open).
    func watch(_ fd: Int32, for interest: IOEvents, _ handler: @escaping (IOEvents) -> Void) throws(OSError)

    /// Stops watching `fd` (nothing happens if it was not watched). Call on the reactor's thread.
    func unwatch(_ fd: Int32)

    /// Calls `action` once, on the reactor's thread, at `deadline` (monotonic nanoseconds) or as soon after as
    /// the thread is free. A deadline in the past fires in the reactor's next round. Call on the reactor's thread.
    func schedule(at deadline: UInt64, _ action: @escaping () -> Void)
}
