#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem
import Dispatch

/// The life of a command that serves until something happens (`serve`, `view`): the first of an outcome, delivered
/// from any thread, or SIGINT/SIGTERM ends the wait on the main thread; a signal after that ends the process at once
/// (130 or 143).
public final class ServingSession<Outcome: Sendable>: Sendable {
    /// What ended the wait.
    public enum Ending: Sendable {
        case outcome(Outcome)
        case signal(Int32)
    }

    private let ending = Locked<Ending?>(nil)
    private let arrived = DispatchSemaphore(value: 0)

    /// Makes a session and starts watching the signals (call it before any other thread starts).
    public init() {
        SignalWatcher.start { [self] signal in
            if !settle(.signal(signal)) { _exit(ExitStatus.forSignal(signal).rawValue) }
        }
    }

    /// Ends the wait with `outcome`, unless something ended it already.
    public func deliver(_ outcome: Outcome) {
        _ = settle(.outcome(outcome))
    }

    /// Blocks until the first outcome or signal, and returns it.
    public func wait() -> Ending {
        arrived.wait()
        return ending.withLock { $0! }
    }

    private func settle(_ candidate: Ending) -> Bool {
        let first = ending.withLock { ending in
            guard ending == nil else { return false }
            ending = candidate
            return true
        }
        if first { arrived.signal() }
        return first
    }
}
