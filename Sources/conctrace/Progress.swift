#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on stderr for the commands that make many runs (`sweep`, `demo`, `advise`): each
/// step rewrites the line when stderr is a terminal; nothing is shown when it is not (a log, a pipe, a test).
struct Progress {
    let isShown = isatty(STDERR_FILENO) == 1
    private let total: Int
    private var step = 0

    /// A display for `total` steps.
    init(total: Int) {
        self.total = total
    }

    /// Shows that step `text` is starting.
    mutating func begin(_ text: String) {
        step += 1
        show("[\(step)/\(total)] \(text) …")
    }

    /// Clears the line (before ordinary output).
    func clear() {
        guard isShown else { return }
        write("\r\u{1B}[2K")
    }

    private func show(_ text: String) {
        guard isShown else { return }
        write("\r\u{1B}[2K" + text)
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
