#if canImport(Glibc)
import Glibc
#endif
import ConcTraceSystem

/// How a conctrace process starts and how the processes it starts end with it.
public enum ProcessLife {
    /// The variable through which `sweep`, `demo` and `advise` tell a child run who its parent is.
    static let parentVariable = "CONCTRACE_PARENT_PID"

    /// The first thing `main` does: blocks SIGINT and SIGTERM until a command is ready for them (a Ctrl-C in the first
    /// milliseconds waits instead of killing the process), and, in a child run of `sweep`, `demo` or `advise`, ties
    /// this process to its parent: SIGKILL when the parent ends, whatever ends it. Not SIGTERM, which would let the
    /// child go on setting up (re-making the temporary folder its parent's watcher had just removed) before it
    /// stopped; its trace keeps what it had written, as any trace cut by a kill does. The variable is removed at once,
    /// so this process's own children (worker processes) do not see it.
    public static func start() {
        SignalWatcher.block()
        guard let value = getenv(parentVariable) else { return }
        let parent = Int32(String(cString: value))
        unsetenv(parentVariable)
        if let parent { ProcessSpawn.endWithParent(parent, signal: SIGKILL) }
    }

    /// The environment a child run gets (see `start`).
    static var childEnvironment: [String: String] {
        [parentVariable: String(getpid())]
    }
}

/// A private temporary folder (`TemporaryFolder`) that goes even when its owner is killed with `kill -9`: a small
/// watcher process (`conctrace cleanup`, in its own process group) reads a pipe whose write end only the owner holds,
/// and removes the folder when the pipe closes, which the kernel does whatever ends the owner. The owner removes it
/// itself when done (`remove()`).
public final class ScratchFolder: Sendable {
    /// The folder.
    public let folder: TemporaryFolder
    private let watcher: Locked<(pid: pid_t, pipe: Int32)?>

    /// The hidden command's argument that names the folder to watch.
    static let argument = "--remove-when-parent-ends"

    /// Makes the folder and starts its watcher (if the watcher cannot start, the folder is still made; it is then
    /// removed only by `remove()`).
    /// - Throws: `OSError` when the folder cannot be made.
    public init(prefix: String = "conctrace") throws(OSError) {
        folder = try TemporaryFolder(prefix: prefix)
        var started: (pid_t, Int32)?
        if let toWatcher = try? ProcessSpawn.pipe() {
            if let pid = try? ProcessSpawn.spawn(
                Machine.executablePath, arguments: ["cleanup", Self.argument, folder.path],
                redirections: [.descriptor(toWatcher[0], as: 0), .null(as: 1)]) {
                started = (pid, toWatcher[1])
            } else {
                close(toWatcher[1])
            }
            close(toWatcher[0])
        }
        watcher = Locked(started)
    }

    /// The folder's path.
    public var path: String { folder.path }

    /// Removes the folder and lets the watcher go.
    public func remove() {
        folder.remove()
        guard let (pid, pipe) = watcher.withLock({ current -> (pid_t, Int32)? in
            defer { current = nil }
            return current
        }) else { return }
        close(pipe)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// The watcher's side: waits for the end of standard input (its owner gone, or done), then removes `arguments`'
    /// folder.
    /// - Throws: `LabError.usage` for arguments that are not `--remove-when-parent-ends FOLDER`.
    public static func watch(_ arguments: [String]) throws(LabError) {
        guard arguments.count == 2, arguments[0] == argument else {
            throw LabError(.usage, "cleanup: expected \(argument) FOLDER")
        }
        var input = LineReader(.standardInput)
        while input.readLines() != nil {}
        TemporaryFolder.removeTree(arguments[1])
    }
}
