import ConcTraceLab
import ConcTraceSystem

/// What the CLI prints: results on stdout, one-line errors and notes on stderr, written unbuffered (a line must not
/// wait in a buffer when the process exits on a signal). A failed write to stdout (a full disk, a closed pipe) is
/// kept and ends the command with 74 (`Output.failure`).
enum Output {
    private static let firstFailure = Locked<OSError?>(nil)

    /// The first failed write to stdout, if any.
    static var failure: OSError? { firstFailure.withLock { $0 } }

    /// Writes a line to stdout.
    static func line(_ text: String) {
        do {
            try FileDescriptor.standardOutput.writeAll(text + "\n")
        } catch {
            firstFailure.withLock { if $0 == nil { $0 = error } }
        }
    }

    /// Writes `conctrace: error: <message>` to stderr, as one line.
    static func error(_ message: String) {
        try? FileDescriptor.standardError.writeAll("conctrace: error: \(oneLine(message))\n")
    }

    /// Writes `conctrace: <message>` to stderr, as one line: a note that is not an error.
    static func note(_ message: String) {
        try? FileDescriptor.standardError.writeAll("conctrace: \(oneLine(message))\n")
    }

    /// Writes text to stderr as it is (the progress line's terminal control).
    static func raw(_ text: String) {
        try? FileDescriptor.standardError.writeAll(text)
    }

    /// A message on one line: line breaks become spaces.
    private static func oneLine(_ message: String) -> String {
        guard message.contains(where: \.isNewline) else { return message }
        return String(message.map { $0.isNewline ? " " : $0 })
    }
}

/// Writes a line to stdout (`Output.line`).
func printLine(_ line: String) {
    Output.line(line)
}

/// Writes `conctrace: error: <message>` to stderr (`Output.error`).
func printError(_ message: String) {
    Output.error(message)
}

/// Writes `conctrace: <message>` to stderr (`Output.note`).
func printNote(_ message: String) {
    Output.note(message)
}

/// Runs a command's body; a `LabError` becomes its one line on stderr and its exit code.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as LabError {
        printError(failure.message)
        throw ExitStatus(failure.kind).exitCode
    }
}
