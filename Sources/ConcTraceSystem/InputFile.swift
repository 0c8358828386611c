#if canImport(Glibc)
import Glibc
#endif

/// Opens an input (a trace, a sweep file) to be read once from start to end, whatever the path names: a regular
/// file, a pipe or FIFO (`report <(cat t.json)`, `mkfifo`), or a character device (`/dev/stdin`). Anything else (a
/// directory, a socket, a block device) is refused with a clear reason.
///
/// A FIFO is opened without blocking: opening one for reading would otherwise wait, forever, for a writer. Instead
/// the open returns at once and `open` waits up to `writerWait` for a writer to appear (data, or a writer that came
/// and went); with none, the FIFO is refused as having no writer. Once a writer has come, reads block as usual.
public enum InputFile {
    /// How long a FIFO may wait for its writer, by default.
    public static let defaultWriterWait: Duration = .seconds(10)

    /// Why an input cannot be read.
    public enum Failure: Error, Sendable, Equatable {
        /// `open` (or `fstat`, `fcntl`, `poll`) failed with errno.
        case system(OSError)
        /// The path names something that is not read as a file: `kind` says what (`a directory`, `a socket`, ...).
        case notAFile(kind: String)
        /// A FIFO that no writer opened within the wait.
        case noWriter(waited: Duration)

        /// What is wrong, for a message after the path.
        public var reason: String {
            switch self {
            case .system(let error): "\(error)"
            case .notAFile(let kind): "it is \(kind), not a file"
            case .noWriter(let waited):
                "it is a FIFO that no writer opened within \(waited.components.seconds) s"
            }
        }
    }

    /// The kinds of file that are read: regular files, pipes and FIFOs, character devices.
    public static func isReadable(mode: mode_t) -> Bool {
        switch mode & S_IFMT {
        case S_IFREG, S_IFIFO, S_IFCHR: true
        default: false
        }
    }

    /// Opens `path` for reading (close-on-exec, blocking reads); the caller closes the descriptor.
    /// - Parameter writerWait: how long a FIFO waits for its writer.
    /// - Throws: `Failure` when it cannot be opened, is not a kind of file that is read, or is a FIFO with no
    ///   writer.
    public static func open(_ path: String, writerWait: Duration = defaultWriterWait) throws(Failure) -> Int32 {
        var fd: Int32
        repeat { fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .system(OSError(call: "open", errno: errno)) }
        do throws(Failure) {
            var status = stat()
            guard fstat(fd, &status) == 0 else { throw Failure.system(OSError(call: "fstat", errno: errno)) }
            let type = status.st_mode & S_IFMT
            guard isReadable(mode: status.st_mode) else { throw Failure.notAFile(kind: describe(type)) }
            if type == S_IFIFO { try waitForWriter(fd, upTo: writerWait) }
            // Blocking reads from here on: a writer exists (or the file is regular, or a device).
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
                throw Failure.system(OSError(call: "fcntl", errno: errno))
            }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Waits until the FIFO has data or a writer that came and went (POLLIN, POLLHUP).
    private static func waitForWriter(_ fd: Int32, upTo wait: Duration) throws(Failure) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while true {
            let left = clock.now.duration(to: deadline)
            let milliseconds = max(0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, Int32(min(milliseconds, Int64(Int32.max))))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .system(OSError(call: "poll", errno: errno)) }
            if ready == 0 && clock.now >= deadline { throw .noWriter(waited: wait) }
        }
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }
}
