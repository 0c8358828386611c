import ArgumentParser
import ConcTraceLab

extension ConcTrace {
    /// Removes a temporary folder when the process that made it ends (hidden): started by the Lab's `ScratchFolder`.
    struct Cleanup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a temporary folder when its owner ends (started by conctrace advise).",
            shouldDisplay: false
        )

        @Argument(parsing: .captureForPassthrough, help: "--remove-when-parent-ends FOLDER")
        var arguments: [String] = []

        func run() throws {
            try reportingFailures {
                try ScratchFolder.watch(arguments)
            }
        }
    }
}
