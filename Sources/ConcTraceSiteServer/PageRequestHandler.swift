import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection's HTTP handler: routes each request and answers it as the ``ResponsePlanner`` says.
///
///     bytes ─▶ HTTPRequestDecoder ─▶ HTTPServerPipelineHandler ─▶ PageRequestHandler ─▶ route
///                                    (one request at a time)          │
///                                                                     ├─ /stats, 404, 405: answer now
///                                                                     └─ /page/k: planner(seed, k, n) ─▶ stall
///                                                                          or, after scheduleTask(latency):
///                                                                          200 page │ 500 │ RST
///
/// Latency is a timer on the connection's event loop, never a blocked thread. Bodies are slices of buffers built
/// once, so answering allocates only the response head.
final class PageRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let site: Site
    private var request: HTTPRequestHead?
    /// The delayed answer, cancelled if the connection closes first.
    private var pendingAnswer: Scheduled<Void>?
    /// Set once a request stalls: the connection answers nothing more.
    private var stalled = false

    init(site: Site) {
        self.site = site
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request, !stalled else { return }
            request = nil
            answer(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pendingAnswer?.cancel()
        pendingAnswer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A peer's reset or a protocol error: this connection is done either way.
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let counters = site.counters
        guard head.method == .GET else {
            counters.methodNotAllowed.add(1, ordering: .relaxed)
            send(.methodNotAllowed, body: site.methodNotAllowedBody, contentType: "text/plain", to: head,
                 context: context, extraHeader: ("Allow", "GET"))
            return
        }
        switch Route(uri: head.uri, pages: site.configuration.pages) {
        case .stats:
            send(.ok, body: ByteBuffer(string: counters.snapshot.json + "\n"), contentType: "application/json",
                 to: head, context: context)
        case .notFound:
            counters.notFound.add(1, ordering: .relaxed)
            send(.notFound, body: site.notFoundBody, contentType: "text/plain", to: head, context: context)
        case .page(let page):
            let number = counters.nextRequestNumber(page: page)
            switch site.planner.outcome(page: page, request: number) {
            case .stall:
                stalled = true
                counters.stalls.add(1, ordering: .relaxed)
            case .page(let delay):
                after(delay, context: context) { handler, context in
                    let body = handler.site.pageBodies[page % handler.site.pageBodies.count]
                    counters.ok.add(1, ordering: .relaxed)
                    counters.bodyBytes.add(body.readableBytes, ordering: .relaxed)
                    handler.send(.ok, body: body, contentType: "text/html", to: head, context: context)
                }
            case .serverError(let delay):
                after(delay, context: context) { handler, context in
                    counters.errors.add(1, ordering: .relaxed)
                    handler.send(.internalServerError, body: handler.site.serverErrorBody, contentType: "text/plain",
                                 to: head, context: context)
                }
            case .reset(let delay):
                after(delay, context: context) { _, context in
                    counters.resets.add(1, ordering: .relaxed)
                    Self.reset(context.channel)
                }
            }
        }
    }

    /// Runs `action` after `delay` on this connection's event loop (at once for a zero delay).
    private func after(
        _ delay: Duration, context: ChannelHandlerContext,
        _ action: @escaping (PageRequestHandler, ChannelHandlerContext) -> Void
    ) {
        guard delay > .zero else {
            action(self, context)
            return
        }
        pendingAnswer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
            self.pendingAnswer = nil
            action(self, context)
        }
    }

    private func send(
        _ status: HTTPResponseStatus, body: ByteBuffer, contentType: String, to request: HTTPRequestHead,
        context: ChannelHandlerContext, extraHeader: (name: String, value: String)? = nil
    ) {
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        if let extraHeader { headers.add(name: extraHeader.name, value: extraHeader.value) }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Closes `channel` abruptly: SO_LINGER {on, 0 s} makes close() send a TCP RST instead of a FIN.
    private static func reset(_ channel: any Channel) {
        guard let socket = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension Duration {
    /// This duration in whole nanoseconds (latencies are at most ten minutes, far from overflowing).
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
