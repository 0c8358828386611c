import ConcTraceSystem
import Synchronization

/// A snapshot of what a ``SiteServer`` has done since it started (also served as JSON at `GET /stats`).
///
/// `requests` counts page requests (for an existing page); each ends as one of `ok`, `errors`, `resets` or
/// `stalls` when its outcome takes effect, so `requests` minus their sum is the number still waiting out their
/// latency, or abandoned because the client left first. `/stats` itself and unknown paths are not page requests.
public struct SiteStats: Sendable, Hashable {
    /// Page requests received.
    public var requests = 0
    /// Pages sent (HTTP 200).
    public var ok = 0
    /// Injected HTTP 500 responses sent.
    public var errors = 0
    /// Connections reset on purpose.
    public var resets = 0
    /// Requests left unanswered on purpose.
    public var stalls = 0
    /// Requests for a path that is not a page or `/stats` (HTTP 404).
    public var notFound = 0
    /// Requests with a method other than GET (HTTP 405).
    public var methodNotAllowed = 0
    /// Page body bytes sent with the `ok` responses.
    public var bodyBytes = 0
    /// Connections accepted since the server started.
    public var connectionsAccepted = 0
    /// Connections open now.
    public var connectionsOpen = 0

    /// A snapshot with every counter zero.
    public init() {}

    /// The counters as one JSON object with snake_case keys, e.g. `{"requests":15,"ok":15,...}`.
    public var json: String {
        let fields: KeyValuePairs = [
            "requests": requests, "ok": ok, "errors": errors, "resets": resets, "stalls": stalls,
            "not_found": notFound, "method_not_allowed": methodNotAllowed, "body_bytes": bodyBytes,
            "connections_accepted": connectionsAccepted, "connections_open": connectionsOpen,
        ]
        return "{" + fields.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }
}

/// The live counters behind ``SiteStats``: relaxed atomics, bumped from every event loop.
final class SiteCounters: Sendable {
    let requests = Atomic(0)
    let ok = Atomic(0)
    let errors = Atomic(0)
    let resets = Atomic(0)
    let stalls = Atomic(0)
    let notFound = Atomic(0)
    let methodNotAllowed = Atomic(0)
    let bodyBytes = Atomic(0)
    let connectionsAccepted = Atomic(0)
    let connectionsClosed = Atomic(0)
    /// Requests seen per page: the `n` of ``ResponsePlanner/outcome(page:request:)``. A dictionary, since only
    /// the pages asked for need an entry.
    private let perPage = Locked<[Int: Int]>([:])

    /// Counts a request for `page` and returns its 0-based number among that page's requests.
    func nextRequestNumber(page: Int) -> Int {
        requests.add(1, ordering: .relaxed)
        return perPage.withLock { counts in
            let number = counts[page, default: 0]
            counts[page] = number + 1
            return number
        }
    }

    var snapshot: SiteStats {
        var stats = SiteStats()
        stats.requests = requests.load(ordering: .relaxed)
        stats.ok = ok.load(ordering: .relaxed)
        stats.errors = errors.load(ordering: .relaxed)
        stats.resets = resets.load(ordering: .relaxed)
        stats.stalls = stalls.load(ordering: .relaxed)
        stats.notFound = notFound.load(ordering: .relaxed)
        stats.methodNotAllowed = methodNotAllowed.load(ordering: .relaxed)
        stats.bodyBytes = bodyBytes.load(ordering: .relaxed)
        let closed = connectionsClosed.load(ordering: .relaxed)
        stats.connectionsAccepted = connectionsAccepted.load(ordering: .relaxed)
        stats.connectionsOpen = max(0, stats.connectionsAccepted - closed)
        return stats
    }
}
