// ConcTraceSiteServer: the site server the `download` workload fetches from (`conctrace serve`, and embedded in
// `conctrace run --workload download`). Built in its own module so that the recorder and the strategies never
// depend on SwiftNIO.

/// What a ``SiteServer`` serves and how it misbehaves.
///
/// Pages are `/page/0` ..< `/page/<pages>`; page k has the (k mod 15)-th of the tutorial's sizes
/// (``PageCatalog/tutorialSizes``). Each page request is delayed by ``latency`` and may be turned into a fault:
/// an HTTP 500 (``errorRate``), a connection reset (``resetRate``) or no answer at all (``stallRate``).
/// Which request gets which delay and fault is decided by ``ResponsePlanner`` from ``seed``: reproducible.
public struct SiteConfiguration: Sendable, Equatable {
    /// The seed used when none is given: the same in every run, so runs are comparable.
    public static let defaultSeed: UInt64 = 0x5EED_C0DE

    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The port to bind; 0 picks a free one (read it back from ``SiteServer/port``).
    public var port: Int
    /// How many pages exist: `/page/k` for k in `0..<pages`; others are 404.
    public var pages: Int
    /// How long each page response waits before it is sent.
    public var latency: LatencyModel
    /// Probability (0...1) that a page request is answered with HTTP 500.
    public var errorRate: Double
    /// Probability (0...1) that a page request is answered by resetting the connection (TCP RST).
    public var resetRate: Double
    /// Probability (0...1) that a page request is never answered (the connection stays open).
    public var stallRate: Double
    /// Seeds every latency and fault decision.
    public var seed: UInt64
    /// Event loop threads; `nil` means one per core.
    public var eventLoopThreads: Int?
    /// The listen backlog: connections the kernel queues before they are accepted.
    public var backlog: Int

    /// A configuration; every argument has the default `conctrace serve` uses.
    ///
    /// The rates are probabilities of disjoint outcomes of one draw, so they must add up to at most 1.
    /// Values outside their ranges are programmer errors (the CLI validates its options) and trap.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        pages: Int = PageCatalog.tutorialSizes.count,
        latency: LatencyModel = .fixed(milliseconds: 100),
        errorRate: Double = 0,
        resetRate: Double = 0,
        stallRate: Double = 0,
        seed: UInt64 = SiteConfiguration.defaultSeed,
        eventLoopThreads: Int? = nil,
        backlog: Int = 4096
    ) {
        precondition((0...65535).contains(port), "port must be 0...65535")
        precondition(pages >= 1, "pages must be at least 1")
        for rate in [errorRate, resetRate, stallRate] {
            precondition((0...1).contains(rate), "fault rates must be probabilities in 0...1")
        }
        precondition(errorRate + resetRate + stallRate <= 1 + 1e-9, "fault rates must add up to at most 1")
        precondition(eventLoopThreads.map { $0 >= 1 } ?? true, "eventLoopThreads must be at least 1")
        precondition(backlog >= 1, "backlog must be at least 1")
        self.host = host
        self.port = port
        self.pages = pages
        self.latency = latency
        self.errorRate = errorRate
        self.resetRate = resetRate
        self.stallRate = stallRate
        self.seed = seed
        self.eventLoopThreads = eventLoopThreads
        self.backlog = backlog
    }
}
