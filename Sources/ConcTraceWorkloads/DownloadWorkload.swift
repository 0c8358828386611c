import CCurl
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// The tutorial's I/O-bound experiment: task `k` downloads URL `k` through libcurl, the body counted, not kept.
///
/// - On threads (`runBlocking`): a curl easy handle per worker thread, reused for each of its tasks (keep-alive);
///   `curl_easy_perform` blocks the thread, recorded as the task `waiting` (reason `io`).
/// - On an executor (`runAsync`): the curl multi socket interface on the context's ``IOReactor`` (the event loop
///   itself, or the async pool's I/O thread); the task announces an `io` wait and suspends until the reactor
///   resumes it with the result.
///
/// Each task's URL, HTTP status, bytes and curl's timings go into its done or failed event (`url`, `status`,
/// `bytes`, `connect_ms`, `first_byte_ms`, `total_ms`). A task fails with curl's error text (a refused
/// connection, a reset, a timeout) or `HTTP <status>` for a status of 400 or above.
public struct DownloadWorkload: Workload {
    public var name: String { WorkloadKind.download.rawValue }
    public let taskCount: Int
    /// The URLs; task `k` fetches `urls[k % urls.count]`.
    public let urls: [String]
    /// Each transfer's limit, connecting included, in milliseconds: a stalled server fails the task, never hangs it.
    public let timeoutMilliseconds: Int
    /// Where the URLs come from, for the trace's metadata (e.g. `embedded server http://127.0.0.1:41234`).
    public let source: String
    public var taskLabel: StaticString { "download" }
    public var parameters: [(key: String, value: AnnotationValue)] {
        [("source", .string(source)), ("timeout_ms", .int(Int64(timeoutMilliseconds)))]
    }

    private let multis = CurlMultiRegistry()

    /// Makes the workload.
    /// - Parameters:
    ///   - urls: what to fetch (at least one).
    ///   - tasks: how many tasks (default: one per URL); task `k` fetches `urls[k % urls.count]`.
    ///   - timeoutMilliseconds: each transfer's limit.
    ///   - source: where the URLs come from, for the trace.
    public init(urls: [String], tasks: Int? = nil, timeoutMilliseconds: Int = 10_000, source: String = "urls") {
        precondition(!urls.isEmpty, "the download workload needs a URL")
        precondition((tasks ?? urls.count) > 0 && timeoutMilliseconds > 0, "download workload out of range")
        precondition(CurlLibrary.isReady, "curl_global_init failed")
        self.urls = urls
        self.taskCount = tasks ?? urls.count
        self.timeoutMilliseconds = timeoutMilliseconds
        self.source = source
    }

    /// The URL task `index` fetches.
    public func url(forTask index: Int) -> String { urls[index % urls.count] }

    public func runBlocking(index: Int, context: BlockingContext) throws -> TaskOutcome {
        if context.cancellation.isCancelled { throw TaskError.cancelled }
        let transfer = Transfer(url: url(forTask: index), timeoutMilliseconds: timeoutMilliseconds,
                                cancellation: context.cancellation)
        let handle = WorkerEasyHandle.current()
        transfer.configure(handle)
        let code = context.blockingWait(.io) { curl_easy_perform(handle) }
        return try conclude(transfer.report(handle, code: code))
    }

    nonisolated(nonsending) public func runAsync(index: Int, context: AsyncContext) async throws -> TaskOutcome {
        if context.cancellation.isCancelled { throw TaskError.cancelled }
        guard let reactor = context.reactor else {
            preconditionFailure("the download workload needs an executor with an I/O reactor (eventloop, async)")
        }
        let transfer = Transfer(url: url(forTask: index), timeoutMilliseconds: timeoutMilliseconds,
                                cancellation: context.cancellation)
        context.waiter.willWait(.io)
        let report = await multis.perform(transfer, on: reactor)
        return try conclude(report)
    }

    /// The task's outcome: the transfer's details (for the task's args, done or failed), and a failure as the
    /// task's error.
    private func conclude(_ report: TransferReport) throws -> TaskOutcome {
        let details = [
            TaskDetail("url", .string(report.url)), TaskDetail("status", .int(Int64(report.status))),
            TaskDetail("bytes", .int(Int64(report.bytes))), TaskDetail("connect_ms", .double(report.connectMilliseconds)),
            TaskDetail("first_byte_ms", .double(report.firstByteMilliseconds)),
            TaskDetail("total_ms", .double(report.totalMilliseconds)),
        ]
        if report.wasCancelled { throw TaskError.cancelled }
        if let failure = report.failure { throw TaskFailure(error: failure, details: details) }
        return TaskOutcome(bytes: report.bytes, details: details)
    }
}
