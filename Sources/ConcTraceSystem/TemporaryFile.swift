#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// Private temporary storage that nothing outlives: files without a name, and folders removed by their owner.
public enum TemporaryFile {
    /// The folder for temporary files: `$TMPDIR`, or `/tmp`.
    public static var folder: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// A new file with no name in the temporary folder, open for reading and writing: it disappears when the last
    /// descriptor to it is closed, whatever ends the processes holding it (even `kill -9`). Pass it to a child
    /// process as a descriptor; read back what the child wrote with `pread`.
    ///
    /// O_TMPFILE where the file system has it, else a file made with mkostemp and unlinked at once.
    /// - Throws: `OSError` when neither can be made.
    public static func anonymous() throws(OSError) -> FileDescriptor {
        let folder = self.folder
        let fd = ct_open_unnamed_file(folder, O_RDWR | O_CLOEXEC, 0o600)
        if fd >= 0 { return FileDescriptor(rawValue: fd) }
        var template = Array("\(folder)/conctrace-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { ct_make_temporary_file($0.baseAddress!, O_CLOEXEC) }
        guard made >= 0 else { throw OSError(call: "mkostemp \(folder)", errno: errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return FileDescriptor(rawValue: made)
    }
}

/// A private folder (mode 0700) in the temporary folder, removed with everything in it by `remove()`.
public final class TemporaryFolder: Sendable {
    /// The folder's path.
    public let path: String

    /// Makes `<TMPDIR>/<prefix>-XXXXXX`.
    /// - Throws: `OSError` from mkdtemp.
    public init(prefix: String = "conctrace") throws(OSError) {
        var template = Array("\(TemporaryFile.folder)/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw OSError(call: "mkdtemp \(TemporaryFile.folder)", errno: errno)
        }
        path = String(cString: made)
    }

    /// Removes the folder and everything in it (idempotent).
    public func remove() {
        Self.removeTree(path)
    }

    /// Removes `path` and, if it is a folder, everything in it; links are removed, never followed.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            unlink(path)
            return
        }
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { removeTree("\(path)/\(name)") }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// Makes the folders of `path` (like `mkdir -p` on its parent).
/// - Throws: `OSError` naming the folder that could not be made.
public func createParentFolders(of path: String) throws(OSError) {
    var folder = ""
    let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for (index, component) in components.enumerated() {
        folder += (index == 0 ? "" : "/") + component
        guard !folder.isEmpty, !component.isEmpty, component != "." else { continue }
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw OSError(call: "mkdir \(folder)", errno: errno)
        }
    }
}
