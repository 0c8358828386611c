import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The exit codes conctrace documents (README, `conctrace --help`). Values follow sysexits.h where one fits.
enum ExitStatus: Int32 {
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
    static func forSignal(_ signal: Int32) -> ExitStatus {
        signal == SIGTERM ? .terminated : .interrupted
    }

    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// A failure the CLI reports in one line and maps to an exit code.
struct CLIFailure: Error {
    var message: String
    var status: ExitStatus
}

/// Writes `conctrace: error: <message>` to stderr, as one line.
func printError(_ message: String) {
    writeAll(STDERR_FILENO, "conctrace: error: \(message)\n")
}

/// Writes `conctrace: <message>` to stderr, as one line: a note that is not an error (e.g. a summary on exit).
func printNote(_ message: String) {
    writeAll(STDERR_FILENO, "conctrace: \(message)\n")
}

/// Writes a line to stdout, unbuffered (a line must not wait in a buffer when the process exits on a signal).
func printLine(_ line: String) {
    writeAll(STDOUT_FILENO, line + "\n")
}

private func writeAll(_ descriptor: Int32, _ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
