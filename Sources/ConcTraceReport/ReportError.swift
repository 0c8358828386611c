import ConcTraceAnalysis

/// Why `HTMLReport.render` could not make a report.
public enum HTMLReportError: Error, Sendable, CustomStringConvertible {
    /// A trace could not be read: it cannot be opened (`isInputUnavailable`), is empty, holds no events, or is
    /// malformed (the error names the byte offset).
    case trace(TraceAnalysisError)
    /// Neither a trace nor sweep results were given: there is nothing to report.
    case nothingToReport

    /// One line saying what is wrong (the trace's error is already escaped for a terminal).
    public var description: String {
        switch self {
        case .trace(let error): "\(error)"
        case .nothingToReport: "nothing to report: give at least one trace or a sweep file"
        }
    }

    /// True when an input file could not be opened or read (exit 66); otherwise the input is wrong (65) or
    /// missing altogether (`nothingToReport`, a usage error: 64).
    public var isInputUnavailable: Bool {
        if case .trace(let error) = self { error.isInputUnavailable } else { false }
    }
}
