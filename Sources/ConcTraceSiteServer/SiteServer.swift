import NIOCore

/// The site the `download` workload fetches from: a SwiftNIO HTTP/1.1 server on loopback that serves the
/// tutorial's pages with a configured latency and, on request, faults (see ``SiteConfiguration``).
///
/// Routes: `GET /page/<k>` (k below ``SiteConfiguration/pages``) answers `text/html` with Content-Length,
/// keep-alive unless the client asks for `Connection: close`; `GET /stats` answers ``SiteStats/json``; other
/// paths answer 404, other methods 405.
///
/// One event loop per core (by default) runs every connection; a response's latency is a timer on its loop,
/// so thousands of connections can wait at once without a thread each.
///
/// Call ``shutdown()`` before letting go of a server: its event loop threads run until then.
///
/// ```swift
/// let server = try SiteServer.start(SiteConfiguration(latency: .fixed(milliseconds: 100)))
/// defer { server.shutdown() }
/// print(server.baseURL + "/page/3")  // http://127.0.0.1:<port>/page/3
/// ```
public final class SiteServer: Sendable {
    /// What the server was started with (``SiteConfiguration/port`` as given; ``port`` is the bound one).
    public let configuration: SiteConfiguration
    /// The port the server listens on (the kernel's choice when the configuration said 0).
    public let port: Int
    /// The decisions the server makes for each page request, for callers that want to predict them.
    public var planner: ResponsePlanner { site.planner }

    private let site: Site
    private let listener: HTTPListener

    /// `http://<host>:<port>`, with brackets around an IPv6 host; pages are at `<baseURL>/page/<k>`.
    public var baseURL: String {
        "http://\(SiteServerError.endpoint(configuration.host, port))"
    }

    /// Starts a server and returns once it listens. Use this from synchronous code (the CLI, tests); it blocks
    /// the calling thread while binding, so do not call it on an event loop.
    ///
    /// - Throws: ``SiteServerError``: `.addressInUse` when the port is taken, `.unknownHost`, `.cannotListen`.
    @available(*, noasync, message: "use 'await SiteServer.start(_:)' from async code")
    public static func start(_ configuration: SiteConfiguration) throws(SiteServerError) -> SiteServer {
        let site = Site(configuration)
        let listener = try HTTPListener.start(listenerSettings(configuration), connections: connections(site)) {
            PageRequestHandler(site: site)
        }
        return SiteServer(site, listener: listener)
    }

    /// Starts a server and returns once it listens, without blocking a thread of the caller's executor.
    ///
    /// - Throws: ``SiteServerError``, as the synchronous ``start(_:)``.
    public static func start(_ configuration: SiteConfiguration) async throws(SiteServerError) -> SiteServer {
        let site = Site(configuration)
        let listener = try await HTTPListener.start(listenerSettings(configuration), connections: connections(site)) {
            PageRequestHandler(site: site)
        }
        return SiteServer(site, listener: listener)
    }

    private init(_ site: Site, listener: HTTPListener) {
        configuration = site.configuration
        port = listener.port
        self.site = site
        self.listener = listener
    }

    private static func listenerSettings(_ configuration: SiteConfiguration) -> HTTPListener.Settings {
        HTTPListener.Settings(
            host: configuration.host, port: configuration.port,
            eventLoopThreads: configuration.eventLoopThreads ?? System.coreCount, backlog: configuration.backlog)
    }

    /// A registry that counts the site's connections as they open and close.
    private static func connections(_ site: Site) -> ConnectionRegistry {
        let counters = site.counters
        return ConnectionRegistry(
            opened: { counters.connectionsAccepted.add(1, ordering: .relaxed) },
            closed: { counters.connectionsClosed.add(1, ordering: .relaxed) })
    }

    /// What the server has done so far.
    public func stats() -> SiteStats {
        site.counters.snapshot
    }

    /// Stops listening, closes every connection (stalled ones and those waiting out their latency included)
    /// and stops the event loop threads; returns when they have stopped.
    ///
    /// Idempotent: only the first call does the work, later calls return at once. Must not run on one of the
    /// server's own event loops (nothing the server calls out to does).
    @available(*, noasync, message: "use 'await shutdown()' from async code")
    public func shutdown() {
        listener.shutdown()
    }

    /// ``shutdown()`` for async code: the same steps, awaited instead of blocking.
    public func shutdown() async {
        await listener.shutdown()
    }
}
