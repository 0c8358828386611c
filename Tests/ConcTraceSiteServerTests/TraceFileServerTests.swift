import CCurl
import ConcTraceSiteServer
import Dispatch
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
import ConcTraceSystem
#endif

@Suite("Trace file server: the one file, CORS for Perfetto UI, HEAD, ranges, 404 elsewhere", .timeLimit(.minutes(1)))
struct TraceFileServerTests {
    static let origin = "https://ui.perfetto.dev"

    @Test("GET answers the whole file, byte for byte, as JSON with CORS and Content-Length; counts one download")
    func getServesTheFile() throws {
        // About 3 MB: many sendfile rounds, more than one socket buffer.
        let content = TraceFixture.trace(events: 30_000)
        try TraceFixture.withServer(content: content) { server, served in
            let response = HTTPExchange.perform(server.traceURL, headers: ["Origin: \(Self.origin)"])
            #expect(response.curlCode == 0)
            #expect(response.status == 200)
            #expect(response.body == content)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Content-Length") == String(content.count))
            #expect(response.header("Access-Control-Allow-Origin") == Self.origin)
            #expect(response.header("Accept-Ranges") == "bytes")
            let download = served.next()
            #expect(download.bytes == content.count)
            #expect(download.peer?.hasPrefix("127.0.0.1:") == true)
            let stats = server.stats()
            #expect(stats.completeDownloads == 1)
            #expect(stats.bodyBytes == content.count)
        }
    }

    @Test("an OPTIONS preflight is answered with the origin, the methods, the asked-for headers and PNA")
    func preflight() throws {
        try TraceFixture.withServer { server, _ in
            let response = HTTPExchange.perform(server.traceURL, method: "OPTIONS", headers: [
                "Origin: \(Self.origin)", "Access-Control-Request-Method: GET",
                "Access-Control-Request-Headers: range", "Access-Control-Request-Private-Network: true",
            ])
            #expect(response.status == 204)
            #expect(response.header("Access-Control-Allow-Origin") == Self.origin)
            #expect(response.header("Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS")
            #expect(response.header("Access-Control-Allow-Headers") == "range")
            #expect(response.header("Access-Control-Allow-Private-Network") == "true")
            #expect(response.body.isEmpty)
            #expect(server.stats().preflights == 1)
        }
    }

    @Test("HEAD answers the GET's headers without a body and is not a download")
    func head() throws {
        let content = TraceFixture.trace(events: 100)
        try TraceFixture.withServer(content: content) { server, _ in
            let response = HTTPExchange.perform(server.traceURL, method: "HEAD")
            #expect(response.curlCode == 0)
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == String(content.count))
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Access-Control-Allow-Origin") == Self.origin)
            #expect(response.body.isEmpty)
            #expect(server.stats().completeDownloads == 0)
        }
    }

    @Test("any other path is 404, traversal attempts included, and never shows another file", arguments: [
        "/", "/other.json", "/trace.json.bak", "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/..%2f..%2fetc%2fpasswd", "/./trace.json", "//trace.json",
        "/trace.json/..", "/trace.json%00", "/%zz", "/etc/passwd",
    ])
    func otherPathsAreNotFound(path: String) throws {
        try TraceFixture.withServer { server, _ in
            let response = HTTPExchange.perform("http://127.0.0.1:\(server.port)\(path)")
            #expect(response.curlCode == 0)
            #expect(response.status == 404)
            #expect(!response.text.contains("root:"))
            #expect(response.text.hasPrefix("404 not found: this server serves only /trace.json"))
            #expect(server.stats().notFound == 1)
        }
    }

    @Test("the POST /status Perfetto UI probes for a trace processor is 404; other methods are 405")
    func otherMethods() throws {
        try TraceFixture.withServer { server, _ in
            #expect(HTTPExchange.perform("http://127.0.0.1:\(server.port)/status", method: "POST").status == 404)
            let post = HTTPExchange.perform(server.traceURL, method: "DELETE")
            #expect(post.status == 405)
            #expect(post.header("Allow") == "GET, HEAD, OPTIONS")
        }
    }

    @Test("a query string is ignored; a percent-encoded name is the same path")
    func queryAndEncoding() throws {
        let content = TraceFixture.trace(events: 10)
        try TraceFixture.withServer(content: content, name: "my trace=1.json") { server, _ in
            #expect(server.traceURL == "http://127.0.0.1:\(server.port)/my%20trace%3D1.json")
            #expect(HTTPExchange.perform(server.traceURL + "?x=1").body == content)
        }
    }

    @Test("Range: one range answers 206 with Content-Range; past the end 416; several ranges the whole file")
    func ranges() throws {
        let content = TraceFixture.trace(events: 50)
        let size = content.count
        try TraceFixture.withServer(content: content) { server, served in
            let first = HTTPExchange.perform(server.traceURL, headers: ["Range: bytes=0-9"])
            #expect(first.status == 206)
            #expect(first.body == Array(content[0..<10]))
            #expect(first.header("Content-Range") == "bytes 0-9/\(size)")
            #expect(first.header("Content-Length") == "10")

            let suffix = HTTPExchange.perform(server.traceURL, headers: ["Range: bytes=-5"])
            #expect(suffix.status == 206)
            #expect(suffix.body == Array(content[(size - 5)...]))

            let open = HTTPExchange.perform(server.traceURL, headers: ["Range: bytes=\(size - 3)-"])
            #expect(open.body == Array(content[(size - 3)...]))

            let past = HTTPExchange.perform(server.traceURL, headers: ["Range: bytes=\(size)-"])
            #expect(past.status == 416)
            #expect(past.header("Content-Range") == "bytes */\(size)")

            let several = HTTPExchange.perform(server.traceURL, headers: ["Range: bytes=0-1,5-6"])
            #expect(several.status == 200)
            #expect(several.body == content)

            // Counted when the server's last write completes, which may be just after curl has every byte.
            // One event loop: the ranges' writes completed before this one.
            #expect(served.next().bytes == size)
            let stats = server.stats()
            #expect(stats.rangeRequests == 3)
            #expect(stats.completeDownloads == 1)
        }
    }

    @Test("the Perfetto link carries the trace URL percent-encoded, under the allowed origin")
    func perfettoLink() throws {
        try TraceFixture.withServer { server, _ in
            #expect(server.perfettoLink ==
                    "https://ui.perfetto.dev/#!/?url=http%3A%2F%2F127.0.0.1%3A\(server.port)%2Ftrace.json")
        }
    }

    @Test("a missing file, a folder, a file that is not a trace and an empty one are refused before listening")
    func refusedFiles() throws {
        let folder = try TraceFixture.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.json").path
        #expect(throws: TraceFileServerError.cannotOpen(path: missing, call: "open", errno: ENOENT)) {
            try TraceFileServer.start(.init(path: missing, port: 0))
        }
        #expect(throws: TraceFileServerError.notAFile(path: folder.path)) {
            try TraceFileServer.start(.init(path: folder.path, port: 0))
        }
        let html = folder.appendingPathComponent("page.json")
        try Data("<html></html>".utf8).write(to: html)
        #expect(throws: TraceFileServerError.notATrace(path: html.path, start: "'<html></html>'")) {
            try TraceFileServer.start(.init(path: html.path, port: 0))
        }
        let empty = folder.appendingPathComponent("empty.json")
        try Data(" \n".utf8).write(to: empty)
        #expect(throws: TraceFileServerError.notATrace(path: empty.path, start: "")) {
            try TraceFileServer.start(.init(path: empty.path, port: 0))
        }
        // Guards issue 14 item 14: 16 random bytes were reported as "empty".
        let binary = folder.appendingPathComponent("random.json")
        try Data([0x8F, 0x1A, 0x03, 0x00, 0xC2, 0x7E, 0x11, 0xFE, 0x45, 0x99, 0x20, 0x61, 0x0B, 0xD4, 0x3C, 0x70]).write(to: binary)
        #expect(throws: TraceFileServerError.notATrace(path: binary.path,
                                                      start: "the bytes 8F 1A 03 00 C2 7E 11 FE (binary data)")) {
            try TraceFileServer.start(.init(path: binary.path, port: 0))
        }
        let binaryMessage = TraceFileServerError.notATrace(path: "r.json", start: "the bytes 8F 1A (binary data)")
            .description
        #expect(!binaryMessage.contains("empty") && binaryMessage.contains("8F 1A"))
        for accepted in ["[]", " \n[\n{\"ph\":\"M\"}]", "{\"traceEvents\":[]}", "{}"] {
            let file = folder.appendingPathComponent("ok.json")
            try Data(accepted.utf8).write(to: file)
            let server = try TraceFileServer.start(.init(path: file.path, port: 0))
            server.shutdown()
        }
    }

    @Test("a port in use is .cannotListen(.addressInUse)")
    func portInUse() throws {
        try TraceFixture.withServer { server, _ in
            let path = server.configuration.path
            #expect(throws: TraceFileServerError.cannotListen(.addressInUse(host: "127.0.0.1", port: server.port))) {
                try TraceFileServer.start(.init(path: path, port: server.port))
            }
        }
    }
}

/// Trace files for the tests, and a server for one.
enum TraceFixture {
    /// A Chrome trace in the Array form with `events` complete events, one per line.
    static func trace(events: Int) -> [UInt8] {
        var text = "[\n"
        for index in 0..<events {
            text += #"{"name":"task \#(index)","ph":"X","ts":\#(index * 10),"dur":5,"pid":1,"tid":1,"#
            text += #""args":{"task":\#(index),"payload":"\#(String(repeating: "x", count: 40))"}},"# + "\n"
        }
        text += #"{"name":"end","ph":"i","ts":0,"pid":1,"tid":1,"s":"t"}]"# + "\n"
        return Array(text.utf8)
    }

    static func makeFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conctrace-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `content` to a fresh folder as `name`, serves it on 127.0.0.1 port 0, runs `body`, shuts down.
    static func withServer(
        content: [UInt8] = trace(events: 10), name: String = "trace.json",
        _ body: (TraceFileServer, DownloadLog) throws -> Void
    ) throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name)
        try Data(content).write(to: file)
        let log = DownloadLog()
        let server = try TraceFileServer.start(.init(path: file.path, port: 0)) { log.add($0) }
        defer { server.shutdown() }
        try body(server, log)
    }
}

/// The downloads a server reported, handed from its event loop to the test.
final class DownloadLog: Sendable {
    private let downloads = Locked<[ServedDownload]>([])
    private let arrived = DispatchSemaphore(value: 0)

    func add(_ download: ServedDownload) {
        downloads.withLock { $0.append(download) }
        arrived.signal()
    }

    /// Waits for the next download the server reports (the suite's time limit bounds the wait).
    func next() -> ServedDownload {
        arrived.wait()
        return downloads.withLock { $0.removeFirst() }
    }
}

/// One HTTP exchange through libcurl, keeping the status, the response headers and the whole body.
struct HTTPExchange {
    var curlCode: Int
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The value of the last header called `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Sends `method` to `url` exactly as written (no `..` removal), with `headers` (`Name: value`).
    static func perform(_ url: String, method: String = "GET", headers: [String] = []) -> HTTPExchange {
        precondition(Curl.ready, "curl_global_init failed")
        let handle = curl_easy_init()!
        defer { curl_easy_cleanup(handle) }
        let received = Received()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        _ = url.withCString { ct_easy_setopt_pointer(handle, CURLOPT_URL, $0) }
        _ = "*".withCString { ct_easy_setopt_pointer(handle, CURLOPT_NOPROXY, $0) }
        _ = ct_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ct_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, 20_000)
        _ = ct_easy_setopt_long(handle, CURLOPT_PATH_AS_IS, 1)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list.map { UnsafeRawPointer($0) })
        if method == "HEAD" {
            _ = ct_easy_setopt_long(handle, CURLOPT_NOBODY, 1)
        } else if method != "GET" {
            _ = method.withCString { ct_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) }
        }
        let context = Unmanaged.passUnretained(received).toOpaque()
        _ = ct_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, Received.bodyCallback)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = ct_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, Received.headerCallback)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        let code = withExtendedLifetime(received) { curl_easy_perform(handle) }
        var status = 0
        _ = ct_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPExchange(curlCode: Int(code.rawValue), status: status, headers: received.headers,
                            body: received.body)
    }

    private final class Received {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []

        static let bodyCallback: curl_write_callback = { data, size, count, context in
            let received = Unmanaged<Received>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data {
                data.withMemoryRebound(to: UInt8.self, capacity: length) {
                    received.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
            }
            return length
        }

        static let headerCallback: curl_write_callback = { data, size, count, context in
            let received = Unmanaged<Received>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let data else { return length }
            let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                received.headers.append((String(line[..<colon]), value))
            }
            return length
        }
    }
}
