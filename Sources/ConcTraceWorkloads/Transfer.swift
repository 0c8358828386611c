import CCurl
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem

/// libcurl's process-wide set-up, done once (thread-safely, by Swift's lazy globals) before any handle exists.
public enum CurlLibrary {
    static let isReady: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// The linked libcurl's version, as it says it.
    public static var version: String {
        ct_version_info().pointee.version.map { String(cString: $0) } ?? "?"
    }
}

/// How one GET ended: what the task's done or failed event carries.
struct TransferReport: Sendable {
    /// The URL fetched.
    var url: String
    /// The HTTP status of the last response, 0 when none arrived (or for a scheme without one).
    var status: Int
    /// Body bytes received.
    var bytes: Int
    /// Time to the connection being made (0 when a kept-alive connection was reused), in milliseconds.
    var connectMilliseconds: Double
    /// Time to the first response byte, in milliseconds.
    var firstByteMilliseconds: Double
    /// Time for the whole transfer, in milliseconds.
    var totalMilliseconds: Double
    /// Why it failed, or nil.
    var failure: DownloadError?
    /// Whether it stopped short because the run was cancelled.
    var wasCancelled: Bool

    /// A transfer that never started.
    init(url: String, failure: DownloadError) {
        self.url = url
        status = 0
        bytes = 0
        connectMilliseconds = 0
        firstByteMilliseconds = 0
        totalMilliseconds = 0
        self.failure = failure
        wasCancelled = false
    }

    init(url: String, status: Int, bytes: Int, connectMilliseconds: Double, firstByteMilliseconds: Double,
         totalMilliseconds: Double, failure: DownloadError?, wasCancelled: Bool) {
        self.url = url
        self.status = status
        self.bytes = bytes
        self.connectMilliseconds = connectMilliseconds
        self.firstByteMilliseconds = firstByteMilliseconds
        self.totalMilliseconds = totalMilliseconds
        self.failure = failure
        self.wasCancelled = wasCancelled
    }
}

/// One GET in progress: the options it sets on an easy handle, the bytes it counts, the error text curl leaves.
///
/// Owned by one thread at a time: the task's while it sets up and reads the result, the reactor's while the
/// multi interface runs it (handed over with its easy handle, hence `@unchecked Sendable`).
final class Transfer: @unchecked Sendable {
    let url: String
    let timeoutMilliseconds: Int
    let cancellation: Cancellation
    /// Resumed by the multi interface when the transfer ends.
    var continuation: UnsafeContinuation<TransferReport, Never>?
    private var received = 0
    private let errorText: UnsafeMutablePointer<CChar>

    init(url: String, timeoutMilliseconds: Int, cancellation: Cancellation) {
        precondition(CurlLibrary.isReady, "curl_global_init failed")
        self.url = url
        self.timeoutMilliseconds = timeoutMilliseconds
        self.cancellation = cancellation
        errorText = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        errorText.deallocate()
    }

    /// Points `handle` (fresh or reused: every option a transfer depends on is set again) at this transfer.
    func configure(_ handle: UnsafeMutableRawPointer) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = url.withCString { ct_easy_setopt_pointer(handle, CURLOPT_URL, $0) }
        // Loopback is never sent through a proxy from the environment; other hosts follow it.
        _ = "127.0.0.1,localhost,::1".withCString { ct_easy_setopt_pointer(handle, CURLOPT_NOPROXY, $0) }
        _ = "conctrace".withCString { ct_easy_setopt_pointer(handle, CURLOPT_USERAGENT, $0) }
        _ = ct_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ct_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        _ = ct_easy_setopt_long(handle, CURLOPT_MAXREDIRS, 10)
        _ = ct_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        _ = ct_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, Transfer.countBody)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        _ = ct_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = ct_easy_setopt_xferinfo_callback(handle, CURLOPT_XFERINFOFUNCTION, Transfer.checkCancelled)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, me)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorText)
    }

    /// Reads what `handle` did, once curl has ended the transfer with `code` (and, on the multi interface, once
    /// the handle is removed from it), and unhooks it from this transfer.
    func report(_ handle: UnsafeMutableRawPointer, code: CURLcode) -> TransferReport {
        var status = 0
        var connect: curl_off_t = 0
        var firstByte: curl_off_t = 0
        var total: curl_off_t = 0
        _ = ct_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        _ = ct_easy_getinfo_off_t(handle, CURLINFO_CONNECT_TIME_T, &connect)
        _ = ct_easy_getinfo_off_t(handle, CURLINFO_STARTTRANSFER_TIME_T, &firstByte)
        _ = ct_easy_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &total)
        // The handle may outlive this transfer (kept for the next one): leave it no pointer into it.
        _ = ct_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, nil)
        _ = ct_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, nil)
        var failure: DownloadError?
        if code != CURLE_OK {
            let text = errorText.pointee != 0 ? String(cString: errorText) : String(cString: curl_easy_strerror(code))
            failure = .transfer(code: Int(code.rawValue), message: text)
        } else if status >= 400 {
            failure = .http(status: status)
        }
        return TransferReport(
            url: url, status: status, bytes: received, connectMilliseconds: Double(connect) / 1000,
            firstByteMilliseconds: Double(firstByte) / 1000, totalMilliseconds: Double(total) / 1000,
            // Once the run is cancelled, a transfer that stops short (aborted by its progress callback, or cut off
            // by the embedded server's shutdown) is cancelled, not failed.
            failure: failure, wasCancelled: code != CURLE_OK && cancellation.isCancelled)
    }

    /// CURLOPT_WRITEFUNCTION: the body is counted, not kept.
    private static let countBody: curl_write_callback = { _, size, count, context in
        // No context: the handle is between transfers (curl may call back while it lets go of it).
        guard let context else { return size * count }
        Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().received += size * count
        return size * count
    }

    /// CURLOPT_XFERINFOFUNCTION: called as the transfer goes (and about once a second while it waits); a
    /// non-zero answer makes curl abort it, which is how a cancelled run stops its transfers.
    private static let checkCancelled: curl_xferinfo_callback = { context, _, _, _, _ in
        guard let context else { return 0 }
        return Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
    }
}
