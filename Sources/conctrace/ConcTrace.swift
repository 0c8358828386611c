import ArgumentParser
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
            Exit codes: 0 success; 1 internal error; 3 some tasks failed; 64 bad arguments; \
            71 workers could not be started; 73 output cannot be created; 74 writing output failed \
            (e.g. disk full; what was written is kept); 130 interrupted (SIGINT); 143 terminated (SIGTERM).
            """,
        version: "conctrace \(version) (\(libraryVersions))",
        subcommands: [Run.self, Bench.self]
    )

    /// The C libraries linked in, as their own version strings say.
    static var libraryVersions: String {
        let curl = ct_version_info().pointee.version.map { String(cString: $0) } ?? "?"
        let jsonc = String(cString: json_c_version())
        return "libcurl \(curl), json-c \(jsonc)"
    }
}
