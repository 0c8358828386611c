#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor, with the reads and writes every part of conctrace needs: whole buffers written, files read
/// to their end, `EINTR` and short transfers handled here and nowhere else.
///
/// A value, not an owner: `close()` is explicit, as with a raw descriptor.
public struct FileDescriptor: Sendable, Hashable {
    /// The raw descriptor.
    public let rawValue: Int32

    /// Wraps an open descriptor.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Standard input, output and error.
    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Opens `path` (close-on-exec is always added), retrying after `EINTR`.
    /// - Throws: `OSError` naming `open` and the path.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(OSError) -> FileDescriptor {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return FileDescriptor(rawValue: fd) }
            if errno != EINTR { throw OSError(call: "open", errno: errno) }
        }
    }

    /// Closes the descriptor.
    /// - Throws: `OSError` from close(2) (a deferred write error, on some file systems).
    public func close() throws(OSError) {
        if Glibc.close(rawValue) != 0 && errno != EINTR { throw OSError(call: "close", errno: errno) }
    }

    // MARK: Writing

    /// Writes every byte of `buffer`, continuing after short writes and `EINTR`.
    /// - Throws: `OSError` naming `write` (e.g. `ENOSPC` for a full disk, `EPIPE` for a closed pipe).
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(OSError) {
        guard var next = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let written = Glibc.write(rawValue, next, left)
            if written < 0 {
                if errno == EINTR { continue }
                throw OSError(call: "write", errno: errno)
            }
            next += written
            left -= written
        }
    }

    /// Writes every byte of `bytes`.
    public func writeAll(_ bytes: [UInt8]) throws(OSError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(OSError) in try writeAll(buffer) } }.get()
    }

    /// Writes `text` as UTF-8.
    public func writeAll(_ text: String) throws(OSError) {
        var text = text
        try text.withUTF8 { buffer in
            Result { () throws(OSError) in try writeAll(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    // MARK: Reading

    /// Reads what is available into `buffer`, retrying after `EINTR`; 0 at the end of the input.
    /// - Throws: `OSError` naming `read` (e.g. `EISDIR` for a folder, `EAGAIN` on a non-blocking descriptor).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(OSError) -> Int {
        while true {
            let count = Glibc.read(rawValue, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw OSError(call: "read", errno: errno) }
        }
    }

    /// Reads until the end of the input, at most `limit` bytes.
    /// - Throws: `OSError` naming `read`, or `EFBIG` when the input holds more than `limit` bytes.
    public func readAll(limit: Int = .max) throws(OSError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(OSError) in try read(into: buffer) }
            }.get()
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { throw OSError(call: "read", errno: EFBIG) }
            bytes += chunk[0..<count]
        }
    }

    /// The whole content of the file at `path` (at most `limit` bytes).
    /// - Throws: `OSError` naming `open` or `read`.
    public static func readFile(_ path: String, limit: Int = .max) throws(OSError) -> [UInt8] {
        let descriptor = try open(path, O_RDONLY)
        defer { try? descriptor.close() }
        return try descriptor.readAll(limit: limit)
    }
}
