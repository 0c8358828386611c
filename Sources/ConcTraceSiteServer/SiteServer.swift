import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

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

    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let site: Site
    private let connections: ConnectionRegistry
    private let shutdownBegun = Atomic(false)

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
        let launch = Launch(configuration)
        do {
            let listener = try launch.bootstrap.bind(to: try launch.address()).wait()
            return SiteServer(launch, listener: listener)
        } catch {
            try? launch.group.syncShutdownGracefully()
            throw launch.failure(error)
        }
    }

    /// Starts a server and returns once it listens, without blocking a thread of the caller's executor.
    ///
    /// - Throws: ``SiteServerError``, as the synchronous ``start(_:)``.
    public static func start(_ configuration: SiteConfiguration) async throws(SiteServerError) -> SiteServer {
        let launch = Launch(configuration)
        do {
            let listener = try await launch.bootstrap.bind(to: try launch.address()).get()
            return SiteServer(launch, listener: listener)
        } catch {
            try? await launch.group.shutdownGracefully()
            throw launch.failure(error)
        }
    }

    private init(_ launch: Launch, listener: any Channel) {
        configuration = launch.site.configuration
        port = listener.localAddress?.port ?? configuration.port
        group = launch.group
        site = launch.site
        connections = launch.connections
        self.listener = listener
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
        guard !shutdownBegun.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? closeEverything().wait()
        try? group.syncShutdownGracefully()
    }

    /// ``shutdown()`` for async code: the same steps, awaited instead of blocking.
    public func shutdown() async {
        guard !shutdownBegun.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await closeEverything().get()
        try? await group.shutdownGracefully()
    }

    private func closeEverything() -> EventLoopFuture<Void> {
        // The listener first, so no connection arrives after the registry's snapshot; one accepted meanwhile
        // finds the registry closed and is closed by the child initializer.
        var closing = [listener.close()]
        closing += connections.closeAll().map { $0.close() }
        return EventLoopFuture.andAllComplete(closing, on: group.any())
    }
}

/// The parts of a server made before it binds, shared by the synchronous and the async ``SiteServer/start(_:)``.
private struct Launch {
    let site: Site
    let connections: ConnectionRegistry
    let group: MultiThreadedEventLoopGroup
    let bootstrap: ServerBootstrap

    init(_ configuration: SiteConfiguration) {
        let site = Site(configuration)
        let connections = ConnectionRegistry(counters: site.counters)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads ?? System.coreCount)
        self.site = site
        self.connections = connections
        self.group = group
        bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Int32(clamping: configuration.backlog))
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                guard connections.add(channel) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PageRequestHandler(site: site))
                }
            }
    }

    /// The address to bind, resolved without touching the network for a numeric host.
    func address() throws(SiteServerError) -> SocketAddress {
        do {
            return try SocketAddress.makeAddressResolvingHost(site.configuration.host, port: site.configuration.port)
        } catch {
            throw .unknownHost(site.configuration.host)
        }
    }

    /// The ``SiteServerError`` for an error thrown while binding.
    func failure(_ error: any Error) -> SiteServerError {
        let host = site.configuration.host
        let port = site.configuration.port
        if let error = error as? SiteServerError { return error }
        guard let error = error as? IOError else { return .unexpected(host: host, port: port, reason: "\(error)") }
        if error.errnoCode == EADDRINUSE { return .addressInUse(host: host, port: port) }
        // The description starts with the call's name, e.g. "bind(descriptor:ptr:bytes:): ...".
        let call = error.description.prefix { $0 != "(" && $0 != ":" }
        return .cannotListen(host: host, port: port, call: call.isEmpty ? "bind" : String(call), errno: error.errnoCode)
    }
}
