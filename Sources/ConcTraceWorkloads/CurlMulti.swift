import CCurl
import ConcTraceExecutors
import ConcTraceRecorder
import ConcTraceSystem
import Synchronization

/// One curl multi handle run by an ``IOReactor`` through curl's multi socket interface: curl says which sockets
/// to watch (CURLMOPT_SOCKETFUNCTION) and when to call it back (CURLMOPT_TIMERFUNCTION); the reactor's epoll and
/// timers call `curl_multi_socket_action` when they fire; a finished transfer's continuation is resumed there.
///
/// ```
///   task ── execute ──▶ add (easy handle from the spares) ──▶ curl
///   curl ── socket callback ──▶ reactor.watch / unwatch ─┐
///   curl ── timer callback  ──▶ reactor.schedule ────────┤
///   readiness, deadline ──▶ curl_multi_socket_action ◀───┘
///                                 │ curl_multi_info_read: done
///                                 ▼
///                           continuation.resume (the task is ready again)
/// ```
///
/// Everything here runs on the reactor's thread, so none of it locks. The multi's connection cache keeps
/// connections alive between transfers.
final class CurlMulti: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let reactor: any IOReactor
    /// Its entry in the registry (the reactor's identity). The registry holds the multi only while transfers
    /// are in flight, so the reference back to it is no lasting cycle.
    fileprivate let key: ObjectIdentifier
    private let registry: CurlMultiRegistry
    private var transfers: [UnsafeMutableRawPointer: Transfer] = [:]
    private var spares: [UnsafeMutableRawPointer] = []
    private var watched: Set<Int32> = []
    private var timerDeadline: UInt64?
    private var checksCancellation = false
    private var closed = false

    /// How often transfers in flight look for a cancelled run: curl calls a transfer's progress callback only
    /// when it does something, so a transfer waiting on a silent server would not notice before its timeout.
    static let cancellationCheckInterval: UInt64 = 100_000_000

    init(reactor: any IOReactor, registry: CurlMultiRegistry) {
        precondition(CurlLibrary.isReady, "curl_global_init failed")
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init failed (out of memory)") }
        self.multi = multi
        self.reactor = reactor
        self.key = ObjectIdentifier(reactor)
        self.registry = registry
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ct_multi_setopt_socket_callback(multi, CURLMOPT_SOCKETFUNCTION, CurlMulti.socketChanged)
        _ = ct_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        _ = ct_multi_setopt_timer_callback(multi, CURLMOPT_TIMERFUNCTION, CurlMulti.timerChanged)
        _ = ct_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
    }

    /// Starts `transfer`; its continuation is resumed when it ends.
    func add(_ transfer: Transfer) {
        let easy = spares.popLast() ?? curl_easy_init()
        guard let easy else {
            finish(transfer, TransferReport(url: transfer.url, failure: .transfer(
                code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_easy_init failed (out of memory)")))
            return
        }
        transfer.configure(easy)
        transfers[easy] = transfer
        let code = curl_multi_add_handle(multi, easy)
        if code != CURLM_OK {
            transfers[easy] = nil
            spares.append(easy)
            finish(transfer, TransferReport(url: transfer.url, failure: .transfer(
                code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code)))))
            return
        }
        if !checksCancellation {
            checksCancellation = true
            scheduleCancellationCheck()
        }
    }

    private func scheduleCancellationCheck() {
        reactor.schedule(at: MonotonicClock.now() &+ Self.cancellationCheckInterval) { [weak self] in
            self?.abortCancelled()
        }
    }

    /// Ends the transfers of a cancelled run as curl would if their progress callback said so.
    private func abortCancelled() {
        guard !closed else { return }
        var aborted: [(Transfer, TransferReport)] = []
        for (easy, transfer) in transfers where transfer.cancellation.isCancelled {
            transfers[easy] = nil
            _ = curl_multi_remove_handle(multi, easy)
            aborted.append((transfer, transfer.report(easy, code: CURLE_ABORTED_BY_CALLBACK)))
            spares.append(easy)
        }
        // Checking stops while nothing is in flight (and this multi closes): the next add starts it again.
        checksCancellation = !transfers.isEmpty
        if checksCancellation { scheduleCancellationCheck() }
        for (transfer, report) in aborted { finish(transfer, report) }
    }

    /// Lets go of everything: called by the registry once no transfer is in flight.
    func close() {
        closed = true
        for fd in watched { reactor.unwatch(fd) }
        watched.removeAll()
        timerDeadline = nil
        // curl closes its cached connections in cleanup: it must not call back into what is being torn down.
        _ = ct_multi_setopt_socket_callback(multi, CURLMOPT_SOCKETFUNCTION, nil)
        _ = ct_multi_setopt_timer_callback(multi, CURLMOPT_TIMERFUNCTION, nil)
        for easy in spares { curl_easy_cleanup(easy) }
        spares.removeAll()
        curl_multi_cleanup(multi)
    }

    // MARK: curl's callbacks and the reactor's

    private static let socketChanged: curl_socket_callback = { _, fd, what, context, _ in
        Unmanaged<CurlMulti>.fromOpaque(context!).takeUnretainedValue().watch(fd, what: what)
    }

    private static let timerChanged: curl_multi_timer_callback = { _, milliseconds, context in
        Unmanaged<CurlMulti>.fromOpaque(context!).takeUnretainedValue().setTimer(milliseconds: milliseconds)
    }

    private func watch(_ fd: Int32, what: Int32) -> Int32 {
        if what == CURL_POLL_REMOVE {
            reactor.unwatch(fd)
            watched.remove(fd)
            return 0
        }
        var interest: IOEvents = []
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { interest.insert(.readable) }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { interest.insert(.writable) }
        do {
            try reactor.watch(fd, for: interest) { [weak self] ready in self?.socketReady(fd, ready) }
        } catch {
            // curl fails the transfers on this socket.
            return -1
        }
        watched.insert(fd)
        return 0
    }

    private func setTimer(milliseconds: Int) -> Int32 {
        guard milliseconds >= 0 else {
            timerDeadline = nil
            return 0
        }
        let deadline = MonotonicClock.now() &+ UInt64(milliseconds) &* 1_000_000
        timerDeadline = deadline
        // Earlier deadlines set before stay in the reactor's heap; they find timerDeadline moved and do nothing.
        reactor.schedule(at: deadline) { [weak self] in self?.timerFired() }
        return 0
    }

    private func timerFired() {
        guard !closed, let deadline = timerDeadline, deadline <= MonotonicClock.now() else { return }
        timerDeadline = nil
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, ct_socket_timeout(), 0, &running)
        collectFinished()
    }

    private func socketReady(_ fd: Int32, _ ready: IOEvents) {
        guard !closed else { return }
        var mask: Int32 = 0
        if ready.contains(.readable) { mask |= CURL_CSELECT_IN }
        if ready.contains(.writable) { mask |= CURL_CSELECT_OUT }
        if ready.contains(.error) { mask |= CURL_CSELECT_ERR }
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, fd, mask, &running)
        collectFinished()
    }

    /// Ends the transfers curl reports done: each handle goes back to the spares, each task is resumed.
    private func collectFinished() {
        var finished: [(Transfer, TransferReport)] = []
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = transfers.removeValue(forKey: easy) else { continue }
            // Taken before removing the handle: the message does not survive curl_multi_remove_handle.
            let code = message.pointee.data.result
            _ = curl_multi_remove_handle(multi, easy)
            finished.append((transfer, transfer.report(easy, code: code)))
            spares.append(easy)
        }
        for (transfer, report) in finished { finish(transfer, report) }
    }

    private func finish(_ transfer: Transfer, _ report: TransferReport) {
        let continuation = transfer.continuation
        transfer.continuation = nil
        continuation?.resume(returning: report)
        registry.release(self)
    }
}

/// The curl multi of each reactor a workload's transfers run on, made when a transfer starts there and closed
/// when the last one in flight ends (so nothing outlives the run: no socket stays watched, no handle open).
///
/// Made and closed on the reactor's own thread, so a transfer never finds its multi closing; the lock only
/// guards the table, which several reactors could share.
final class CurlMultiRegistry: Sendable {
    private struct Entry {
        // Held so the reactor (and its address, the key) stays alive while its multi exists.
        let reactor: any IOReactor
        let multi: CurlMulti
        var inFlight: Int
    }

    private let table = Locked<[ObjectIdentifier: Entry]>([:])

    init() {}

    /// Runs `transfer` on `reactor`'s multi and returns how it ended.
    nonisolated(nonsending) func perform(_ transfer: Transfer, on reactor: any IOReactor) async -> TransferReport {
        await withUnsafeContinuation { continuation in
            transfer.continuation = continuation
            do throws(OSError) {
                try reactor.execute { [self] in acquire(on: reactor).add(transfer) }
            } catch {
                transfer.continuation = nil
                continuation.resume(returning: TransferReport(url: transfer.url, failure: .reactorUnavailable(error)))
            }
        }
    }

    /// On `reactor`'s thread: its multi, made if needed, with one more transfer in flight.
    private func acquire(on reactor: any IOReactor) -> CurlMulti {
        let key = ObjectIdentifier(reactor)
        return table.withLock { table in
            if let entry = table[key] {
                table[key]?.inFlight += 1
                return entry.multi
            }
            let multi = CurlMulti(reactor: reactor, registry: self)
            table[key] = Entry(reactor: reactor, multi: multi, inFlight: 1)
            return multi
        }
    }

    /// On the multi's reactor thread: one transfer fewer in flight; the last one closes the multi.
    fileprivate func release(_ multi: CurlMulti) {
        let idle = table.withLock { table -> Bool in
            guard var entry = table[multi.key], entry.multi === multi else { return false }
            entry.inFlight -= 1
            table[multi.key] = entry.inFlight == 0 ? nil : entry
            return entry.inFlight == 0
        }
        if idle { multi.close() }
    }
}
