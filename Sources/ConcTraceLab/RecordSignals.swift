#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem
import Synchronization

/// SIGINT and SIGTERM while `record` waits for its program: sent to `record` (kill, a supervisor), they are
/// forwarded to the program, whose tracer completes the trace before the program dies of them; typed at the
/// terminal (Ctrl-C), they already reached the program, which shares `record`'s process group, and are not sent
/// twice.
///
/// The signals stay blocked in every thread (`SignalWatcher.block()`, first thing in `main`); one thread takes them
/// with `sigwaitinfo`, which says who sent each.
enum RecordSignals {
    /// The program to forward to (0: none).
    private static let target = Atomic<Int32>(0)
    private static let started = Atomic<Bool>(false)

    /// Starts forwarding to `pid` (the watcher thread starts on the first call).
    static func forward(to pid: pid_t) {
        target.store(pid, ordering: .releasing)
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        SignalWatcher.block()
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in SignalWatcher.watched { sigaddset(&signals, signal) }
        let watched = signals
        _ = try? OSThread(name: "ct-record-sig") {
            var set = watched
            while true {
                var info = siginfo_t()
                let signal = sigwaitinfo(&set, &info)
                guard signal > 0 else { continue }
                // si_code > 0: the kernel sent it (a terminal's Ctrl-C, to the whole foreground group).
                guard info.si_code <= 0 else { continue }
                let pid = target.load(ordering: .acquiring)
                if pid > 0 { kill(pid, signal) }
            }
        }
    }

    /// The program has ended: nothing more to forward to.
    static func stopForwarding() {
        target.store(0, ordering: .releasing)
    }
}
