import Synchronization

/// A snapshot of what a ``TraceFileServer`` has done since it started.
public struct TraceFileServerStats: Sendable, Hashable {
    /// Requests received, whatever their path or method.
    public var requests = 0
    /// GET requests answered with the whole file (HTTP 200), every byte written to the connection.
    public var completeDownloads = 0
    /// Partial GET requests answered (HTTP 206).
    public var rangeRequests = 0
    /// CORS preflight requests answered (OPTIONS).
    public var preflights = 0
    /// Requests for any path other than the trace's (HTTP 404).
    public var notFound = 0
    /// Body bytes written with complete responses (whole files and ranges).
    public var bodyBytes = 0

    /// A snapshot with every counter zero.
    public init() {}
}

/// The live counters behind ``TraceFileServerStats``: relaxed atomics, bumped from the event loop.
final class TraceFileCounters: Sendable {
    let requests = Atomic(0)
    let completeDownloads = Atomic(0)
    let rangeRequests = Atomic(0)
    let preflights = Atomic(0)
    let notFound = Atomic(0)
    let bodyBytes = Atomic(0)

    var snapshot: TraceFileServerStats {
        var stats = TraceFileServerStats()
        stats.requests = requests.load(ordering: .relaxed)
        stats.completeDownloads = completeDownloads.load(ordering: .relaxed)
        stats.rangeRequests = rangeRequests.load(ordering: .relaxed)
        stats.preflights = preflights.load(ordering: .relaxed)
        stats.notFound = notFound.load(ordering: .relaxed)
        stats.bodyBytes = bodyBytes.load(ordering: .relaxed)
        return stats
    }
}
