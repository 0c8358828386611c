#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// Why an output could not be written.
public enum OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path names something conctrace does not write over: a symbolic link, a folder, a block device, a socket,
    /// or a FIFO that no process reads. `reason` says which.
    case refused(path: String, reason: String)
    /// The file (or its temporary file) could not be created: a missing folder, no permission.
    case cannotCreate(path: String, OSError)
    /// Writing failed part-way (a full disk, a file-size limit); what a streamed file holds up to then is kept.
    case writeFailed(path: String, OSError)

    /// The path the error is about.
    public var path: String {
        switch self {
        case .refused(let path, _), .cannotCreate(let path, _), .writeFailed(let path, _): path
        }
    }

    /// One line saying what failed and where.
    public var description: String {
        switch self {
        case .refused(let path, let reason): "will not write \(path): \(reason)"
        case .cannotCreate(let path, let error): "cannot create \(path): \(error)"
        case .writeFailed(let path, let error): "writing \(path) failed: \(error)"
        }
    }
}

/// A file conctrace writes: the one code path of every output path (traces, reports, sweep results, merged traces).
///
/// What a path may name, checked with `lstat` before anything is written:
/// - nothing yet, or a regular file: written as the `mode` says;
/// - a character device (`/dev/null`, a terminal) or a FIFO with a reader: written through, in place;
/// - a symbolic link, a folder, a block device, a socket, a FIFO nobody reads: refused (`OutputError.refused`),
///   so an output never replaces anything but a regular file, and never writes through a link someone planted.
///
/// ```
///   .replaceWhenComplete: <folder>/.<name>.XXXXXX (mkostemp: O_EXCL, unpredictable) ──commit──▶ rename over <path>
///   .inPlace:             open(<path>, O_CREAT|O_TRUNC|O_NOFOLLOW): what is written is on disk at once
/// ```
public final class OutputFile {
    /// How a regular file is written.
    public enum Mode: Sendable {
        /// Into a temporary file beside the target, renamed over it by `commit()`: a reader never sees half a
        /// file, and a failure leaves the old file as it was. For reports, results and merged traces.
        case replaceWhenComplete
        /// Straight into the target, truncated first: what was written is kept even if the process dies. For
        /// traces written as a run goes.
        case inPlace
    }

    /// The target path.
    public let path: String
    /// Where the bytes go now.
    public let descriptor: FileDescriptor
    /// The temporary file renamed over `path` by `commit()` (nil when writing in place).
    private var temporary: String?
    private var isOpen = true
    private var written = 0
    /// A test's stand-in for a full disk: writes past this many bytes fail with EFBIG, as past a file-size limit.
    package var byteLimit: Int?

    /// Opens `path` for writing as `mode` says (see the type's rules).
    /// - Throws: `OutputError.refused` or `.cannotCreate`.
    public init(path: String, mode: Mode) throws(OutputError) {
        self.path = path
        var info = stat()
        let exists = lstat(path, &info) == 0
        if !exists && errno != ENOENT {
            throw .cannotCreate(path: path, OSError(call: "lstat", errno: errno))
        }
        let kind = exists ? info.st_mode & S_IFMT : S_IFREG
        switch kind {
        case S_IFREG:
            switch mode {
            case .inPlace: descriptor = try Self.openInPlace(path)
            case .replaceWhenComplete: (descriptor, temporary) = try Self.makeTemporary(beside: path)
            }
        case S_IFCHR:
            do {
                descriptor = try FileDescriptor.open(path, O_WRONLY | O_NOFOLLOW)
            } catch {
                throw .cannotCreate(path: path, error)
            }
        case S_IFIFO:
            descriptor = try Self.openFIFO(path)
        case S_IFLNK:
            throw .refused(path: path, reason: "it is a symbolic link (give the path it points to)")
        case S_IFDIR:
            throw .refused(path: path, reason: "it is a folder (give a file path)")
        case S_IFBLK:
            throw .refused(path: path, reason: "it is a block device")
        default:
            throw .refused(path: path, reason: "it is not a regular file")
        }
    }

    deinit {
        if isOpen { try? descriptor.close() }
        if let temporary { unlink(temporary) }
    }

    /// Writes every byte of `buffer`.
    /// - Throws: `OutputError.writeFailed` (e.g. ENOSPC, EFBIG).
    public func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) {
        precondition(isOpen, "write after commit")
        if let byteLimit, written + buffer.count > byteLimit {
            throw .writeFailed(path: path, OSError(call: "write", errno: EFBIG))
        }
        do {
            try descriptor.writeAll(buffer)
        } catch {
            throw .writeFailed(path: path, error)
        }
        written += buffer.count
    }

    /// Writes `text` as UTF-8.
    public func write(_ text: String) throws(OutputError) {
        var text = text
        try text.withUTF8 { buffer in
            Result { () throws(OutputError) in try write(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    /// Closes the file and, for `.replaceWhenComplete`, renames it over the target (checked again: still nothing,
    /// or a regular file).
    /// - Throws: `OutputError.writeFailed` (a deferred write error at close, or the rename), `.refused` when the
    ///   target was replaced by something else meanwhile. The temporary file is removed then.
    public func commit() throws(OutputError) {
        precondition(isOpen, "an output file is committed once")
        isOpen = false
        do {
            try descriptor.close()
        } catch {
            throw .writeFailed(path: path, error)
        }
        guard let temporary else { return }
        defer { self.temporary = nil }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            unlink(temporary)
            throw .refused(path: path, reason: "it was replaced by something other than a regular file meanwhile")
        }
        guard rename(temporary, path) == 0 else {
            let error = OSError(call: "rename", errno: errno)
            unlink(temporary)
            throw .writeFailed(path: path, error)
        }
    }

    /// Writes `text` to `path` whole, replacing a regular file only when complete.
    /// - Throws: `OutputError`.
    public static func write(_ text: String, to path: String) throws(OutputError) {
        let file = try OutputFile(path: path, mode: .replaceWhenComplete)
        try file.write(text)
        try file.commit()
    }

    // MARK: Opening

    private static func openInPlace(_ path: String) throws(OutputError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW)
        } catch {
            if error.errno == ELOOP { throw .refused(path: path, reason: "it is a symbolic link") }
            throw .cannotCreate(path: path, error)
        }
    }

    /// A new file beside `path` with an unpredictable name, created with O_EXCL (so never through a link), with
    /// the permissions a new file gets (0666 less the umask).
    private static func makeTemporary(beside path: String) throws(OutputError) -> (FileDescriptor, String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(folder).\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { ct_make_temporary_file($0.baseAddress!, O_CLOEXEC) }
        guard fd >= 0 else { throw .cannotCreate(path: path, OSError(call: "mkostemp", errno: errno)) }
        fchmod(fd, 0o666 & ~currentUmask())
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (FileDescriptor(rawValue: fd), temporary)
    }

    /// A FIFO is written through only when a process reads it: opening it for writing would block forever
    /// otherwise.
    private static func openFIFO(_ path: String) throws(OutputError) -> FileDescriptor {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW)
        } catch {
            if error.errno == ENXIO { throw .refused(path: path, reason: "it is a FIFO that no process reads") }
            throw .cannotCreate(path: path, error)
        }
        let flags = fcntl(descriptor.rawValue, F_GETFL)
        _ = fcntl(descriptor.rawValue, F_SETFL, flags & ~O_NONBLOCK)
        return descriptor
    }

    /// The process's umask, read without changing it (umask(2) would, for a moment, for every thread).
    private static func currentUmask() -> mode_t {
        Machine.statusField("Umask").flatMap { mode_t($0, radix: 8) } ?? 0o022
    }
}
