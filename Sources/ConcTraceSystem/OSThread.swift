#if canImport(Glibc)
import Glibc
#endif

/// A joinable OS thread running one closure: the workers of the thread pool, the recorder's drain thread.
public final class OSThread: Sendable {
    private final class Box {
        let body: @Sendable () -> Void
        let name: String
        init(body: @escaping @Sendable () -> Void, name: String) {
            self.body = body
            self.name = name
        }
    }

    private let handle: pthread_t

    /// Starts a thread.
    /// - Parameters:
    ///   - name: the OS thread name (truncated to 15 bytes, as Linux requires).
    ///   - stackSize: the stack size in bytes; 0 keeps the default.
    ///   - body: what the thread runs.
    /// - Throws: `OSError` when the thread cannot be created (e.g. too many threads).
    public init(name: String, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) throws(OSError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if stackSize > 0 { pthread_attr_setstacksize(&attributes, stackSize) }
        let box = Unmanaged.passRetained(Box(body: body, name: name))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            OSThread.setCurrentName(box.name)
            box.body()
            return nil
        }, box.toOpaque())
        guard status == 0 else {
            box.release()
            throw OSError(call: "pthread_create", errno: status)
        }
        handle = thread
    }

    /// Names the calling thread (as `ps -L` and debuggers show it); at most 15 bytes are kept.
    public static func setCurrentName(_ name: String) {
        // Glibc's module does not export pthread_setname_np; /proc/thread-self/comm is the same thing.
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Waits for the thread to finish. Call once.
    public func join() {
        pthread_join(handle, nil)
    }
}
