import ArgumentParser
import ConcTraceLab

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct Record: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Run a Swift program with no change to it and trace its tasks: conctrace record -- PROGRAM.",
            discussion: """
                Runs PROGRAM (no shell) with conctrace's tracing runtime preloaded: the program's global executor \
                becomes conctrace's instrumented pool and every task is recorded; when the program ends, record \
                writes the Chrome trace (default traces/record-<program>.json), the same format as run's, for \
                analyze, compare, report and view. \
                stdin, stdout and stderr are the program's; record prints its one line on stderr when the program \
                ends, and exits with the program's status (128+N if signal N ended it). SIGINT and SIGTERM sent to \
                record are forwarded; the trace is completed first. A program that is not a dynamically linked \
                Swift program still runs, and record says there was nothing to trace. Exit codes of its own: 66 \
                PROGRAM not found or not executable, 71 the tracing libraries are missing, 73 the trace cannot be \
                created. docs/trace-format.md says what is and is not visible.
                """
        )

        @Option(help: "Pool threads that run the program's tasks (default: one per core, like Swift's own pool).")
        var workers: Int?

        @Option(help: "Where to write the trace (default: traces/record-<program>.json).")
        var out: String?

        @Option(help: "Output on stderr: text (one line) or json (one object).")
        var format: OutputFormat = .text

        @Argument(parsing: .captureForPassthrough, help: "-- PROGRAM [ARGS...]: the program and its arguments.")
        var command: [String] = []

        /// The program and its arguments, without a leading `--`.
        private var programLine: [String] {
            command.first == "--" ? Array(command.dropFirst()) : command
        }

        func validate() throws {
            if let workers, workers <= 0 { throw ValidationError("--workers must be at least 1 (got \(workers))") }
            if let workers, workers > 1024 { throw ValidationError("--workers must be at most 1024 (got \(workers))") }
            guard let program = programLine.first, !program.isEmpty else {
                throw ValidationError("give the program to record after --: conctrace record [options] -- PROGRAM")
            }
        }

        func run() throws {
            let line = programLine
            let request = RecordRequest(
                program: line[0], arguments: Array(line.dropFirst()), workers: workers,
                tracePath: out ?? RecordRequest.defaultTracePath(program: line[0]),
                commandLine: CommandLine.arguments.joined(separator: " "))
            try reportingFailures {
                let summary = try RecordRun.execute(request)
                if format == .json { Output.raw(summary.jsonText + "\n") } else { printNote(summary.text) }
                if case .signaled(let signal) = summary.exit {
                    printError("\(request.program) was ended by signal \(signal) (\(signalName(signal)))" +
                               (summary.trace.map { summary.complete ? "; its recording was finished first, trace \($0)"
                                   : "; the trace \($0) holds what was recorded up to then" } ?? ""))
                }
                if summary.exit.status != 0 { throw ExitCode(summary.exit.status) }
            }
        }

        private func signalName(_ signal: Int32) -> String {
            String(cString: strsignal(signal))
        }
    }
}
