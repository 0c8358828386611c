import ConcTraceSystem
import NIOCore
import Synchronization

/// The server's open connections, so that shutdown can close every one of them, stalled ones included.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let state = Locked(State())
    private let opened: @Sendable () -> Void
    private let closed: @Sendable () -> Void

    /// - Parameters:
    ///   - opened: called once for each connection registered (e.g. to count it).
    ///   - closed: called once for each registered connection when it has closed.
    init(opened: @escaping @Sendable () -> Void = {}, closed: @escaping @Sendable () -> Void = {}) {
        self.opened = opened
        self.closed = closed
    }

    /// Registers a newly accepted connection until it closes.
    ///
    /// - Returns: false once ``closeAll()`` has run (the server is shutting down): the caller closes `channel`.
    func add(_ channel: any Channel) -> Bool {
        let added = state.withLock { state in
            guard !state.closed else { return false }
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
        guard added else { return false }
        opened()
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
            self.closed()
        }
        return true
    }

    /// Refuses connections from now on and returns those open now.
    func closeAll() -> [any Channel] {
        state.withLock { state in
            state.closed = true
            return Array(state.channels.values)
        }
    }
}
