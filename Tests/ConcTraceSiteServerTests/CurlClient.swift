import CCurl

/// What one GET ended with, as libcurl reports it.
struct Fetched {
    /// curl's result: 0 (CURLE_OK), or e.g. 28 (timed out), 52 (got nothing), 56 (receive error).
    var curlCode: Int
    /// The HTTP status, 0 when no response head arrived.
    var status: Int
    /// Body bytes received.
    var bytes: Int
    /// The first bytes of the body (up to the client's `keepBytes`).
    var body: [UInt8]
    /// CURLINFO_NUM_CONNECTS: connections curl had to open for this transfer (0 when it reused one).
    var newConnections: Int
    /// CURLINFO_TOTAL_TIME, in seconds.
    var totalSeconds: Double

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// The body a transfer receives: counted, and its first `keep` bytes kept.
final class ReceivedBody {
    let keep: Int
    var count = 0
    var kept: [UInt8] = []

    init(keep: Int) {
        self.keep = keep
    }

    /// CURLOPT_WRITEFUNCTION for a `ReceivedBody` passed (unretained) as CURLOPT_WRITEDATA.
    static let writeCallback: curl_write_callback = { data, size, count, context in
        let received = Unmanaged<ReceivedBody>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        received.count += length
        if let data, received.kept.count < received.keep {
            let take = min(length, received.keep - received.kept.count)
            data.withMemoryRebound(to: UInt8.self, capacity: take) {
                received.kept.append(contentsOf: UnsafeBufferPointer(start: $0, count: take))
            }
        }
        return length
    }
}

/// libcurl's global set-up, done once before any handle exists.
enum Curl {
    static let ready: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// A GET easy handle for `url`: loopback only (no proxy), no signals, a total timeout.
    static func makeHandle(
        url: String, timeoutMilliseconds: Int, received: ReceivedBody, headers: UnsafeMutablePointer<curl_slist>?,
        method: String?
    ) -> UnsafeMutableRawPointer {
        precondition(ready, "curl_global_init failed")
        let handle = curl_easy_init()!
        configure(handle, url: url, timeoutMilliseconds: timeoutMilliseconds, received: received,
                  headers: headers, method: method)
        return handle
    }

    static func configure(
        _ handle: UnsafeMutableRawPointer, url: String, timeoutMilliseconds: Int, received: ReceivedBody,
        headers: UnsafeMutablePointer<curl_slist>?, method: String?
    ) {
        _ = url.withCString { ct_easy_setopt_pointer(handle, CURLOPT_URL, $0) }
        _ = "*".withCString { ct_easy_setopt_pointer(handle, CURLOPT_NOPROXY, $0) }
        _ = ct_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ct_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        _ = ct_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, ReceivedBody.writeCallback)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(received).toOpaque())
        _ = ct_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers.map { UnsafeRawPointer($0) })
        if let method {
            _ = method.withCString { ct_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) }
        } else {
            _ = ct_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil)
        }
    }

    /// The result of the transfer `handle` just finished with `code`.
    static func result(of handle: UnsafeMutableRawPointer, code: CURLcode, received: ReceivedBody) -> Fetched {
        var status = 0
        var connects = 0
        var total = 0.0
        _ = ct_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        _ = ct_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        _ = ct_easy_getinfo_double(handle, CURLINFO_TOTAL_TIME, &total)
        return Fetched(curlCode: Int(code.rawValue), status: status, bytes: received.count, body: received.kept,
                       newConnections: connects, totalSeconds: total)
    }
}

/// One easy handle reused for every GET, so consecutive requests share a keep-alive connection.
final class KeepAliveClient {
    private let handle: UnsafeMutableRawPointer
    private let keepBytes: Int

    /// - Parameter keepBytes: how many body bytes each ``Fetched`` keeps.
    init(keepBytes: Int = 256) {
        precondition(Curl.ready, "curl_global_init failed")
        handle = curl_easy_init()!
        self.keepBytes = keepBytes
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// GETs `url` (or sends `method`), giving up after `timeoutMilliseconds`.
    func get(
        _ url: String, timeoutMilliseconds: Int = 5_000, headers: [String] = [], method: String? = nil
    ) -> Fetched {
        let received = ReceivedBody(keep: keepBytes)
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        Curl.configure(handle, url: url, timeoutMilliseconds: timeoutMilliseconds, received: received,
                       headers: list, method: method)
        let code = withExtendedLifetime(received) { curl_easy_perform(handle) }
        return Curl.result(of: handle, code: code, received: received)
    }
}

/// Many GETs at once through one curl multi handle, each on a handle (and so a connection) of its own.
enum ParallelFetch {
    /// Fetches every URL concurrently and returns the results in `urls` order.
    ///
    /// - Parameters:
    ///   - timeoutMilliseconds: each transfer's own limit; the whole call is bounded by it too.
    ///   - whileRunning: called between polls (about every 20 ms), e.g. to act on the server meanwhile.
    static func get(
        _ urls: [String], timeoutMilliseconds: Int = 10_000, whileRunning: () -> Void = {}
    ) -> [Fetched] {
        precondition(Curl.ready, "curl_global_init failed")
        let multi = curl_multi_init()!
        defer { curl_multi_cleanup(multi) }
        let bodies = urls.map { _ in ReceivedBody(keep: 64) }
        let handles = zip(urls, bodies).map { url, body in
            Curl.makeHandle(url: url, timeoutMilliseconds: timeoutMilliseconds, received: body, headers: nil,
                            method: nil)
        }
        var index: [UnsafeMutableRawPointer: Int] = [:]
        for (position, handle) in handles.enumerated() {
            index[handle] = position
            _ = curl_multi_add_handle(multi, handle)
        }
        var results = [Fetched?](repeating: nil, count: urls.count)
        var running: Int32 = 1
        while running > 0 {
            _ = curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let position = index[handle] else { continue }
                results[position] = Curl.result(of: handle, code: message.pointee.data.result,
                                                 received: bodies[position])
            }
            whileRunning()
            if running > 0 { _ = curl_multi_poll(multi, nil, 0, 20, nil) }
        }
        for handle in handles {
            _ = curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
        }
        withExtendedLifetime(bodies) {}
        return results.map { $0 ?? Fetched(curlCode: -1, status: 0, bytes: 0, body: [], newConnections: 0,
                                            totalSeconds: 0) }
    }
}
