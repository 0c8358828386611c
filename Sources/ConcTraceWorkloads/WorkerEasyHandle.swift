#if canImport(Glibc)
import Glibc
#endif
import CCurl

/// The curl easy handle of the calling thread: one per worker, made on its first download and reused for every
/// later one, so consecutive requests to a host share a kept-alive connection (curl keeps the connection with
/// the handle). Cleaned up when the thread exits.
enum WorkerEasyHandle {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { handle in
            curl_easy_cleanup(handle)
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    /// The calling thread's handle.
    static func current() -> UnsafeMutableRawPointer {
        if let handle = pthread_getspecific(key) { return handle }
        precondition(CurlLibrary.isReady, "curl_global_init failed")
        guard let handle = curl_easy_init() else { preconditionFailure("curl_easy_init failed (out of memory)") }
        pthread_setspecific(key, handle)
        return handle
    }
}
