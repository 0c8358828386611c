#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// How conctrace starts every child process (worker processes, the switch benchmark's echo, the child runs of
/// `sweep`, `demo` and `advise`): posix_spawn with an explicit argv, never a shell.
///
/// The child gets an empty signal mask and default actions for SIGINT, SIGTERM and SIGPIPE (the parent blocks or
/// ignores them for its own reasons), and a process group of its own, so a terminal's Ctrl-C reaches the parent
/// only, which then stops its children in order.
public enum ProcessSpawn {
    /// A descriptor the child starts with.
    public enum Redirection: Sendable {
        /// The parent's descriptor `source`, as the child's `target` (e.g. a pipe end as stdout).
        case descriptor(Int32, as: Int32)
        /// /dev/null, read-only, as the child's `target`.
        case null(as: Int32)
    }

    /// A pipe whose ends are close-on-exec from the start, so that no child inherits them unless given one as a
    /// redirection (a child then sees end of file when its parent goes).
    /// - Returns: the `[read, write]` ends.
    /// - Throws: `OSError` from pipe2(2).
    public static func pipe() throws(OSError) -> [Int32] {
        var ends: [Int32] = [-1, -1]
        guard ct_pipe_cloexec(&ends) == 0 else { throw OSError(call: "pipe2", errno: errno) }
        return ends
    }

    /// Two such pipes, for a child's standard streams.
    /// - Returns: two `[read, write]` pairs.
    /// - Throws: `OSError` from pipe2(2); nothing is left open then.
    public static func pipePair() throws(OSError) -> (first: [Int32], second: [Int32]) {
        let first = try pipe()
        do {
            return (first, try pipe())
        } catch {
            close(first[0])
            close(first[1])
            throw error
        }
    }

    /// Starts `executable` with `arguments` (argv[1...]), `redirections`, and this process's environment with
    /// `extra`'s variables set; every other descriptor the parent opened close-on-exec stays closed in the child.
    /// - Parameters:
    ///   - extra: variables to set in the child (replacing any of the same name).
    ///   - ownProcessGroup: false to keep the child in the parent's process group, so that it stays in the
    ///     terminal's foreground (reads the terminal, gets its Ctrl-C itself), as `conctrace record` needs.
    /// - Returns: the child's pid.
    /// - Throws: `OSError` from posix_spawn.
    public static func spawn(_ executable: String, arguments: [String], redirections: [Redirection],
                             environment extra: [String: String] = [:], ownProcessGroup: Bool = true)
        throws(OSError) -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for redirection in redirections {
            switch redirection {
            case .descriptor(let source, let target): posix_spawn_file_actions_adddup2(&actions, source, target)
            case .null(let target): posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDONLY, 0)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (ownProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        // This process's environment, with `extra`'s variables set (replacing any of the same name).
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if extra[name] == nil { environment.append(strdup(entry)) }
            index += 1
        }
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) { environment.append(strdup("\(name)=\(value)")) }
        environment.append(nil)
        defer { environment.forEach { free($0) } }
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
        guard status == 0 else { throw OSError(call: "posix_spawn \(executable)", errno: status) }
        return pid
    }
}

extension ProcessSpawn {
    /// Ties the calling process's life to its parent's: the kernel sends `signal` when the parent ends, whatever
    /// ends it (even `kill -9`). Call first thing in a child; if the parent is already gone (not `parent`), the
    /// child exits at once, since the signal would never come.
    /// - Parameters:
    ///   - parent: the pid the parent said it has.
    ///   - signal: what the child gets (SIGKILL: nothing to save; SIGTERM: the child may close its files).
    public static func endWithParent(_ parent: pid_t, signal: Int32 = SIGKILL) {
        _ = ct_set_parent_death_signal(signal)
        if getppid() != parent { _exit(128 + signal) }
    }
}
