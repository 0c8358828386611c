import ArgumentParser
import ConcTraceLab
import ConcTraceSystem

#if canImport(Glibc)
import Glibc
#endif

/// conctrace: which concurrency strategy should this work use, and what does switching between tasks cost?
@main
struct ConcTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conctrace",
        abstract: "Measure concurrency strategies: run workloads, record every task's life, write Chrome traces.",
        discussion: """
            Exit codes: 0 success; 1 internal error; 3 some tasks (or runs) failed; 64 bad arguments; \
            65 malformed input; 66 input cannot be opened; 69 cannot listen (port in use); \
            71 workers could not be started; 73 output cannot be created; 74 writing output failed \
            (e.g. disk full; what was written is kept); 130 interrupted (SIGINT); 143 terminated (SIGTERM).
            """,
        version: "conctrace \(Lab.version) (\(Lab.libraryVersions))",
        subcommands: [
            Demo.self, Run.self, Record.self, Sweep.self, Advise.self, Bench.self, Serve.self, Analyze.self,
            Compare.self, Report.self, View.self, Worker.self, Cleanup.self,
        ]
    )

    /// Parses and runs a command. Usage errors are one line (`conctrace: error: ...`) with exit code 64;
    /// help and version print as usual; a command's own failures have already printed their line; a failed write
    /// to stdout ends with 74.
    static func main() {
        // First of all: a Ctrl-C that comes before a command is ready for it waits instead of killing the process
        // (each command then handles it, or unblocks it); a child run ends with its parent.
        ProcessLife.start()
        var code: Int32
        do {
            var command = try parseAsRoot()
            if !(command is HandlesSignals) { SignalWatcher.unblock() }
            try command.run()
            code = 0
        } catch let exit as ExitCode {
            code = exit.rawValue
        } catch {
            code = exitCode(for: error).rawValue
            if code == 0 {
                printLine(fullMessage(for: error))
            } else {
                let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                printError("\(message) (see 'conctrace --help')")
            }
        }
        if let failure = Output.failure, code == 0 || code == ExitStatus.partialFailure.rawValue {
            printError("writing standard output failed: \(failure)")
            code = ExitStatus.ioError.rawValue
        }
        Glibc.exit(code)
    }
}

/// A command that handles SIGINT and SIGTERM itself (it starts a watcher first thing); the others get the default
/// action.
protocol HandlesSignals {}

extension ExitStatus {
    /// The status as ArgumentParser's exit code.
    var exitCode: ExitCode { ExitCode(rawValue) }
}
