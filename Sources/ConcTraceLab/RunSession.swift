#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSiteServer
import ConcTraceStrategies
import ConcTraceSystem
import ConcTraceWorkloads
import Synchronization

/// A traced run's life with signals: Ctrl-C (SIGINT) or SIGTERM cancels the run, which then ends its tasks as
/// cancelled and closes its trace as usual; if it has not ended within the grace period (or on a second signal),
/// the session closes the trace with what was recorded, stops the worker processes, and ends the process.
///
/// ```
///   signal thread ── interrupt ──▶ cancel the run, shut the embedded server ──(grace period)──┐
///   run's thread ── beginExit ──▶ finishes normally                                          ▼
///                                             whoever claims the exit first finishes; a forced exit:
///                                             kill and reap workers, close the trace, merge, report, exit
/// ```
public final class RunSession: Sendable {
    /// Set when the run is being cancelled.
    public let cancellation = Cancellation()
    private let signal = Atomic<Int32>(0)
    private let exiting = Atomic<Bool>(false)
    private let attached = Locked<(recorder: Recorder?, tracePath: String?)>((nil, nil))
    private let embeddedServer = Locked<SiteServer?>(nil)
    private let processLog = Locked<ProcessPoolLog?>(nil)
    private let forcedExit: @Sendable (_ message: String, _ signal: Int32) -> Never

    /// How long running tasks get to wind down after Ctrl-C before the trace is closed without them.
    public static let graceNanoseconds: UInt64 = 2_000_000_000

    /// Makes a session.
    /// - Parameter forcedExit: prints the one-line message and ends the process with the signal's exit status, when
    ///   the run did not end within the grace period.
    public init(forcedExit: @escaping @Sendable (_ message: String, _ signal: Int32) -> Never) {
        self.forcedExit = forcedExit
    }

    /// Starts watching SIGINT and SIGTERM for this session (call it before anything else starts a thread).
    public func watchSignals() {
        SignalWatcher.start { [self] in interrupt(signal: $0) }
    }

    /// Cancels the run as a signal would, without one (tests, and callers that stop a run themselves).
    public func cancel() {
        cancellation.cancel()
    }

    func attach(recorder: Recorder, tracePath: String?) {
        attached.withLock { $0 = (recorder, tracePath) }
    }

    /// The worker processes of a `--strategy processes` run: stopped, and their events merged, on a forced exit.
    func attach(processLog log: ProcessPoolLog) {
        processLog.withLock { $0 = log }
    }

    /// The run's embedded site server, shut down on the first signal: transfers still waiting on it end at once.
    func attach(server: SiteServer) {
        embeddedServer.withLock { $0 = server }
    }

    /// The signal that interrupted the run, if one did.
    public var receivedSignal: Int32? {
        let value = signal.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Claims the right to finish the process; false if the signal thread already did.
    func beginExit() -> Bool {
        !exiting.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Parks the calling thread while the signal thread finishes the process.
    func waitForever() -> Never {
        while true { pause() }
    }

    /// On the signal thread: cancel the run; if it has not ended within the grace period (or on a second
    /// signal), close the trace with what was recorded and exit.
    private func interrupt(signal received: Int32) {
        let first = signal.compareExchange(expected: 0, desired: received, ordering: .acquiringAndReleasing).exchanged
        cancellation.cancel()
        embeddedServer.withLock { $0 }?.shutdown()
        if first {
            let deadline = MonotonicClock.now() + Self.graceNanoseconds
            while MonotonicClock.now() < deadline {
                if exiting.load(ordering: .acquiring) { return }
                var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
                nanosleep(&pause, nil)
            }
        }
        guard beginExit() else { return }
        let (recorder, tracePath) = attached.withLock { $0 }
        // Worker processes must not outlive the run: kill and reap them, so their logs hold what they flushed.
        let workers = processLog.withLock { $0 }
        workers?.stopUnreapedWorkers()
        let stats = recorder?.finish()
        var message = "interrupted before the running tasks ended"
        if let workers, let tracePath, recorder?.sinkFailure == nil {
            do {
                try TracedRun.merge(workers, into: tracePath)
            } catch {
                message += "; merging the workers' traces failed (\(error))"
            }
        }
        workers?.closeEventLogs()
        if let tracePath, let stats {
            message += "; trace so far in \(tracePath) (\(stats.events) events)"
        }
        forcedExit(message, received)
    }
}
