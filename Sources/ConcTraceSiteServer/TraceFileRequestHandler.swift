import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection's HTTP handler for a ``TraceFileServer``: answers the trace's one path, 404 for any other.
///
///     request ─▶ path == /<file name> (decoded)? ── no ─▶ 404
///                    │ yes
///                    ├─ OPTIONS ─▶ 204, CORS preflight answer
///                    ├─ GET/HEAD ─▶ Range? ─▶ 200 whole │ 206 part │ 416, body sent with sendfile
///                    └─ other ─▶ 405
///
/// Bodies are `FileRegion`s of the file opened at start: the kernel copies them to the socket as it drains
/// (sendfile), so a trace of any size is sent without reading it into memory, at the pace of the client.
final class TraceFileRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The methods the trace's path answers, for `Allow` and `Access-Control-Allow-Methods`.
    static let allowedMethods = "GET, HEAD, OPTIONS"

    private let trace: TraceFileServer.ServedTrace
    private var request: HTTPRequestHead?

    init(trace: TraceFileServer.ServedTrace) {
        self.trace = trace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            answer(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A peer's reset or a protocol error: this connection is done either way.
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let counters = trace.counters
        counters.requests.add(1, ordering: .relaxed)
        guard TraceFileServer.decodedPath(of: head.uri) == trace.requestPath else {
            counters.notFound.add(1, ordering: .relaxed)
            let name = String(decoding: trace.requestPath, as: UTF8.self)
            sendText(.notFound, "404 not found: this server serves only \(name)\n", to: head, context: context)
            return
        }
        switch head.method {
        case .GET, .HEAD:
            sendFile(to: head, context: context)
        case .OPTIONS:
            counters.preflights.add(1, ordering: .relaxed)
            var headers = corsHeaders()
            headers.add(name: "Access-Control-Allow-Methods", value: Self.allowedMethods)
            if let asked = head.headers.first(name: "Access-Control-Request-Headers") {
                headers.add(name: "Access-Control-Allow-Headers", value: asked)
            }
            // Chrome's Private Network Access: a public origin (ui.perfetto.dev) reading from loopback.
            headers.add(name: "Access-Control-Allow-Private-Network", value: "true")
            headers.add(name: "Access-Control-Max-Age", value: "600")
            send(.noContent, headers: headers, to: head, context: context)
        default:
            var headers = corsHeaders()
            headers.add(name: "Allow", value: Self.allowedMethods)
            sendText(.methodNotAllowed, "405 method not allowed: use GET\n", headers: headers, to: head,
                     context: context)
        }
    }

    private func sendFile(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let size = trace.currentSize else {
            sendText(.internalServerError, "500 cannot read the trace: fstat failed (errno \(errno))\n", to: request,
                     context: context)
            return
        }
        var headers = corsHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept-Ranges", value: "bytes")
        let range = TraceFileServer.ByteRange(header: request.headers.first(name: "Range"), size: size)
        let status: HTTPResponseStatus
        let bytes: Range<Int>
        switch range {
        case .whole:
            status = .ok
            bytes = 0..<size
        case .partial(let lower, let upper):
            status = .partialContent
            bytes = lower..<(upper + 1)
            headers.add(name: "Content-Range", value: "bytes \(lower)-\(upper)/\(size)")
        case .unsatisfiable:
            headers.add(name: "Content-Range", value: "bytes */\(size)")
            send(.rangeNotSatisfiable, headers: headers, to: request, context: context)
            return
        }
        guard request.method == .GET, !bytes.isEmpty else {
            // HEAD (or an empty file): the same head, no body; the encoder knows a HEAD answer has none.
            send(status, headers: headers, contentLength: bytes.count, to: request, context: context)
            return
        }
        // A handle of its own for each response: NIO lets one handle be used by one write at a time.
        let copy = dup(trace.descriptor)
        guard copy >= 0 else {
            sendText(.internalServerError, "500 cannot read the trace: dup failed (errno \(errno))\n", to: request,
                     context: context)
            return
        }
        let file = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: copy)
        let region = FileRegion(fileHandle: file, readerIndex: bytes.lowerBound, endIndex: bytes.upperBound)
        let trace = self.trace
        let peer = context.channel.remoteAddress.flatMap { address in
            address.ipAddress.map { SiteServerError.endpoint($0, address.port ?? 0) }
        }
        send(status, headers: headers, contentLength: bytes.count, to: request, context: context,
             body: .fileRegion(region), closingAfterBody: file) { written in
            guard written else { return }
            trace.counters.bodyBytes.add(bytes.count, ordering: .relaxed)
            if status == .ok {
                trace.counters.completeDownloads.add(1, ordering: .relaxed)
                trace.onServed(ServedDownload(bytes: bytes.count, peer: peer))
            } else {
                trace.counters.rangeRequests.add(1, ordering: .relaxed)
            }
        }
    }

    /// `Access-Control-Allow-Origin` and the rest every response carries.
    private func corsHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Access-Control-Allow-Origin", value: trace.allowedOrigin)
        headers.add(name: "Access-Control-Expose-Headers", value: "Content-Length, Content-Range, Accept-Ranges")
        headers.add(name: "Cache-Control", value: "no-cache")
        return headers
    }

    private func sendText(
        _ status: HTTPResponseStatus, _ text: String, headers: HTTPHeaders? = nil, to request: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        var headers = headers ?? corsHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        let body = ByteBuffer(string: text)
        send(status, headers: headers, contentLength: body.readableBytes, to: request, context: context,
             body: request.method == .HEAD ? nil : .byteBuffer(body))
    }

    /// Writes a response: head, body if any, end; closes the connection after it unless the client keeps it
    /// alive. `done` learns whether every byte reached the socket (false when the connection failed first).
    private func send(
        _ status: HTTPResponseStatus, headers: HTTPHeaders, contentLength: Int = 0, to request: HTTPRequestHead,
        context: ChannelHandlerContext, body: IOData? = nil, closingAfterBody file: NIOFileHandle? = nil,
        done: (@Sendable (Bool) -> Void)? = nil
    ) {
        var headers = headers
        headers.add(name: "Content-Length", value: String(contentLength))
        let keepAlive = request.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status,
                                                             headers: headers))), promise: nil)
        if let body {
            let written = context.write(wrapOutboundOut(.body(body)))
            if let file {
                written.whenComplete { _ in try? file.close() }
            }
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { result in
            if case .success = result { done?(true) } else { done?(false) }
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
