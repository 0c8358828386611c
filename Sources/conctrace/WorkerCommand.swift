import ArgumentParser
import ConcTraceLab

extension ConcTrace {
    /// A worker process of `--strategy processes` (hidden): its arguments are the Lab's (`WorkerRequest`).
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve tasks for --strategy processes over stdin/stdout (started by conctrace run).",
            shouldDisplay: false
        )

        @Argument(parsing: .captureForPassthrough, help: "The worker's request, as conctrace run writes it.")
        var arguments: [String] = []

        func run() throws {
            try reportingFailures {
                try WorkerRequest(parsing: arguments).serve()
            }
        }
    }
}
