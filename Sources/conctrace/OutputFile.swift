#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder

/// A text file a command writes whole: `<path>.tmp` is created when it is opened, so an unwritable path fails
/// before any work is done; `commit` writes the text and renames it over `path`, so a reader never sees half a
/// file; a file never committed is removed.
final class OutputFile {
    let path: String
    private let temporary: String
    private var file: UnsafeMutablePointer<FILE>?

    /// Creates `<path>.tmp`.
    /// - Throws: `CLIFailure` (73) when it cannot be created.
    init(path: String) throws {
        self.path = path
        temporary = path + ".tmp"
        guard let file = fopen(temporary, "w") else {
            throw CLIFailure(message: "cannot create \(path): \(OSError(call: "fopen", errno: errno)); check the " +
                                 "folder exists and is writable",
                             status: .cannotCreateOutput)
        }
        self.file = file
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporary)
        }
    }

    /// Writes `text` and puts the file in place.
    /// - Throws: `CLIFailure` (74) when writing fails (e.g. a full disk); nothing is left behind then.
    func commit(_ text: String) throws {
        guard let file else { preconditionFailure("an output file is committed once") }
        self.file = nil
        let written = fputs(text, file) >= 0
        let closed = fclose(file) == 0
        guard written, closed, rename(temporary, path) == 0 else {
            let error = OSError(call: "write", errno: errno)
            unlink(temporary)
            throw CLIFailure(message: "writing \(path) failed: \(error)", status: .ioError)
        }
    }
}

/// Writes a text file whole (see `OutputFile`).
func writeTextFile(_ text: String, to path: String) throws {
    try OutputFile(path: path).commit(text)
}

/// Runs a command's body; a `CLIFailure` becomes its one line on stderr and its exit code.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as CLIFailure {
        printError(failure.message)
        throw failure.status.exitCode
    }
}

/// The failure for a trace that cannot be read: 66 when the file cannot be opened or read, 65 when its content is
/// not a trace.
func traceInputFailure(_ error: any Error, inputUnavailable: Bool) -> CLIFailure {
    inputUnavailable
        ? CLIFailure(message: "\(error); check the path", status: .noInput)
        : CLIFailure(message: "\(error); is it a Chrome trace (a JSON array of events, or an object with traceEvents)?",
                     status: .dataError)
}
