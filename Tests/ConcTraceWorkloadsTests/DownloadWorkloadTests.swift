import ConcTraceRecorder
import ConcTraceSiteServer
import ConcTraceWorkloads
import Foundation
import ConcTraceSystem
import Testing

/// Starts a site server on 127.0.0.1 (a free port) for `body`, and shuts it down after.
private func withSite<T>(_ configuration: SiteConfiguration, _ body: (SiteServer) throws -> T) throws -> T {
    let server = try SiteServer.start(configuration)
    defer { server.shutdown() }
    return try body(server)
}

/// A recorder that keeps annotations (no sink, no drain thread): tests read them back with `take`.
private func annotatingRecorder() -> Recorder {
    Recorder(sink: nil, startDraining: false, nsPerEvent: 1)
}

private func value(_ annotations: [(String, AnnotationValue)], _ key: String) -> AnnotationValue? {
    annotations.first { $0.0 == key }?.1
}

@Suite("download workload, blocking path", .timeLimit(.minutes(1)))
struct DownloadWorkloadTests {
    @Test("one thread's tasks share one easy handle, so one kept-alive connection; bytes and details are exact")
    func keepAliveOnOneThread() throws {
        try withSite(SiteConfiguration(pages: 15, latency: .fixed(milliseconds: 0), eventLoopThreads: 1)) { site in
            let recorder = annotatingRecorder()
            let urls = (0..<15).map { "\(site.baseURL)/page/\($0)" }
            let workload = DownloadWorkload(urls: urls, timeoutMilliseconds: 5_000)
            let lane = recorder.makeLane(name: "test")
            // On one thread of its own, so no other test's handle (or connection) is involved.
            let outcomes = try onNewThread {
                try (0..<15).map { index in
                    try workload.runBlocking(
                        index: index,
                        context: BlockingContext(lane: lane, task: UInt64(100 + index), cancellation: Cancellation()))
                }
            }
            #expect(outcomes.map(\.bytes) == PageCatalog.tutorialSizes.map { $0 })
            #expect(outcomes.reduce(0) { $0 + ($1.bytes ?? 0) } == 625_484)
            #expect(site.stats().connectionsAccepted == 1)
            let details = outcomes[3].details.map { ($0.key, $0.value) }
            #expect(value(details, "url") == .string("\(site.baseURL)/page/3"))
            #expect(value(details, "status") == .int(200))
            #expect(value(details, "bytes") == .int(36312))
            for key in ["connect_ms", "first_byte_ms", "total_ms"] {
                guard case .double(let milliseconds)? = value(details, key) else {
                    Issue.record("no \(key)")
                    continue
                }
                #expect(milliseconds >= 0 && milliseconds < 5_000)
            }
        }
    }

    @Test("an HTTP error status fails the task with 'HTTP <status>', its details still attached")
    func httpError() throws {
        try withSite(SiteConfiguration(latency: .fixed(milliseconds: 0), eventLoopThreads: 1)) { site in
            let recorder = annotatingRecorder()
            let workload = DownloadWorkload(urls: ["\(site.baseURL)/page/99"])
            let lane = recorder.makeLane(name: "test")
            let failure = #expect(throws: TaskFailure.self) {
                try workload.runBlocking(index: 0,
                                         context: BlockingContext(lane: lane, task: 7, cancellation: Cancellation()))
            }
            #expect(failure?.error as? DownloadError == .http(status: 404))
            #expect(failure?.description == "HTTP 404")
            #expect(value(failure?.details.map { ($0.key, $0.value) } ?? [], "status") == .int(404))
        }
    }

    @Test("a task of a cancelled run does not start its transfer")
    func cancelledBeforeStart() {
        let cancellation = Cancellation()
        cancellation.cancel()
        let workload = DownloadWorkload(urls: ["http://127.0.0.1:1/"])
        let lane = annotatingRecorder().makeLane(name: "test")
        #expect(throws: TaskError.cancelled) {
            try workload.runBlocking(index: 0, context: BlockingContext(lane: lane, task: 1, cancellation: cancellation))
        }
    }

    @Test("task k fetches URL k, cycling when there are more tasks than URLs")
    func urlPerTask() {
        let workload = DownloadWorkload(urls: ["http://a/", "http://b/"], tasks: 5)
        #expect(workload.taskCount == 5)
        #expect((0..<5).map(workload.url(forTask:)) == ["http://a/", "http://b/", "http://a/", "http://b/", "http://a/"])
        #expect(DownloadWorkload(urls: ["http://a/", "http://b/"]).taskCount == 2)
    }
}

@Suite("URL lists")
struct URLListTests {
    @Test("one URL per line; blank lines, # comments and surrounding spaces are skipped; CRLF works")
    func parse() throws {
        let text = "# pages\r\n\r\nhttp://127.0.0.1:8080/page/0\r\n   https://example.com/a?b=c#d  \n\n# end\nfile:///etc/hostname"
        #expect(try URLList.parse(text) == [
            "http://127.0.0.1:8080/page/0", "https://example.com/a?b=c#d", "file:///etc/hostname",
        ])
    }

    @Test("a line that is not a URL is named by its number", arguments: [
        ("http://ok/\nnot a url\n", 2), ("# c\n\nhttp://ok/\n\nhttp://exa mple.com/\n", 5), ("nope://x/\n", 1),
    ])
    func malformed(text: String, line: Int) throws {
        do {
            _ = try URLList.parse(text)
            Issue.record("parsed")
        } catch .malformed(let number, _, _) {
            #expect(number == line)
        } catch {
            Issue.record("unexpected \(error)")
        }
        let message = "\(URLListError.malformed(line: line, text: "x", reason: "y"))"
        #expect(message.hasPrefix("line \(line): 'x' is not a URL"))
    }

    @Test("a list without URLs, and a file that cannot be read, are errors of their own")
    func emptyAndMissing() throws {
        #expect(throws: URLListError.empty) { try URLList.parse("# nothing\n\n") }
        do {
            _ = try URLList.load(path: "/nonexistent/urls.txt")
            Issue.record("loaded")
        } catch .cannotOpen(let path, let error) {
            #expect(path == "/nonexistent/urls.txt" && error.errno == ENOENT)
        } catch {
            Issue.record("unexpected \(error)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("urls-\(UUID().uuidString).txt")
        try "http://127.0.0.1/page/0\n# x\nhttp://127.0.0.1/page/1\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try URLList.load(path: file.path) == ["http://127.0.0.1/page/0", "http://127.0.0.1/page/1"])
    }
}

/// What a thread's body returned, read after the thread is joined.
private final class ThreadResult<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

/// Runs `body` on a thread of its own and returns what it returned.
private func onNewThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let result = ThreadResult<T>()
    let thread = try OSThread(name: "test-download") { result.value = Result { try body() } }
    thread.join()
    return try result.value!.get()
}
