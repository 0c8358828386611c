import ConcTraceSiteServer
import ConcTraceWorkloads

/// A workload as a run is asked for it: its kind, size and parameters, and where a download's pages come from.
///
/// One description for every way a run is made: `conctrace run` builds it from its options, a child run and a worker
/// process get it back from the arguments it encodes (`runArguments`), and `makeWorkload` builds the tasks.
public struct WorkloadSpec: Sendable, Equatable {
    /// Where a download's pages come from.
    public enum Pages: Sendable, Equatable {
        /// An embedded site server started for the run, on 127.0.0.1.
        case embedded(latency: LatencyModel, errorRate: Double, resetRate: Double, stallRate: Double)
        /// A running site server's base URL: task k fetches `<url>/page/k`.
        case server(String)
        /// A file of URLs, one per line.
        case urls(path: String)

        /// The embedded server with the tutorial's 100 ms latency and no faults.
        public static let tutorial = Pages.embedded(latency: .fixed(milliseconds: 100), errorRate: 0, resetRate: 0,
                                                    stallRate: 0)
    }

    /// The tutorial's page count: the default task count of a download.
    public static let tutorialPages = PageCatalog.tutorialSizes.count

    public var kind: WorkloadKind
    /// Tasks asked for; nil for the default (20 for cpu, 100 for sleep; for download the tutorial's 15 pages, or one
    /// per URL of a URL file).
    public var tasks: Int?
    /// cpu: task k sums i*i for i below base + k.
    public var base: Int
    /// sleep: how long each wait lasts, in ms, and how many waits each task makes.
    public var sleepMilliseconds: Double
    public var steps: Int
    /// download: where the pages come from, and each transfer's limit in ms.
    public var pages: Pages
    public var timeoutMilliseconds: Int

    /// Makes a description; the defaults are the tutorial's.
    public init(kind: WorkloadKind, tasks: Int? = nil, base: Int = 10_000_000, sleepMilliseconds: Double = 10,
                steps: Int = 1, pages: Pages = .tutorial, timeoutMilliseconds: Int = 10_000) {
        self.kind = kind
        self.tasks = tasks
        self.base = base
        self.sleepMilliseconds = sleepMilliseconds
        self.steps = steps
        self.pages = pages
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The task count, except for a download of a URL file without `tasks` (one task per URL, known once read).
    public var taskCount: Int {
        tasks ?? Self.defaultTasks(kind)
    }

    /// The default task count of a workload.
    public static func defaultTasks(_ kind: WorkloadKind) -> Int {
        switch kind {
        case .cpu: 20
        case .sleep: 100
        case .download: tutorialPages
        }
    }

    /// The workload, with a download's pages as `pages` opened them.
    func makeWorkload(pages opened: OpenPages?) -> any Workload {
        switch kind {
        case .cpu:
            return CPUWorkload(tasks: taskCount, base: base)
        case .sleep:
            return SleepWorkload(tasks: taskCount, steps: steps, sleepNanoseconds: UInt64(sleepMilliseconds * 1e6))
        case .download:
            guard let opened else { preconditionFailure("a download needs its pages") }
            return DownloadWorkload(urls: opened.urls, tasks: tasks ?? opened.urls.count,
                                    timeoutMilliseconds: timeoutMilliseconds, source: opened.description)
        }
    }

    /// The workload's own options as `conctrace run` arguments: only those that apply to its kind.
    public var optionArguments: [String] {
        switch kind {
        case .cpu: return ["--base", String(base)]
        case .sleep: return ["--sleep-ms", String(sleepMilliseconds), "--steps", String(steps)]
        case .download:
            var arguments: [String]
            switch pages {
            case .urls(let path): arguments = ["--urls", path]
            case .server(let url): arguments = ["--server", url]
            case .embedded(let latency, let errorRate, let resetRate, let stallRate):
                arguments = ["--latency-ms", latency.argumentText]
                if errorRate > 0 { arguments += ["--error-rate", String(errorRate)] }
                if resetRate > 0 { arguments += ["--reset-rate", String(resetRate)] }
                if stallRate > 0 { arguments += ["--stall-rate", String(stallRate)] }
            }
            return arguments + ["--timeout-ms", String(timeoutMilliseconds)]
        }
    }
}

extension LatencyModel {
    /// The text `--latency-ms` parses back to this model: `100` or `50-300`.
    public var argumentText: String {
        switch self {
        case .fixed(let ms): String(ms)
        case .range(let low, let high): "\(low)-\(high)"
        }
    }
}
