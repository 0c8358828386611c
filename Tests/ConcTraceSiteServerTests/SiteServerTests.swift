import ConcTraceSiteServer
import Testing

/// Starts a server on 127.0.0.1 port 0 (no latency unless told), runs `body`, and shuts the server down.
func withServer<T>(
    _ configuration: SiteConfiguration = SiteConfiguration(latency: .fixed(milliseconds: 0)),
    _ body: (SiteServer) throws -> T
) throws -> T {
    let server = try SiteServer.start(configuration)
    defer { server.shutdown() }
    return try body(server)
}

@Suite("Site server: pages, routes, keep-alive, stats", .timeLimit(.minutes(1)))
struct SiteServerTests {
    @Test("all 15 pages, exact sizes, over one keep-alive connection")
    func tutorialPagesOverOneConnection() throws {
        try withServer { server in
            let client = KeepAliveClient()
            var total = 0
            for page in 0..<15 {
                let fetched = client.get("\(server.baseURL)/page/\(page)")
                #expect(fetched.curlCode == 0)
                #expect(fetched.status == 200)
                #expect(fetched.bytes == PageCatalog.tutorialSizes[page], "page \(page)")
                #expect(fetched.newConnections == (page == 0 ? 1 : 0), "page \(page) opened a connection")
                total += fetched.bytes
            }
            #expect(total == 625_484)
            #expect(PageCatalog.totalBytes(pages: 15) == 625_484)
            let stats = server.stats()
            #expect(stats.requests == 15)
            #expect(stats.ok == 15)
            #expect(stats.bodyBytes == 625_484)
            #expect(stats.connectionsAccepted == 1)
            #expect(stats.connectionsOpen == 1)
        }
    }

    @Test("a page is an HTML document of exactly its size")
    func pageBodyIsHTML() throws {
        try withServer { server in
            let client = KeepAliveClient(keepBytes: 100_000)
            let fetched = client.get("\(server.baseURL)/page/5")
            #expect(fetched.body.count == 15_160)
            #expect(fetched.text.hasPrefix("<!DOCTYPE html>\n<html><head><title>conctrace page 5</title>"))
            #expect(fetched.text.hasSuffix("</body></html>\n"))
        }
    }

    @Test("pages past 14 repeat the sizes; the page after the last is 404")
    func morePagesRepeatSizes() throws {
        try withServer(SiteConfiguration(pages: 40, latency: .fixed(milliseconds: 0))) { server in
            let client = KeepAliveClient()
            for page in 15..<40 {
                let fetched = client.get("\(server.baseURL)/page/\(page)")
                #expect(fetched.status == 200)
                #expect(fetched.bytes == PageCatalog.tutorialSizes[page % 15], "page \(page)")
            }
            #expect(client.get("\(server.baseURL)/page/40").status == 404)
            let firstTen = PageCatalog.tutorialSizes.prefix(10).reduce(0, +)
            #expect(PageCatalog.totalBytes(pages: 40) == 2 * 625_484 + firstTen)
        }
    }

    @Test("unknown paths are 404, other methods 405, and neither counts as a page request")
    func notFoundAndMethodNotAllowed() throws {
        try withServer { server in
            let client = KeepAliveClient()
            for path in ["/page/15", "/page/", "/page/abc", "/page/+1", "/page/-1", "/", "/pages/1"] {
                #expect(client.get(server.baseURL + path).status == 404, "\(path)")
            }
            #expect(client.get("\(server.baseURL)/page/1?x=2").status == 200)
            #expect(client.get("\(server.baseURL)/page/0", method: "DELETE").status == 405)
            let stats = server.stats()
            #expect(stats.notFound == 7)
            #expect(stats.methodNotAllowed == 1)
            #expect(stats.requests == 1)
            #expect(stats.ok == 1)
        }
    }

    @Test("/stats answers the counters as JSON")
    func statsEndpoint() throws {
        try withServer { server in
            let client = KeepAliveClient(keepBytes: 4096)
            for page in [0, 1, 2] { _ = client.get("\(server.baseURL)/page/\(page)") }
            _ = client.get("\(server.baseURL)/nope")
            let fetched = client.get("\(server.baseURL)/stats")
            #expect(fetched.status == 200)
            let expected = "{\"requests\":3,\"ok\":3,\"errors\":0,\"resets\":0,\"stalls\":0,\"not_found\":1," +
                "\"method_not_allowed\":0,\"body_bytes\":\(63153 + 31461 + 23965)," +
                "\"connections_accepted\":1,\"connections_open\":1}\n"
            #expect(fetched.text == expected)
        }
    }

    @Test("Connection: close is honoured: the next request opens a new connection")
    func connectionClose() throws {
        try withServer { server in
            let client = KeepAliveClient()
            let first = client.get("\(server.baseURL)/page/0", headers: ["Connection: close"])
            let second = client.get("\(server.baseURL)/page/1")
            let third = client.get("\(server.baseURL)/page/2")
            #expect(first.status == 200 && second.status == 200 && third.status == 200)
            #expect(first.newConnections == 1)
            #expect(second.newConnections == 1)
            #expect(third.newConnections == 0)
            #expect(server.stats().connectionsAccepted == 2)
        }
    }

    @Test("a fixed latency of 50 ms delays every response by at least 50 ms")
    func fixedLatencyIsALowerBound() throws {
        try withServer(SiteConfiguration(latency: .fixed(milliseconds: 50))) { server in
            let client = KeepAliveClient()
            let clock = ContinuousClock()
            for page in 0..<5 {
                let start = clock.now
                let fetched = client.get("\(server.baseURL)/page/\(page)")
                let elapsed = clock.now - start
                #expect(fetched.status == 200)
                #expect(elapsed >= .milliseconds(50), "page \(page) took \(elapsed)")
                #expect(elapsed < .seconds(5), "page \(page) took \(elapsed)")
            }
            // Only page requests wait: the stats answer at once.
            let start = clock.now
            _ = client.get("\(server.baseURL)/stats")
            #expect(clock.now - start < .seconds(5))
        }
    }

    @Test("a port in use is a typed error naming host:port")
    func portInUse() throws {
        try withServer { server in
            let taken = SiteConfiguration(port: server.port)
            #expect(throws: SiteServerError.addressInUse(host: "127.0.0.1", port: server.port)) {
                try SiteServer.start(taken)
            }
            let message = SiteServerError.addressInUse(host: "127.0.0.1", port: server.port).description
            #expect(message.contains("127.0.0.1:\(server.port)"))
            #expect(!message.contains("\n"))
        }
    }

    @Test("an address of another machine cannot be bound: EADDRNOTAVAIL, named")
    func foreignAddress() throws {
        do {
            let server = try SiteServer.start(SiteConfiguration(host: "192.0.2.1"))
            server.shutdown()
            Issue.record("bound 192.0.2.1 (TEST-NET-1), which no machine should own")
        } catch .cannotListen(let host, _, let call, let errno) {
            #expect(host == "192.0.2.1")
            #expect(call == "bind")
            #expect(errno == 99)  // EADDRNOTAVAIL on Linux
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the async start and shutdown serve like the synchronous ones")
    func asyncStartAndShutdown() async throws {
        let server = try await SiteServer.start(SiteConfiguration(latency: .fixed(milliseconds: 0)))
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        #expect(server.port > 0)
        let fetched = KeepAliveClient().get("\(server.baseURL)/page/14")
        #expect(fetched.status == 200)
        #expect(fetched.bytes == 67_028)
        await server.shutdown()
        await server.shutdown()
    }
}
