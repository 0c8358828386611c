#if canImport(Glibc)
import Glibc
#endif

/// The exit codes conctrace documents (README, `conctrace --help`), and which failure each stands for: the CLI ends
/// with them, and `sweep`, `demo` and `advise` read them back from their child runs. Values follow sysexits.h where
/// one fits.
public enum ExitStatus: Int32, Sendable {
    /// Everything asked for was done.
    case success = 0
    /// An unexpected internal error.
    case internalError = 1
    /// The run finished but some tasks failed (their errors are in the trace).
    case partialFailure = 3
    /// Bad arguments (ArgumentParser's validation errors use the same code).
    case usage = 64
    /// Malformed input data, e.g. a trace that is not JSON (EX_DATAERR).
    case dataError = 65
    /// An input file cannot be opened (EX_NOINPUT).
    case noInput = 66
    /// A server cannot listen, e.g. its port is in use (EX_UNAVAILABLE).
    case cannotListen = 69
    /// Workers could not be started (EX_OSERR).
    case cannotStartWorkers = 71
    /// An output file cannot be created (EX_CANTCREAT).
    case cannotCreateOutput = 73
    /// Writing output failed part-way, e.g. a full disk (EX_IOERR); what was written is kept.
    case ioError = 74
    /// Interrupted by SIGINT (Ctrl-C): 128 + 2.
    case interrupted = 130
    /// Terminated by SIGTERM: 128 + 15.
    case terminated = 143

    /// The status for a run stopped by `signal`.
    public static func forSignal(_ signal: Int32) -> ExitStatus {
        signal == SIGTERM ? .terminated : .interrupted
    }

    /// The status of a failure of `kind`: the one mapping from the Lab's failures to exit codes.
    public init(_ kind: LabError.Kind) {
        switch kind {
        case .usage: self = .usage
        case .dataError: self = .dataError
        case .noInput: self = .noInput
        case .cannotListen: self = .cannotListen
        case .cannotStartWorkers: self = .cannotStartWorkers
        case .cannotCreateOutput: self = .cannotCreateOutput
        case .ioError: self = .ioError
        }
    }
}
