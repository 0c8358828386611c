import ArgumentParser
import ConcTraceFormat
import ConcTraceRecorder
import ConcTraceSiteServer
import ConcTraceStrategies
import ConcTraceWorkloads
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension WorkloadKind: ExpressibleByArgument {}
extension StrategyKind: ExpressibleByArgument {}

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ConcTrace {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a workload under a strategy, record every task's life, and write a Chrome trace.",
            discussion: """
                Prints one line (or one JSON object with --format json) and writes the trace to \
                traces/<workload>-<strategy>.json unless --out or --no-trace says otherwise. Open the trace in \
                https://ui.perfetto.dev or chrome://tracing.
                """
        )

        @Option(help: """
            What each task does: cpu (the tutorial's sum of squares), sleep (pure waiting) or download (fetch a \
            page with libcurl).
            """)
        var workload: WorkloadKind = .cpu

        @Option(help: """
            How tasks run: sequential (one after another), threads (a pool of OS threads), async (Swift tasks on \
            a pool), eventloop (one thread, like asyncio) or processes (a pool of worker processes).
            """)
        var strategy: StrategyKind = .threads

        @Option(help: """
            Number of tasks (default: 20 for cpu, as in the tutorial; 100 for sleep; for download 15, the \
            tutorial's pages, or one per URL of --urls).
            """)
        var tasks: Int?

        @Option(help: """
            Workers: threads for threads (default: min(tasks, 64)) and async (default: one per core); worker \
            processes for processes (default: one per core, but no more than the tasks; at most 1024).
            """)
        var workers: Int?

        @OptionGroup
        var parameters: WorkloadParameters

        @Option(help: "Where to write the trace (default: traces/<workload>-<strategy>.json).")
        var out: String?

        @Flag(help: "Record nothing and write no trace (to measure the recorder's overhead).")
        var noTrace = false

        @Option(help: "Output: text (one line) or json (one object).")
        var format: OutputFormat = .text

        @OptionGroup(title: "Download options")
        var download: DownloadOptions

        func validate() throws {
            if let tasks, tasks <= 0 { throw ValidationError("--tasks must be at least 1 (got \(tasks))") }
            if let tasks, tasks > 10_000_000 { throw ValidationError("--tasks must be at most 10000000 (got \(tasks))") }
            if let workers, workers <= 0 { throw ValidationError("--workers must be at least 1 (got \(workers))") }
            if let workers, workers > 10_000 { throw ValidationError("--workers must be at most 10000 (got \(workers))") }
            if strategy == .processes, let workers, workers > ProcessPoolStrategy.maximumWorkers {
                throw ValidationError("--strategy processes takes at most \(ProcessPoolStrategy.maximumWorkers) worker " +
                                      "processes (got --workers \(workers)): each is a whole conctrace process")
            }
            try parameters.validate(tasks: taskCount)
            if noTrace, out != nil { throw ValidationError("--out and --no-trace contradict each other") }
            try download.validate(for: workload)
        }

        /// The task count, except for a download of --urls without --tasks (one task per URL, known once read).
        var taskCount: Int {
            tasks ?? (workload == .cpu ? 20 : workload == .sleep ? 100 : DownloadOptions.tutorialPages)
        }

        /// The workload; a download's `pages` say what it fetches.
        func makeWorkload(pages: PageSource?) -> any Workload {
            switch workload {
            case .cpu, .sleep:
                return parameters.makeWorkload(workload, tasks: taskCount)
            case .download:
                guard let pages else { preconditionFailure("a download needs its pages") }
                return DownloadWorkload(urls: pages.urls, tasks: tasks ?? pages.urls.count,
                                        timeoutMilliseconds: download.timeoutMilliseconds, source: pages.description)
            }
        }

        func run() throws {
            let session = RunSession()
            SignalWatcher.start { session.interrupt(signal: $0) }
            // Past a file-size limit, writes fail with EFBIG like a full disk: report it rather than die of SIGXFSZ.
            signal(SIGXFSZ, SIG_IGN)
            try reportingFailures { try execute(session) }
        }

        private func execute(_ session: RunSession) throws {
            let pages = workload == .download ? try download.pageSource(pages: taskCount) : nil
            // At the end, and on Ctrl-C (which makes the transfers still waiting on it end at once).
            defer { pages?.server?.shutdown() }
            if let server = pages?.server { session.attach(server: server) }
            if workload == .download { raiseOpenFileLimit() }
            let workload = makeWorkload(pages: pages)
            let tracePath = noTrace ? nil : (out ?? "traces/\(workload.name)-\(self.strategy.rawValue).json")
            let processLog = ProcessPoolLog()
            let strategy = makeStrategy(self.strategy, workers: workers, tasks: workload.taskCount,
                                        launch: workerLaunch(workload, pages: pages, traced: tracePath != nil),
                                        processLog: processLog)
            if let workers, strategy.workers != workers {
                printNote("note: \(strategy.kind.rawValue) runs on \(strategy.workers) thread; --workers \(workers) is ignored")
            }

            let recorder: Recorder
            if let tracePath {
                let calibration = RecordCost.calibrate()
                let metadata = runMetadata(workload: workload, strategy: strategy, nsPerEvent: calibration)
                try createParentFolder(of: tracePath)
                let writer: ChromeTraceWriter
                do {
                    writer = try ChromeTraceWriter(
                        path: tracePath, processID: UInt32(truncatingIfNeeded: getpid()),
                        processName: "conctrace \(workload.name)/\(strategy.kind.rawValue)",
                        metadata: metadata)
                } catch .cannotCreate(let path, let error) {
                    throw CLIFailure(message: "cannot create trace \(path): \(error); choose a writable --out",
                                     status: .cannotCreateOutput)
                } catch {
                    throw CLIFailure(message: "\(error)", status: .ioError)
                }
                recorder = Recorder(sink: writer, nsPerEvent: calibration)
            } else {
                recorder = Recorder(configuration: .init(enabled: false), sink: nil)
            }
            session.attach(recorder: recorder, tracePath: tracePath)
            if self.strategy == .processes { session.attach(processLog: processLog) }
            // The recorder is made after the workload (its metadata lists the workload's parameters).
            let mainLane = recorder.makeLane(name: "main")
            let context = RunContext(recorder: recorder, mainLane: mainLane, cancellation: session.cancellation)

            let result: RunResult
            do {
                result = try strategy.run(workload, in: context)
            } catch {
                recorder.finish()
                throw CLIFailure(message: "\(error)", status: .cannotStartWorkers)
            }
            guard session.beginExit() else { session.waitForever() }
            let stats = recorder.finish()
            if let failure = recorder.sinkFailure, let tracePath {
                throw CLIFailure(
                    message: "\(failure); the trace up to that point is kept in \(tracePath) and still loads",
                    status: .ioError)
            }
            if self.strategy == .processes, let tracePath {
                do {
                    try ProcessTraceMerge.merge(into: tracePath, log: processLog,
                                                parentPID: UInt32(truncatingIfNeeded: getpid()))
                } catch {
                    throw CLIFailure(message: "merging the workers' traces into \(tracePath) failed: \(error)",
                                     status: .ioError)
                }
            }
            report(result, workload: workload, strategy: strategy, tracePath: tracePath,
                   workersPeakResidentBytes: processLog.workersPeakResidentBytes, stats: stats)
            if let signal = session.receivedSignal {
                printError("interrupted; \(result.cancelled) task(s) cancelled" +
                           (tracePath.map { "; trace so far in \($0)" } ?? ""))
                throw ExitStatus.forSignal(signal).exitCode
            }
            if result.failed > 0 { throw ExitStatus.partialFailure.exitCode }
        }

        /// How `--strategy processes` starts its workers: this binary, `worker` and the workload's parameters
        /// (for a download, where the pages are: the --urls file, or the --server or embedded server's base URL,
        /// and --timeout-ms), as argv, no shell; their traces go to the temporary folder until the merge.
        private func workerLaunch(_ workload: any Workload, pages: PageSource?, traced: Bool) -> ProcessWorkerLaunch? {
            guard strategy == .processes else { return nil }
            var arguments = ["--workload", self.workload.rawValue, "--tasks", String(workload.taskCount)]
                + parameters.arguments
            if let pages {
                if let urls = download.urls {
                    arguments += ["--urls", urls]
                } else if let base = pages.server?.baseURL ?? download.server {
                    arguments += ["--server", base]
                }
                arguments += ["--timeout-ms", String(download.timeoutMilliseconds)]
            }
            let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            return ProcessWorkerLaunch(executable: ProcessWorkerLaunch.currentExecutable(),
                                       workloadArguments: arguments, traceFolder: traced ? folder : nil)
        }

        private func report(_ result: RunResult, workload: any Workload, strategy: any Strategy, tracePath: String?,
                            workersPeakResidentBytes: Int,
                            stats: RecorderStats) {
            let throughput = result.wallSeconds > 0 ? Double(result.done) / result.wallSeconds : 0
            let bytes = result.outcomes.reduce(0) { $0 + ($1?.bytes ?? 0) }
            switch format {
            case .json:
                var json = JSONObjectText()
                json.add("workload", workload.name)
                json.add("strategy", strategy.kind.rawValue)
                json.add("tasks", workload.taskCount)
                json.add("done", result.done)
                json.add("failed", result.failed)
                json.add("cancelled", result.cancelled)
                json.add("bytes", bytes)
                json.add("workers", result.workers)
                json.add("wall_s", result.wallSeconds)
                json.add("throughput_tasks_per_s", throughput)
                json.add("trace", tracePath)
                json.add("events", Int(stats.events))
                json.add("dropped", Int(stats.dropped))
                json.add("ns_per_event", stats.nsPerEvent)
                // The run's own process, plus its worker processes under --strategy processes.
                let peak = peakResidentBytes().map { $0 + workersPeakResidentBytes }
                json.add("peak_rss_bytes", json: peak.map { String($0) } ?? "null")
                printLine(json.text)
            case .text:
                var line = "\(workload.name)/\(strategy.kind.rawValue): \(result.done) of \(workload.taskCount) "
                line += "tasks done in \(formatted(result.wallSeconds, digits: 3)) s "
                line += "(\(formatted(throughput, digits: 1)) tasks/s) on \(result.workers) worker(s)"
                if workload is DownloadWorkload {
                    line += ", \(bytes) bytes (\(formatted(Double(bytes) / 1e6, digits: 2)) MB)"
                }
                if result.failed > 0 { line += ", \(result.failed) failed" }
                if result.cancelled > 0 { line += ", \(result.cancelled) cancelled" }
                if let tracePath {
                    line += "; trace \(tracePath) (\(stats.events) events, \(stats.dropped) dropped, "
                    line += "\(formatted(stats.nsPerEvent, digits: 1)) ns/event)"
                }
                printLine(line)
            }
        }

        private func runMetadata(workload: any Workload, strategy: any Strategy, nsPerEvent: Double) -> RunMetadata {
            var metadata = RunMetadata()
            metadata.set("tool", .string("conctrace"))
            metadata.set("version", .string(ConcTrace.version))
            metadata.set("workload", .string(workload.name))
            metadata.set("strategy", .string(strategy.kind.rawValue))
            metadata.set("tasks", .int(Int64(workload.taskCount)))
            metadata.set("workers", .int(Int64(strategy.workers)))
            for (key, value) in workload.parameters { metadata.set(key, value) }
            metadata.set("host", .string(hostName()))
            metadata.set("cores", .int(Int64(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
            metadata.set("pid", .int(Int64(getpid())))
            metadata.set("clock", .string("CLOCK_MONOTONIC"))
            metadata.set("start_monotonic_ns", .int(Int64(MonotonicClock.now())))
            metadata.set("start_unix_ns", .int(Int64(MonotonicClock.wallNow())))
            metadata.set("ns_per_event", .double((nsPerEvent * 10).rounded() / 10))
            metadata.set("command", .string(CommandLine.arguments.joined(separator: " ")))
            return metadata
        }
    }
}

/// State shared between a run and the signal thread.
final class RunSession: Sendable {
    let cancellation = Cancellation()
    private let signal = Atomic<Int32>(0)
    private let exiting = Atomic<Bool>(false)
    private let attached = Mutex<(recorder: Recorder?, tracePath: String?)>((nil, nil))
    private let embeddedServer = Mutex<SiteServer?>(nil)
    private let processLog = Mutex<ProcessPoolLog?>(nil)

    /// How long running tasks get to wind down after Ctrl-C before the trace is closed without them.
    static let graceNanoseconds: UInt64 = 2_000_000_000

    func attach(recorder: Recorder, tracePath: String?) {
        attached.withLock { $0 = (recorder, tracePath) }
    }

    /// The worker processes of a `--strategy processes` run: stopped, and their traces merged, on a forced exit.
    func attach(processLog log: ProcessPoolLog) {
        processLog.withLock { $0 = log }
    }

    /// The run's embedded site server, shut down on the first signal: transfers still waiting on it end at once.
    func attach(server: SiteServer) {
        embeddedServer.withLock { $0 = server }
    }

    var receivedSignal: Int32? {
        let value = signal.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Claims the right to finish the process; false if the signal thread already did.
    func beginExit() -> Bool {
        !exiting.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Parks the main thread while the signal thread finishes the process.
    func waitForever() -> Never {
        while true { pause() }
    }

    /// On the signal thread: cancel the run; if it has not ended within the grace period (or on a second
    /// signal), close the trace with what was recorded and exit.
    func interrupt(signal received: Int32) {
        let first = signal.compareExchange(expected: 0, desired: received, ordering: .acquiringAndReleasing).exchanged
        cancellation.cancel()
        embeddedServer.withLock { $0 }?.shutdown()
        if first {
            let deadline = MonotonicClock.now() + Self.graceNanoseconds
            while MonotonicClock.now() < deadline {
                if exiting.load(ordering: .acquiring) { return }
                var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
                nanosleep(&pause, nil)
            }
        }
        guard beginExit() else { return }
        let (recorder, tracePath) = attached.withLock { $0 }
        // Worker processes must not outlive the run: kill and reap them, so their traces hold what they flushed.
        let workers = processLog.withLock { $0 }
        workers?.stopUnreapedWorkers()
        let stats = recorder?.finish()
        var message = "interrupted before the running tasks ended"
        if let workers, let tracePath, recorder?.sinkFailure == nil {
            // What the workers wrote goes into the trace, and their temporary files are removed.
            do {
                try ProcessTraceMerge.merge(into: tracePath, log: workers,
                                            parentPID: UInt32(truncatingIfNeeded: getpid()))
            } catch {
                message += "; merging the workers' traces failed (\(error))"
            }
        }
        if let workers { ProcessTraceMerge.removeWorkerTraces(of: workers) }
        if let tracePath, let stats {
            message += "; trace so far in \(tracePath) (\(stats.events) events)"
        }
        printError(message)
        exit(ExitStatus.forSignal(received).rawValue)
    }
}

/// Makes the folder a file will be written in, like `mkdir -p`.
func createParentFolder(of path: String) throws {
    var folder = ""
    let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for (index, component) in components.enumerated() {
        folder += (index == 0 ? "" : "/") + component
        guard !folder.isEmpty, !component.isEmpty, component != "." else { continue }
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            let error = OSError(call: "mkdir \(folder)", errno: errno)
            throw CLIFailure(message: "cannot create the folder for \(path): \(error)", status: .cannotCreateOutput)
        }
    }
}

func hostName() -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    buffer.withUnsafeMutableBytes { _ = gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1) }
    return String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
}

func formatted(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if digits <= 0, abs(rounded) < 1e18 { return String(Int(rounded)) }
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}

/// The download workload's options: where its pages come from and how long a transfer may take.
struct DownloadOptions: ParsableArguments {
    /// The tutorial's page count: the default task count of a download.
    static let tutorialPages = PageCatalog.tutorialSizes.count

    @Option(help: ArgumentHelp(
        "A file of URLs, one per line (blank lines and # comments skipped); task k fetches line k, cycling " +
            "when --tasks is larger. Any URL libcurl handles. (default: pages of an embedded server)",
        valueName: "file"))
    var urls: String?

    @Option(help: ArgumentHelp(
        "A running site server's base URL (e.g. from 'conctrace serve'); task k fetches <url>/page/k.",
        valueName: "url"))
    var server: String?

    @Option(
        name: .customLong("latency-ms"),
        help: ArgumentHelp(
            "Embedded server: delay before each page, in ms: fixed (100) or uniform over a range (50-300), " +
                "seeded. (default: 100)",
            valueName: "ms|low-high"),
        transform: { text in
            do { return try LatencyModel(parsing: text) } catch { throw ValidationError("\(error)") }
        }
    )
    var latency: LatencyModel?

    @Option(help: "Embedded server: probability (0-1) that a page request is answered with HTTP 500.")
    var errorRate: Double?

    @Option(help: "Embedded server: probability (0-1) that a page request's connection is reset.")
    var resetRate: Double?

    @Option(help: "Embedded server: probability (0-1) that a page request is never answered.")
    var stallRate: Double?

    @Option(
        name: .customLong("timeout-ms"),
        help: "Each transfer's limit in ms, connecting included: a stalled server fails the task. (default: 10000)")
    var timeout: Int?

    var timeoutMilliseconds: Int { timeout ?? 10_000 }

    /// Cross-field checks, given the run's workload.
    func validate(for workload: WorkloadKind) throws {
        let embeddedOnly = [("--latency-ms", latency != nil), ("--error-rate", errorRate != nil),
                            ("--reset-rate", resetRate != nil), ("--stall-rate", stallRate != nil)]
        let given = [("--urls", urls != nil), ("--server", server != nil), ("--timeout-ms", timeout != nil)]
            + embeddedOnly
        if workload != .download, let option = given.first(where: \.1) {
            throw ValidationError("\(option.0) is for --workload download")
        }
        if urls != nil, server != nil { throw ValidationError("--urls and --server contradict each other") }
        if urls != nil || server != nil, let option = embeddedOnly.first(where: \.1) {
            throw ValidationError("\(option.0) configures the embedded server; it does not apply with " +
                                  (urls != nil ? "--urls" : "--server"))
        }
        let rates = [("--error-rate", errorRate ?? 0), ("--reset-rate", resetRate ?? 0), ("--stall-rate", stallRate ?? 0)]
        for (name, rate) in rates where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be between 0 and 1 (got \(rate))")
        }
        let sum = rates.reduce(0) { $0 + $1.1 }
        if sum > 1 {
            throw ValidationError("--error-rate, --reset-rate and --stall-rate must add up to at most 1 (got \(sum))")
        }
        if let timeout, !(1...3_600_000).contains(timeout) {
            throw ValidationError("--timeout-ms must be 1...3600000 (got \(timeout))")
        }
        if let server {
            do {
                _ = try URLList.parse(pageURL(server, 0))
            } catch {
                throw ValidationError("--server must be a base URL like http://127.0.0.1:8080 (got '\(server)')")
            }
        }
    }

    /// Where the pages come from: the --urls file, the --server, or an embedded server started here with
    /// `pages` pages.
    /// - Throws: `CLIFailure`: a URL file that cannot be read (66) or is malformed (65); a server that cannot
    ///   listen (69).
    func pageSource(pages: Int) throws -> PageSource {
        if let urls {
            do {
                return PageSource(urls: try URLList.load(path: urls), description: "urls \(urls)", server: nil)
            } catch .cannotOpen(let path, let error) {
                throw CLIFailure(message: "cannot read --urls \(path): \(error)", status: .noInput)
            } catch {
                throw CLIFailure(message: "--urls \(urls): \(error)", status: .dataError)
            }
        }
        if let server {
            return PageSource(urls: (0..<pages).map { pageURL(server, $0) }, description: "server \(server)",
                              server: nil)
        }
        let configuration = SiteConfiguration(
            pages: pages, latency: latency ?? .fixed(milliseconds: 100), errorRate: errorRate ?? 0,
            resetRate: resetRate ?? 0, stallRate: stallRate ?? 0)
        let site: SiteServer
        do {
            site = try SiteServer.start(configuration)
        } catch {
            throw CLIFailure(message: "cannot start the embedded site server: \(error)", status: .cannotListen)
        }
        var settings = "latency \(configuration.latency)"
        for (name, rate) in [("error rate", configuration.errorRate), ("reset rate", configuration.resetRate),
                             ("stall rate", configuration.stallRate)] where rate > 0 {
            settings += ", \(name) \(rate)"
        }
        return PageSource(urls: (0..<pages).map { pageURL(site.baseURL, $0) },
                          description: "embedded server \(site.baseURL) (\(settings))", server: site)
    }

    private func pageURL(_ base: String, _ page: Int) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/page/\(page)"
    }
}

/// The URLs a download run fetches, where they come from, and the embedded server serving them, if any.
struct PageSource {
    var urls: [String]
    var description: String
    var server: SiteServer?
}

/// A download keeps a socket per transfer in flight (and the embedded server one per connection): lift the
/// soft limit on open files to the hard one, as far as the system allows.
func raiseOpenFileLimit() {
    var limit = rlimit()
    let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(openFiles, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(openFiles, &limit)
}
