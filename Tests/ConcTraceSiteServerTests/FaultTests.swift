import ConcTraceSiteServer
import Testing

@Suite("Site server: faults, stalls, shutdown, many connections", .timeLimit(.minutes(1)))
struct FaultTests {
    @Test("error rate 1: every page is HTTP 500, on a connection that stays open")
    func everyRequestFails() throws {
        try withServer(SiteConfiguration(latency: .fixed(milliseconds: 0), errorRate: 1)) { server in
            let client = KeepAliveClient()
            for page in 0..<10 {
                let fetched = client.get("\(server.baseURL)/page/\(page)")
                #expect(fetched.curlCode == 0)
                #expect(fetched.status == 500)
                #expect(fetched.newConnections == (page == 0 ? 1 : 0))
            }
            let stats = server.stats()
            #expect(stats.errors == 10)
            #expect(stats.ok == 0)
        }
    }

    @Test("reset rate 1: the connection is reset, curl reports a receive error or nothing received")
    func everyRequestIsReset() throws {
        try withServer(SiteConfiguration(latency: .fixed(milliseconds: 0), resetRate: 1)) { server in
            let client = KeepAliveClient()
            for page in 0..<3 {
                let fetched = client.get("\(server.baseURL)/page/\(page)")
                // CURLE_GOT_NOTHING or CURLE_RECV_ERROR, depending on when the RST arrives.
                #expect([52, 56].contains(fetched.curlCode), "curl code \(fetched.curlCode)")
                #expect(fetched.status == 0)
            }
            #expect(server.stats().resets == 3)
        }
    }

    @Test("stall rate 1: no answer, so a 300 ms client timeout fires")
    func everyRequestStalls() throws {
        try withServer(SiteConfiguration(latency: .fixed(milliseconds: 0), stallRate: 1)) { server in
            let clock = ContinuousClock()
            let start = clock.now
            let fetched = KeepAliveClient().get("\(server.baseURL)/page/0", timeoutMilliseconds: 300)
            let elapsed = clock.now - start
            #expect(fetched.curlCode == 28)  // CURLE_OPERATION_TIMEDOUT
            // curl's own timer may fire a hair before ours reads 300 ms: only check that it waited.
            #expect(elapsed >= .milliseconds(200))
            #expect(elapsed < .seconds(5))
            #expect(server.stats().stalls == 1)
        }
    }

    @Test("shutdown closes stalled connections: clients see the close long before their timeout")
    func shutdownClosesStalledConnections() throws {
        let server = try SiteServer.start(SiteConfiguration(latency: .fixed(milliseconds: 0), stallRate: 1))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(8)
        var shutdownAt: ContinuousClock.Instant?
        let urls = (0..<3).map { "\(server.baseURL)/page/\($0)" }
        let results = ParallelFetch.get(urls, timeoutMilliseconds: 10_000) {
            guard shutdownAt == nil, server.stats().stalls == 3 || clock.now > deadline else { return }
            #expect(server.stats().connectionsOpen == 3)
            shutdownAt = clock.now
            server.shutdown()
        }
        let sinceShutdown = clock.now - (try #require(shutdownAt))
        for result in results {
            #expect([52, 56].contains(result.curlCode), "curl code \(result.curlCode)")
        }
        #expect(sinceShutdown < .seconds(3), "clients waited \(sinceShutdown) after shutdown")
        #expect(server.stats().stalls == 3)
        #expect(server.stats().connectionsOpen == 0)
        server.shutdown()  // idempotent
    }

    @Test("shutdown also ends responses still waiting out their latency")
    func shutdownDuringLatency() throws {
        let server = try SiteServer.start(SiteConfiguration(latency: .fixed(milliseconds: 5_000)))
        let clock = ContinuousClock()
        let start = clock.now
        var requested = false
        let results = ParallelFetch.get(["\(server.baseURL)/page/0"], timeoutMilliseconds: 10_000) {
            if !requested, server.stats().requests == 1 {
                requested = true
                server.shutdown()
            }
        }
        #expect(results[0].curlCode != 0)
        #expect(clock.now - start < .seconds(4))
        #expect(server.stats().ok == 0)
    }

    @Test("500 concurrent connections all get their page")
    func fiveHundredConnections() throws {
        try withServer(SiteConfiguration(latency: .fixed(milliseconds: 300))) { server in
            let urls = (0..<500).map { "\(server.baseURL)/page/\($0 % 15)" }
            var mostOpen = 0
            let results = ParallelFetch.get(urls, timeoutMilliseconds: 15_000) {
                mostOpen = max(mostOpen, server.stats().connectionsOpen)
            }
            #expect(results.filter { $0.status == 200 }.count == 500)
            for (position, result) in results.enumerated() {
                #expect(result.bytes == PageCatalog.size(ofPage: position % 15), "request \(position)")
            }
            let stats = server.stats()
            #expect(stats.ok == 500)
            #expect(stats.connectionsAccepted == 500)
            // With 300 ms of latency each, the connections overlap: most of them are open at once.
            #expect(mostOpen >= 250, "at most \(mostOpen) connections were open at once")
        }
    }
}
