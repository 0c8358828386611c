#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TraceFileServer {
    /// The one file a server serves, opened once at start: every response reads this open file, never a path
    /// taken from a request, so no request can reach another file (a later rename or symlink swap included).
    ///
    /// Shared by every connection's handler, with the path it answers at, the CORS origin and the counters.
    final class ServedTrace: Sendable {
        /// The open file (read-only, close-on-exec); closed by ``close()``.
        let descriptor: Int32
        /// The request path that names the trace, decoded: `/` and the file's name.
        let requestPath: [UInt8]
        /// `Access-Control-Allow-Origin` on every response.
        let allowedOrigin: String
        let counters = TraceFileCounters()
        /// Called once for each complete download.
        let onServed: @Sendable (ServedDownload) -> Void

        /// Opens `path` and checks it is a regular file that starts like a JSON trace.
        ///
        /// - Throws: ``TraceFileServerError`` `.cannotOpen`, `.notAFile` or `.notATrace`.
        init(
            path: String, fileName: String, allowedOrigin: String,
            onServed: @escaping @Sendable (ServedDownload) -> Void
        ) throws(TraceFileServerError) {
            // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); reads and sendfile of a
            // regular file ignore the flag.
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard descriptor >= 0 else { throw .cannotOpen(path: path, call: "open", errno: errno) }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                let error = errno
                closeDescriptor(descriptor)
                throw .cannotOpen(path: path, call: "fstat", errno: error)
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                closeDescriptor(descriptor)
                throw .notAFile(path: path)
            }
            do throws(TraceFileServerError) {
                try Self.checkStartsLikeTrace(descriptor, path: path)
            } catch {
                closeDescriptor(descriptor)
                throw error
            }
            self.descriptor = descriptor
            requestPath = Array(("/" + fileName).utf8)
            self.allowedOrigin = allowedOrigin
            self.onServed = onServed
        }

        /// The file's size now (a trace still being written grows), or nil if fstat fails.
        var currentSize: Int? {
            var info = stat()
            return fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
        }

        /// Closes the file; call once, after the last connection has closed.
        func close() {
            closeDescriptor(descriptor)
        }

        /// A JSON trace starts `[` then `{` or `]`, or `{` then `"` or `}`, each after optional white space (and
        /// a UTF-8 byte order mark before all). Reads at most the first 4 KiB.
        private static func checkStartsLikeTrace(_ descriptor: Int32, path: String) throws(TraceFileServerError) {
            var head = [UInt8](repeating: 0, count: 4096)
            let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { throw .cannotOpen(path: path, call: "pread", errno: errno) }
            var bytes = head[..<count]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            let afterSpace = bytes.drop(while: isSpace)
            let opening = afterSpace.first
            let next = afterSpace.dropFirst().drop(while: isSpace).first
            switch (opening, next) {
            case (UInt8(ascii: "["), UInt8(ascii: "{")), (UInt8(ascii: "["), UInt8(ascii: "]")),
                 (UInt8(ascii: "{"), UInt8(ascii: "\"")), (UInt8(ascii: "{"), UInt8(ascii: "}")):
                return
            default:
                throw .notATrace(path: path, start: describeStart(afterSpace))
            }
        }

        /// What a file that is not a trace starts with: "" when there is nothing but white space, its first
        /// characters quoted when they are printable text, else its first bytes in hex (binary data).
        static func describeStart(_ bytes: ArraySlice<UInt8>) -> String {
            guard let first = bytes.first else { return "" }
            let isPrintable: (UInt8) -> Bool = { (0x20..<0x7F).contains($0) }
            if isPrintable(first) {
                let printable = bytes.prefix(16).prefix(while: isPrintable)
                return "'" + String(decoding: printable, as: UTF8.self) + "'"
            }
            let hex = bytes.prefix(8).map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }
            return "the bytes " + hex.joined(separator: " ") + " (binary data)"
        }
    }
}

/// libc's close(2), out of reach of ``TraceFileServer/ServedTrace/close()`` by name.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
