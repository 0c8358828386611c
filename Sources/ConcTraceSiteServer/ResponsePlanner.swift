/// What the server does with one page request.
public enum PageOutcome: Sendable, Hashable {
    /// Send the page (HTTP 200) after `delay`.
    case page(after: Duration)
    /// Send HTTP 500 with a short body after `delay`.
    case serverError(after: Duration)
    /// Reset the connection (SO_LINGER 0, then close: the peer sees a TCP RST) after `delay`.
    case reset(after: Duration)
    /// Never answer; the connection stays open until the client leaves or the server shuts down.
    case stall
}

/// Decides each page request's latency and fault: a pure function of the seed, the page and how many requests
/// for that page came before, so the same seed and the same request sequence give the same latencies and faults.
///
/// The rule, for request number `n` (0-based, counted per page since the server started) of page `k`:
///
///     state   = seed ^ mix(mix(k) &+ n)            mix: SplitMix64's output function
///     u       = next(state) >> 11 as a fraction in [0, 1)      (53 bits)
///     latency = low + next(state) % (high - low + 1)           nanoseconds; `low == high` for a fixed latency
///     outcome = serverError  if u <  errorRate
///               reset        if u <  errorRate + resetRate
///               stall        if u <  errorRate + resetRate + stallRate   (a stall has no latency)
///               page         otherwise
///
/// Both numbers are always drawn, so changing a rate never changes a request's latency. With concurrent
/// requests for the same page, which of them is number `n` depends on arrival order; the multiset of outcomes does not.
public struct ResponsePlanner: Sendable {
    /// The seed every decision derives from.
    public let seed: UInt64
    private let latencyBounds: ClosedRange<Int64>
    private let errorThreshold: Double
    private let resetThreshold: Double
    private let stallThreshold: Double

    /// A planner for `configuration`'s seed, latency and rates.
    public init(_ configuration: SiteConfiguration) {
        seed = configuration.seed
        latencyBounds = configuration.latency.nanosecondBounds
        errorThreshold = configuration.errorRate
        resetThreshold = configuration.errorRate + configuration.resetRate
        stallThreshold = configuration.errorRate + configuration.resetRate + configuration.stallRate
    }

    /// The outcome of the `request`-th request (0-based) for page `page`.
    public func outcome(page: Int, request: Int) -> PageOutcome {
        let key = SplitMix64.mix(UInt64(truncatingIfNeeded: page)) &+ UInt64(truncatingIfNeeded: request)
        var generator = SplitMix64(state: seed ^ SplitMix64.mix(key))
        let fraction = Double(generator.next() >> 11) * 0x1p-53
        let span = UInt64(latencyBounds.upperBound - latencyBounds.lowerBound) &+ 1
        let delay = Duration.nanoseconds(latencyBounds.lowerBound + Int64(generator.next() % span))
        if fraction < errorThreshold { return .serverError(after: delay) }
        if fraction < resetThreshold { return .reset(after: delay) }
        if fraction < stallThreshold { return .stall }
        return .page(after: delay)
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast generator whose output function is also a good 64-bit mixer.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's output function: a bijective 64-bit mix.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
