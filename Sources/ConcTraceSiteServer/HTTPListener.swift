import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening HTTP/1.1 socket with event loops of its own, which registers every connection it accepts so that
/// shutdown can close them all: the part ``SiteServer`` and ``TraceFileServer`` share.
///
///     bind(host, port) ─▶ accept ─▶ ConnectionRegistry ─▶ HTTP codec ─▶ the server's own handler
///
/// Call ``shutdown()`` before letting go of a listener: its event loop threads run until then.
final class HTTPListener: Sendable {
    /// Where to listen and with how many threads.
    struct Settings {
        var host: String
        var port: Int
        var eventLoopThreads: Int
        var backlog: Int
    }

    /// The port it listens on (the kernel's choice when the settings said 0).
    let port: Int

    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let connections: ConnectionRegistry
    private let shutdownBegun = Atomic(false)

    /// Binds and returns once it listens; blocks the calling thread while binding.
    ///
    /// - Parameters:
    ///   - connections: where accepted connections are registered (and counted, if it says so).
    ///   - makeHandler: called on a connection's event loop for each connection: the handler behind the HTTP codec.
    /// - Throws: ``SiteServerError``: `.addressInUse` when the port is taken, `.unknownHost`, `.cannotListen`.
    @available(*, noasync, message: "use 'await HTTPListener.start(...)' from async code")
    static func start(
        _ settings: Settings, connections: ConnectionRegistry,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) throws(SiteServerError) -> HTTPListener {
        let launch = Launch(settings, connections: connections, makeHandler: makeHandler)
        do {
            let listener = try launch.bootstrap.bind(to: try launch.address()).wait()
            return HTTPListener(launch, listener: listener)
        } catch {
            try? launch.group.syncShutdownGracefully()
            throw launch.failure(error)
        }
    }

    /// ``start(_:connections:makeHandler:)`` without blocking a thread of the caller's executor.
    static func start(
        _ settings: Settings, connections: ConnectionRegistry,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) async throws(SiteServerError) -> HTTPListener {
        let launch = Launch(settings, connections: connections, makeHandler: makeHandler)
        do {
            let listener = try await launch.bootstrap.bind(to: try launch.address()).get()
            return HTTPListener(launch, listener: listener)
        } catch {
            try? await launch.group.shutdownGracefully()
            throw launch.failure(error)
        }
    }

    private init(_ launch: Launch, listener: any Channel) {
        port = listener.localAddress?.port ?? launch.settings.port
        group = launch.group
        connections = launch.connections
        self.listener = listener
    }

    /// Stops listening, closes every connection and stops the event loop threads; returns when they have stopped.
    ///
    /// Idempotent: only the first call does the work. Must not run on one of the listener's own event loops.
    @available(*, noasync, message: "use 'await shutdown()' from async code")
    func shutdown() {
        guard !shutdownBegun.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? closeEverything().wait()
        try? group.syncShutdownGracefully()
    }

    /// ``shutdown()`` for async code: the same steps, awaited instead of blocking.
    func shutdown() async {
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

/// The parts of a listener made before it binds, shared by the synchronous and the async ``HTTPListener/start``.
private struct Launch {
    let settings: HTTPListener.Settings
    let connections: ConnectionRegistry
    let group: MultiThreadedEventLoopGroup
    let bootstrap: ServerBootstrap

    init(
        _ settings: HTTPListener.Settings, connections: ConnectionRegistry,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.eventLoopThreads)
        self.settings = settings
        self.connections = connections
        self.group = group
        bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Int32(clamping: settings.backlog))
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                guard connections.add(channel) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
    }

    /// The address to bind, resolved without touching the network for a numeric host.
    func address() throws(SiteServerError) -> SocketAddress {
        do {
            return try SocketAddress.makeAddressResolvingHost(settings.host, port: settings.port)
        } catch {
            throw .unknownHost(settings.host)
        }
    }

    /// The ``SiteServerError`` for an error thrown while binding.
    func failure(_ error: any Error) -> SiteServerError {
        let host = settings.host
        let port = settings.port
        if let error = error as? SiteServerError { return error }
        guard let error = error as? IOError else { return .unexpected(host: host, port: port, reason: "\(error)") }
        if error.errnoCode == EADDRINUSE { return .addressInUse(host: host, port: port) }
        // The description starts with the call's name, e.g. "bind(descriptor:ptr:bytes:): ...".
        let call = error.description.prefix { $0 != "(" && $0 != ":" }
        return .cannotListen(host: host, port: port, call: call.isEmpty ? "bind" : String(call), errno: error.errnoCode)
    }
}
