#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder

/// Turns SIGINT and SIGTERM into a call on a thread of its own, so the handler may lock, allocate and write files
/// (a real signal handler may do none of these).
///
/// `start` blocks the signals in the calling thread, and so in every thread started after it: call it first.
enum SignalWatcher {
    /// Starts watching; `handler` runs on the watcher thread for each SIGINT or SIGTERM.
    static func start(_ handler: @escaping @Sendable (Int32) -> Void) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let watched = signals
        _ = try? OSThread(name: "ct-signals") {
            var set = watched
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { handler(received) }
            }
        }
    }
}
