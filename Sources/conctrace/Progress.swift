#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr for the commands that make many runs (`sweep`, `demo`, `advise`, `bench switch`): on a
/// terminal, one line rewritten at each step; with `--verbose`, a line per step (`conctrace: round 2 · threads ·
/// ±3.1% …`), terminal or not; otherwise nothing (a log, a pipe, a test). The number of steps is not known ahead:
/// an adaptive plan decides between rounds.
struct Progress {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let verbose: Bool

    /// A display; `verbose` prints a line per step.
    init(verbose: Bool = false) {
        self.verbose = verbose
    }

    /// Shows that step `text` is starting.
    func begin(_ text: String) {
        let line = "\(text) …"
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
