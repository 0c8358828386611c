import ArgumentParser
import ConcTraceLab

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one self-contained HTML page with charts of traces and of a sweep.",
            discussion: """
                At the top, the verdict: for each workload that two or more strategies ran (same workload and \
                parameters, from the traces' run metadata), the strategies compared as 'advise' compares them, \
                each trace counted as one run: the answer, every Mann-Whitney U test behind it, the tutorial's \
                rule and the caveats; for a sweep, its verdict at each size. For the traces: a timeline per trace \
                (those of one workload on one shared time axis), task latency CDFs on one chart, throughput and \
                dispatch overhead per switch as bars (the median of each configuration's traces, with its 95% \
                interval as a whisker and n), and the tables behind them. For a sweep file (written by \
                'conctrace sweep'): wall time, throughput, latency p99 and peak memory against tasks, log-log, \
                each strategy's medians as a line with a band over their 95% intervals, with the runs that \
                failed. The page needs no network and no script (inline SVG and CSS). Exit codes: 64 no trace \
                and no sweep given; 65 a trace or the sweep file is malformed; 66 one cannot be opened; 73 the \
                output cannot be created.
                """
        )

        @Argument(help: "Trace files (Chrome Trace Event JSON, e.g. from 'conctrace run').")
        var traces: [String] = []

        @Option(help: ArgumentHelp("A sweep results file (from 'conctrace sweep') for the scaling charts.",
                                   valueName: "file"))
        var sweep: String?

        @Option(help: ArgumentHelp("Where to write the HTML page.", valueName: "file"))
        var out: String

        @Option(help: "The page's heading.")
        var title: String?

        func validate() throws {
            guard !traces.isEmpty || sweep != nil else {
                throw ValidationError("nothing to report: give trace files, --sweep FILE, or both")
            }
        }

        func run() throws {
            try reportingFailures {
                let written = try TraceInputs.writeReport(tracePaths: traces, sweepPath: sweep, title: title, to: out)
                printLine("report: \(out) (\(traces.count) trace(s)"
                          + (written.sweepRuns.map { ", a sweep of \($0) run(s)" } ?? "") + "; "
                          + "\(written.bytes / 1024) KB; open it in a browser)")
            }
        }
    }
}
