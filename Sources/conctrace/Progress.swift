#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr for the commands that make many runs (`sweep`, `demo`, `advise`): on a terminal, one line
/// rewritten at each step; with `--verbose`, a line per step (`conctrace: [2/8] sleep/threads × 100 …`), terminal or
/// not; otherwise nothing (a log, a pipe, a test).
struct Progress {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let verbose: Bool
    private let total: Int
    private var step = 0

    /// A display for `total` steps.
    init(total: Int, verbose: Bool = false) {
        self.total = total
        self.verbose = verbose
    }

    /// Shows that step `text` is starting.
    mutating func begin(_ text: String) {
        step += 1
        let line = "[\(step)/\(total)] \(text) …"
        if verbose {
            printNote(line)
        } else if isTerminal {
            Output.raw("\r\u{1B}[2K" + line)
        }
    }

    /// Clears the line (before ordinary output).
    func clear() {
        guard isTerminal, !verbose else { return }
        Output.raw("\r\u{1B}[2K")
    }
}
