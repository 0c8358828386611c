import Synchronization

/// Serves one trace file over HTTP on loopback, with the headers Perfetto UI needs to fetch it from another
/// origin: what `conctrace view` runs.
///
/// Perfetto UI opens `https://ui.perfetto.dev/#!/?url=<URL>` by `fetch(URL)`: a plain cross-origin GET that
/// wants status 200, reads `Content-Length` for its progress bar and streams the body. The page's
/// Content-Security-Policy lets it connect to `http://127.0.0.1:9001` only (trace_processor's port, which
/// Perfetto's own `open_trace_in_ui` script reuses for this), so ``perfettoPort`` is the port to use with
/// ui.perfetto.dev; a Perfetto UI served from elsewhere (``Configuration/allowedOrigin``) may allow others.
///
/// The server answers only `/<file name>` (GET, HEAD, `Range: bytes=` single ranges, and OPTIONS preflights), every
/// response with `Access-Control-Allow-Origin: <allowedOrigin>`; any other path is 404. It reads the file it
/// opened at start and no other, by sendfile, so a trace of hundreds of MB is never held in memory.
///
/// Call ``shutdown()`` before letting go of a server: its event loop thread runs until then.
///
/// ```swift
/// let server = try TraceFileServer.start(.init(path: "traces/cpu-threads.json", port: 0)) { download in
///     print("served \(download.bytes) bytes")
/// }
/// defer { server.shutdown() }
/// print(server.perfettoLink)  // https://ui.perfetto.dev/#!/?url=http%3A%2F%2F127.0.0.1%3A<port>%2Fcpu-threads.json
/// ```
public final class TraceFileServer: Sendable {
    /// The only loopback port ui.perfetto.dev's Content-Security-Policy lets it fetch from.
    public static let perfettoPort = 9001
    /// Where Perfetto UI lives, and so the origin its fetches come from.
    public static let perfettoOrigin = "https://ui.perfetto.dev"

    /// What to serve, where, and to which origin.
    public struct Configuration: Sendable {
        /// The trace file.
        public var path: String
        /// Address to listen on: loopback unless told otherwise.
        public var host: String
        /// Port to listen on; 0 picks a free one.
        public var port: Int
        /// The origin allowed to read the trace (`Access-Control-Allow-Origin`), and where ``perfettoLink`` points:
        /// a Perfetto UI's scheme, host and port, without a trailing slash.
        public var allowedOrigin: String

        /// - Parameters:
        ///   - path: the trace file.
        ///   - host: address to listen on.
        ///   - port: port to listen on (0: a free one).
        ///   - allowedOrigin: the Perfetto UI that may read it.
        public init(
            path: String, host: String = "127.0.0.1", port: Int = TraceFileServer.perfettoPort,
            allowedOrigin: String = TraceFileServer.perfettoOrigin
        ) {
            precondition((0...65535).contains(port), "port must be 0...65535")
            self.path = path
            self.host = host
            self.port = port
            self.allowedOrigin = allowedOrigin
        }
    }

    /// What the server was started with (``Configuration/port`` as given; ``port`` is the bound one).
    public let configuration: Configuration
    /// The port the server listens on.
    public let port: Int
    /// The trace's file name: the last component of its path, and its URL path.
    public let fileName: String

    private let trace: ServedTrace
    private let listener: HTTPListener
    private let fileClosed = Atomic(false)

    /// The trace's own URL: `http://<host>:<port>/<file name>` (percent-encoded; 127.0.0.1 for a wildcard host).
    public var traceURL: String {
        let host = ["0.0.0.0", "::", ""].contains(configuration.host) ? "127.0.0.1" : configuration.host
        return "http://\(SiteServerError.endpoint(host, port))/\(Self.percentEncoded(fileName))"
    }

    /// The link that opens the trace in Perfetto UI: `<allowedOrigin>/#!/?url=<traceURL, percent-encoded>`.
    public var perfettoLink: String {
        "\(configuration.allowedOrigin)/#!/?url=\(Self.percentEncoded(traceURL))"
    }

    /// Opens and checks the trace, then listens; returns once it listens. Blocks the calling thread meanwhile.
    ///
    /// - Parameters:
    ///   - onServed: called on the server's event loop after each complete download (a GET answered 200 whose
    ///     every byte reached the connection); it must not block, nor call ``shutdown()`` itself.
    /// - Throws: ``TraceFileServerError``: `.cannotOpen` or `.notAFile` (checked first), `.notATrace`, then
    ///   `.cannotListen` with the ``SiteServerError`` (e.g. `.addressInUse`).
    @available(*, noasync, message: "TraceFileServer.start blocks while it opens the file and binds")
    public static func start(
        _ configuration: Configuration, onServed: @escaping @Sendable (ServedDownload) -> Void = { _ in }
    ) throws(TraceFileServerError) -> TraceFileServer {
        let fileName = configuration.path.split(separator: "/").last.map(String.init) ?? configuration.path
        let trace = try ServedTrace(
            path: configuration.path, fileName: fileName, allowedOrigin: configuration.allowedOrigin,
            onServed: onServed)
        // One event loop: a viewer has a client or two, and sendfile does the copying.
        let settings = HTTPListener.Settings(
            host: configuration.host, port: configuration.port, eventLoopThreads: 1, backlog: 64)
        do {
            let listener = try HTTPListener.start(settings, connections: ConnectionRegistry()) {
                TraceFileRequestHandler(trace: trace)
            }
            return TraceFileServer(configuration, fileName: fileName, trace: trace, listener: listener)
        } catch {
            trace.close()
            throw .cannotListen(error)
        }
    }

    private init(_ configuration: Configuration, fileName: String, trace: ServedTrace, listener: HTTPListener) {
        self.configuration = configuration
        self.fileName = fileName
        port = listener.port
        self.trace = trace
        self.listener = listener
    }

    /// What the server has done so far.
    public func stats() -> TraceFileServerStats {
        trace.counters.snapshot
    }

    /// Stops listening, closes every connection (a download in progress is cut short), stops the event loop
    /// thread and closes the file; returns when that is done. Idempotent. Must not run on the server's event loop.
    @available(*, noasync, message: "TraceFileServer.shutdown blocks until its event loop has stopped")
    public func shutdown() {
        listener.shutdown()
        if !fileClosed.exchange(true, ordering: .acquiringAndReleasing) { trace.close() }
    }
}

/// One complete download of the trace, as ``TraceFileServer`` reports it to `onServed`.
public struct ServedDownload: Sendable, Hashable {
    /// Body bytes sent: the file's size when it was asked for.
    public var bytes: Int
    /// The client's address (`127.0.0.1:54321`), when the socket knows it.
    public var peer: String?
}
