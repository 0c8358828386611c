#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The memory a recorder's lanes may hold between recording and writing, shared by all of them: the cap past which
/// a lane counts drops instead of growing.
///
/// A lane holds its events in segments (`LaneSegment`). Segments come from this budget: taken by the recorder's drain
/// thread ahead of need (a lane's spares), or by the recording thread itself when no spare is left (once per segment,
/// never per event), and given back when a drained segment is not kept as a spare. An allocation the system refuses
/// (memory pressure, `ulimit -v`) is not a crash: the lane counts drops until memory comes back.
public final class LaneMemory: Sendable {
    /// The most bytes of segments the lanes may hold at once.
    public let limit: Int
    private let used = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    private let made = Atomic<Int>(0)

    /// Makes a budget of `limit` bytes.
    public init(limit: Int) {
        precondition(limit > 0, "lanes need some memory")
        self.limit = limit
    }

    /// Bytes of segments held now (in lanes and as spares).
    public var bytesInUse: Int { used.load(ordering: .relaxed) }

    /// Allocations the system refused (each is a segment some lane could not have).
    public var allocationFailures: Int { failures.load(ordering: .relaxed) }

    /// Segments allocated so far: each is fresh memory whose pages some thread maps by touching them first.
    var segmentsMade: Int { made.load(ordering: .relaxed) }

    /// A segment for `events` events, or nil if the budget is spent or the system has no memory. Lock-free apart
    /// from the allocator itself.
    func allocate(events: Int) -> LaneSegment? {
        let bytes = LaneSegment.bytes(events: events)
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return nil }
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
        // Aligned to a cache line, so each 64-byte event is one line (malloc's 16-byte alignment would split every
        // event over two lines, two misses for one store).
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            used.wrappingSubtract(bytes, ordering: .relaxed)
            failures.wrappingAdd(1, ordering: .relaxed)
            return nil
        }
        made.wrappingAdd(1, ordering: .relaxed)
        return LaneSegment(raw: raw, events: events)
    }

    /// Gives a segment back.
    func free(_ segment: LaneSegment) {
        let bytes = LaneSegment.bytes(events: Int(segment.header.pointee.count))
        Glibc.free(segment.raw)
        used.wrappingSubtract(bytes, ordering: .relaxed)
    }
}

/// One block of a lane's events: a 64-byte header, then room for `count` events.
///
/// The header is written by the producer only: `count` and `start` when it takes the segment, `next` when it moves
/// on to the following one, always before it publishes an event past this segment, so the consumer (which reads the
/// header only after acquiring such an event) sees them.
struct LaneSegment {
    struct Header {
        /// The segment that follows, once the producer has moved on.
        var next: UnsafeMutableRawPointer?
        /// The lane position of the first event.
        var start: UInt64
        /// Room, in events.
        var count: UInt64
    }

    let raw: UnsafeMutableRawPointer

    init(raw: UnsafeMutableRawPointer) {
        self.raw = raw
    }

    fileprivate init(raw: UnsafeMutableRawPointer, events: Int) {
        self.raw = raw
        raw.bindMemory(to: Header.self, capacity: 1).initialize(to: Header(next: nil, start: 0, count: UInt64(events)))
        (raw + MemoryLayout<TraceEvent>.stride).bindMemory(to: TraceEvent.self, capacity: events)
    }

    static func bytes(events: Int) -> Int { (events + 1) * MemoryLayout<TraceEvent>.stride }

    /// Writes one byte of every page the segment spans, so the kernel maps them now, on the calling thread: the
    /// recording thread that fills the segment later takes no page fault (a fault costs microseconds, on the loop
    /// thread one every 64 events). The consumer calls it on the segments it makes ahead of need.
    func touchPages() {
        let bytes = Self.bytes(events: Int(header.pointee.count))
        var offset = MemoryLayout<TraceEvent>.stride
        while offset < bytes {
            raw.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
            offset += Self.pageBytes
        }
        raw.storeBytes(of: 0, toByteOffset: bytes - 1, as: UInt8.self)
    }

    /// The smallest page size of the systems conctrace runs on (touching more often than the real page is harmless).
    static let pageBytes = 4096

    var header: UnsafeMutablePointer<Header> { raw.assumingMemoryBound(to: Header.self) }

    var events: UnsafeMutablePointer<TraceEvent> {
        (raw + MemoryLayout<TraceEvent>.stride).assumingMemoryBound(to: TraceEvent.self)
    }
}

/// Full-size segments handed from a lane's consumer (the drain thread: recycled or new) to its producer (the
/// recording thread): a single-producer, single-consumer ring, no lock.
struct SpareSegments: ~Copyable {
    static let capacity = 64
    private let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let pushed = Atomic<Int>(0)
    private let popped = Atomic<Int>(0)

    init() {
        slots = .allocate(capacity: Self.capacity)
        slots.initialize(repeating: nil, count: Self.capacity)
    }

    deinit {
        slots.deallocate()
    }

    /// Spares waiting now.
    var count: Int { pushed.load(ordering: .acquiring) &- popped.load(ordering: .acquiring) }

    /// Consumer side: adds a spare; false if the ring is full.
    func push(_ segment: LaneSegment) -> Bool {
        let position = pushed.load(ordering: .relaxed)
        guard position &- popped.load(ordering: .acquiring) < Self.capacity else { return false }
        slots[position % Self.capacity] = segment.raw
        pushed.store(position &+ 1, ordering: .releasing)
        return true
    }

    /// Producer side: takes a spare, if any. (Also the lane's deinit, when no producer is left.)
    func pop() -> LaneSegment? {
        let position = popped.load(ordering: .relaxed)
        guard pushed.load(ordering: .acquiring) != position else { return nil }
        let raw = slots[position % Self.capacity]
        popped.store(position &+ 1, ordering: .releasing)
        return raw.map(LaneSegment.init(raw:))
    }
}
