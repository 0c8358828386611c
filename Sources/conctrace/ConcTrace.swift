import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif
import CCurl
import CJSONC

/// conctrace: which concurrency strategy should this work use, and what does switching between tasks cost?
@main
struct ConcTrace: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "conctrace",
        abstract: "Measure concurrency strategies: run workloads, record every task's life, write Chrome traces.",
        discussion: """
            Exit codes: 0 success; 1 internal error; 3 some tasks (or runs) failed; 64 bad arguments; \
            65 malformed input; 66 input cannot be opened; 69 cannot listen (port in use); \
            71 workers could not be started; 73 output cannot be created; 74 writing output failed \
            (e.g. disk full; what was written is kept); 130 interrupted (SIGINT); 143 terminated (SIGTERM).
            """,
        version: "conctrace \(version) (\(libraryVersions))",
        subcommands: [
            Demo.self, Run.self, Sweep.self, Advise.self, Bench.self, Serve.self, Analyze.self, Compare.self,
            Report.self, View.self, Worker.self,
        ]
    )

    /// Parses and runs a command. Usage errors are one line (`conctrace: error: ...`) with exit code 64;
    /// help and version print as usual; a command's own failures have already printed their line.
    static func main() {
        let code: Int32
        do {
            var command = try parseAsRoot()
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
        Glibc.exit(code)
    }

    /// The C libraries linked in, as their own version strings say.
    static var libraryVersions: String {
        let curl = ct_version_info().pointee.version.map { String(cString: $0) } ?? "?"
        let jsonc = String(cString: json_c_version())
        return "libcurl \(curl), json-c \(jsonc)"
    }
}
