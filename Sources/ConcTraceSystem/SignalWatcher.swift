#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a call on a thread of its own, so the handler may lock, allocate and write files
/// (a real signal handler may do none of these).
///
/// ```
///   main, first thing: block()  ── SIGINT/SIGTERM stay pending, in every thread started later
///   a command that handles them: start(handler) ── a thread sigwaits and calls handler
///   a command that does not:     unblock()      ── the default action (exit) applies, pending ones at once
/// ```
public enum SignalWatcher {
    /// The signals watched: SIGINT (Ctrl-C) and SIGTERM.
    public static let watched: [Int32] = [SIGINT, SIGTERM]

    private static var signalSet: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in watched { sigaddset(&signals, signal) }
        return signals
    }

    /// Blocks the watched signals in the calling thread (and every thread it starts later): a signal that arrives
    /// before a command is ready for it waits instead of killing the process. Call first thing in `main`.
    public static func block() {
        var signals = signalSet
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Unblocks the watched signals in the calling thread: for commands with nothing to save on a signal. A
    /// pending one takes effect at once.
    public static func unblock() {
        var signals = signalSet
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Starts watching; `handler` runs on the watcher thread for each SIGINT or SIGTERM, including one that
    /// arrived, blocked, before this call.
    public static func start(_ handler: @escaping @Sendable (Int32) -> Void) {
        block()
        let watched = signalSet
        _ = try? OSThread(name: "ct-signals") {
            var set = watched
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { handler(received) }
            }
        }
    }
}
