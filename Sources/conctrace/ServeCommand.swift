import ArgumentParser
import ConcTraceLab
import ConcTraceSiteServer

#if canImport(Glibc)
import Glibc
#endif

extension ConcTrace {
    struct Serve: ParsableCommand, HandlesSignals {
        static let configuration = CommandConfiguration(
            abstract: "Serve the tutorial's pages over HTTP on this machine, with latency and faults, until stopped.",
            discussion: """
                Pages are /page/0 to /page/<pages-1>; page k has the (k mod 15)-th of the tutorial's 15 sizes \
                (625484 bytes for pages 0-14), with Content-Length and keep-alive. GET /stats answers the \
                counters as JSON; other paths are 404, other methods 405. Latencies and faults are drawn from \
                --seed: the same seed and the same requests give the same results. Prints one line with the base \
                URL on start. On SIGINT or SIGTERM, closes every connection, prints what it served to stderr and \
                exits 130 or 143 (a second signal exits at once). A port in use exits 69.
                """
        )

        @Option(help: "Address to listen on (loopback unless told otherwise).")
        var host = "127.0.0.1"

        @Option(help: "Port to listen on; 0 picks a free one (the start line names it).")
        var port = 0

        @Option(help: "How many pages to serve: /page/0 to /page/<pages-1>; sizes repeat every 15 pages.")
        var pages = 15

        @Option(
            name: .customLong("latency-ms"),
            help: ArgumentHelp(
                "Delay before each page response, in ms: fixed (100) or uniform over a range (50-300), " +
                    "seeded. (default: 100)",
                valueName: "ms|low-high"),
            transform: { text in
                do { return try LatencyModel(parsing: text) } catch { throw ValidationError("\(error)") }
            }
        )
        var latency = LatencyModel.fixed(milliseconds: 100)

        @Option(help: "Probability (0-1) that a page request is answered with HTTP 500.")
        var errorRate: Double = 0

        @Option(help: "Probability (0-1) that a page request's connection is reset (TCP RST).")
        var resetRate: Double = 0

        @Option(help: "Probability (0-1) that a page request is never answered (the connection stays open).")
        var stallRate: Double = 0

        @Option(help: "Seed for the latencies and faults.")
        var seed: UInt64 = SiteConfiguration.defaultSeed

        @Option(help: "Event loop threads (default: one per core).")
        var threads: Int?

        func validate() throws {
            for (name, rate) in [("--error-rate", errorRate), ("--reset-rate", resetRate), ("--stall-rate", stallRate)]
            where !(0...1).contains(rate) {
                throw ValidationError("\(name) must be between 0 and 1 (got \(rate))")
            }
            if errorRate + resetRate + stallRate > 1 {
                throw ValidationError("--error-rate, --reset-rate and --stall-rate must add up to at most 1 " +
                                      "(got \(errorRate + resetRate + stallRate))")
            }
            if !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535 (got \(port))") }
            if !(1...100_000_000).contains(pages) {
                throw ValidationError("--pages must be 1...100000000 (got \(pages))")
            }
            if let threads, !(1...1024).contains(threads) {
                throw ValidationError("--threads must be 1...1024 (got \(threads))")
            }
        }

        var siteConfiguration: SiteConfiguration {
            SiteConfiguration(
                host: host, port: port, pages: pages, latency: latency, errorRate: errorRate, resetRate: resetRate,
                stallRate: stallRate, seed: seed, eventLoopThreads: threads)
        }

        func run() throws {
            // First, before any thread exists.
            let session = ServingSession<Never>()
            let server: SiteServer
            do {
                server = try SiteServer.start(siteConfiguration)
            } catch {
                printError(error.description)
                throw ExitStatus.cannotListen.exitCode
            }
            printLine("serving \(pages) pages on \(server.baseURL) (\(settings))")
            let signal: Int32
            switch session.wait() {
            case .signal(let received): signal = received
            }
            server.shutdown()
            let stats = server.stats()
            printNote("served \(stats.requests) page requests (\(stats.ok) ok, \(stats.errors) errors, " +
                      "\(stats.resets) resets, \(stats.stalls) stalls; \(stats.notFound) not found) " +
                      "on \(stats.connectionsAccepted) connections")
            throw ExitStatus.forSignal(signal).exitCode
        }

        /// `latency 100 ms`, then any fault rate that is not 0 and the seed when something is drawn from it.
        private var settings: String {
            var parts = ["latency \(latency)"]
            for (name, rate) in [("error rate", errorRate), ("reset rate", resetRate), ("stall rate", stallRate)]
            where rate > 0 {
                parts.append("\(name) \(rate)")
            }
            if parts.count > 1 || latency.isRange {
                parts.append("seed \(seed)")
            }
            return parts.joined(separator: ", ")
        }
    }
}

extension LatencyModel {
    fileprivate var isRange: Bool {
        if case .range = self { true } else { false }
    }
}
