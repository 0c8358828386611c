import ConcTraceSystem
import Synchronization

/// One worker's event buffer: a single-producer, single-consumer queue of fixed-size events that grows by segments.
///
/// The owning thread records (the producer); the recorder's drain thread consumes. Recording takes no lock,
/// allocates nothing per event and never blocks: it reads the clock, copies one 64-byte event into the next slot of
/// its current segment, prefetches for writing the slot 8 events ahead, and publishes the event with a release
/// store. When the segment is full it moves to the next one: a spare the drain thread left it (a drained segment,
/// recycled, so its memory is warm, or a new one whose pages the drain thread touched, so the recording thread takes
/// no page fault in it), or, when none is left, one it takes from the recorder's `LaneMemory` itself (once per
/// segment). Segments start small (a lane that records a few events costs 4 KiB) and double up to
/// `fullSegmentEvents`. When the lane holds `capacity` events, or the memory budget is spent, or the system has no
/// memory, the event is counted in `dropped` instead.
///
/// ```
///   producer (worker thread)                          consumer (drain thread)
///   segment full: next = spare or LaneMemory          read tail..<head (acquire head), segment by segment
///   slot = event; head += 1 (release)                 a segment read to its end → spare, or back to LaneMemory
/// ```
///
/// A lane must have one producing thread at a time.
public final class EventLane: @unchecked Sendable {
    /// The worker id written as the trace's `tid` (never 0).
    public let worker: UInt32
    /// The worker's name (a thread name in the trace).
    public let name: String
    /// Whether events are recorded at all (false when tracing is off: every call returns at once).
    public let isEnabled: Bool

    /// The most events the lane holds before they are drained (a power of two).
    let capacity: UInt64
    /// The size segments grow to, in events (spares are this size).
    let fullSegmentEvents: UInt64
    private let memory: LaneMemory

    @usableFromInline
    struct Cursor {
        var segment: LaneSegment?
        @usableFromInline var events: UnsafeMutablePointer<TraceEvent>?
        /// The lane positions the segment holds: start..<end.
        @usableFromInline var start: UInt64 = 0
        @usableFromInline var end: UInt64 = 0

        init() {}

        init(segment: LaneSegment?, events: UnsafeMutablePointer<TraceEvent>?, start: UInt64, end: UInt64) {
            self.segment = segment
            self.events = events
            self.start = start
            self.end = end
        }
    }

    private struct Consumer {
        var cursor = Cursor()
        /// Spares to keep for the producer: set from its pace at each drain round.
        var sparesWanted = 0
        /// Drain rounds in a row in which the producer moved less than an eighth of a segment.
        var quietRounds = 0
        var headAtLastRound: UInt64 = 0
        var droppedAtLastRound: UInt64 = 0
    }

    // Producer-owned, behind a raw pointer: class properties pay a dynamic exclusivity check on every access.
    @usableFromInline let producer: UnsafeMutablePointer<Cursor>
    /// Whether the producer tries `LaneMemory` when no spare is left: false after a refused allocation (so a lane
    /// short of memory does not call malloc at every event), true again at the next drain round.
    private let mayAllocate = Atomic<Bool>(true)
    @usableFromInline let head = Atomic<UInt64>(0)
    @usableFromInline let droppedCount = Atomic<UInt64>(0)
    /// The lane's first segment, published once by whoever makes it (the initializer, or the producer later if
    /// memory was short then), for the consumer to start from.
    private let first = Atomic<UInt>(0)
    // Keep the consumer's tail off the producer's cache line.
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    // Consumer-owned.
    private let tail = Atomic<UInt64>(0)
    private let consumer: UnsafeMutablePointer<Consumer>
    private let spares = SpareSegments()

    /// The size segments grow to, unless a lane's capacity is smaller: 512 KiB of events.
    public static let defaultSegmentEvents = 1 << 13
    /// How many events ahead of the one it writes the producer prefetches a slot for writing.
    @usableFromInline static let prefetchDistance: UInt64 = 8
    /// The first segment's size: 4 KiB of events.
    static let firstSegmentEvents: UInt64 = 64

    /// Makes a lane.
    /// - Parameters:
    ///   - worker: the worker id (nonzero).
    ///   - name: the worker's name.
    ///   - capacity: the most events held before they are drained; rounded up to a power of two.
    ///   - enabled: false for a lane that records nothing.
    ///   - memory: the budget its segments come from (a recorder's, shared by its lanes); nil for a budget of its own
    ///     that holds `capacity` events.
    public convenience init(worker: UInt32, name: String, capacity: Int, enabled: Bool = true,
                            memory: LaneMemory? = nil) {
        self.init(worker: worker, name: name, capacity: capacity, enabled: enabled, memory: memory,
                  segmentEvents: Self.defaultSegmentEvents)
    }

    /// Makes a lane whose segments grow to `segmentEvents` events (tests use small ones).
    init(worker: UInt32, name: String, capacity: Int, enabled: Bool, memory: LaneMemory?, segmentEvents: Int) {
        precondition(worker != 0, "worker id 0 is reserved: Perfetto maps tid 0 to the pid")
        precondition(capacity > 0, "a lane needs at least one slot")
        var size: UInt64 = 1
        while size < UInt64(capacity) { size <<= 1 }
        self.worker = worker
        self.name = name
        self.isEnabled = enabled
        self.capacity = enabled ? size : 1
        fullSegmentEvents = min(self.capacity, UInt64(max(1, segmentEvents)))
        // Its own budget: the capacity, and the headers of the small segments on the way to full size.
        self.memory = memory ?? LaneMemory(limit: LaneSegment.bytes(events: Int(self.capacity)) * 2)
        producer = .allocate(capacity: 1)
        producer.initialize(to: Cursor())
        consumer = .allocate(capacity: 1)
        consumer.initialize(to: Consumer())
        // The first segment, made here (cold) so the first event needs no allocation on the recording thread.
        // Without memory for it the lane starts empty, counts drops, and tries again at its next event.
        if enabled { _ = startSegment(at: 0) }
    }

    deinit {
        // Every segment still held: the consumer's, those after it up to the producer's, and the spares.
        var raw = consumer.pointee.cursor.segment?.raw ?? UnsafeMutableRawPointer(bitPattern: first.load(ordering: .acquiring))
        while let current = raw {
            let segment = LaneSegment(raw: current)
            raw = segment.header.pointee.next
            memory.free(segment)
        }
        while let segment = spares.pop() { memory.free(segment) }
        producer.deallocate()
        consumer.deallocate()
    }

    /// Records one event stamped with the current time. Never blocks; counts a drop if the lane is full.
    /// Inlinable (with `append`): the executors call it on every switch.
    @inlinable @inline(__always)
    public func record(
        _ kind: EventKind, task: UInt64, related: UInt64 = 0, reason: WaitReason = .none,
        value: UInt128 = 0, hasValue: Bool = false, label: TaskLabel = .none
    ) {
        guard isEnabled else { return }
        let timestamp = MonotonicClock.now()
        append(TraceEvent(timestamp: timestamp, kind: kind, task: task, worker: worker, related: related,
                          reason: reason, value: value, hasValue: hasValue, label: label))
    }

    /// Appends an event whose fields (timestamp included) are already set. Never blocks.
    @inlinable @inline(__always)
    public func append(_ event: TraceEvent) {
        guard isEnabled else { return }
        let position = head.load(ordering: .relaxed)
        if position == producer.pointee.end, !startSegment(at: position) {
            droppedCount.store(droppedCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            return
        }
        let cursor = producer.pointee
        let slot = cursor.events.unsafelyUnwrapped + Int(position &- cursor.start)
        slot.initialize(to: event)
        // The slot a few events ahead, taken for writing now (a spare's lines were last read by the drain thread's
        // core): its store will not wait for the line, as every atomic instruction after it (a retain) would too.
        if position &+ Self.prefetchDistance < cursor.end {
            CacheHint.prefetchForWrite(slot + Int(Self.prefetchDistance))
        }
        head.store(position &+ 1, ordering: .releasing)
    }

    /// Producer side, once per segment: the next segment, a spare or a new one from the memory budget, linked after
    /// the current one. False if the lane is full or no memory is to be had (the event is dropped; the next one tries
    /// again).
    @usableFromInline @inline(never)
    func startSegment(at position: UInt64) -> Bool {
        let current = producer.pointee.segment
        let consumed = tail.load(ordering: .acquiring)
        if let current, consumed == position {
            // Everything recorded is consumed: the consumer is done with this segment's slots (its tail store came
            // after its reads), so the segment is used again from here. A lane that keeps up holds one segment.
            current.header.pointee.start = position
            producer.pointee.start = position
            producer.pointee.end = position &+ current.header.pointee.count
            return true
        }
        let size = current.map { min($0.header.pointee.count * 2, fullSegmentEvents) }
            ?? min(Self.firstSegmentEvents, fullSegmentEvents)
        guard position &- consumed &+ size <= capacity else { return false }
        var next = size == fullSegmentEvents ? spares.pop() : nil
        if next == nil, mayAllocate.load(ordering: .relaxed) {
            next = memory.allocate(events: Int(size))
            if next == nil { mayAllocate.store(false, ordering: .relaxed) }
        }
        guard let next else { return false }
        next.header.pointee.start = position
        next.header.pointee.next = nil
        if let current {
            current.header.pointee.next = next.raw
        } else {
            first.store(UInt(bitPattern: next.raw), ordering: .releasing)
        }
        producer.pointee = Cursor(segment: next, events: next.events, start: position,
                                  end: position &+ next.header.pointee.count)
        return true
    }

    /// Events recorded into the lane so far (consumed or not), excluding drops.
    public var recorded: UInt64 { head.load(ordering: .acquiring) }

    /// Events that found the lane full and were not recorded.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Events waiting to be consumed.
    public var pending: UInt64 { head.load(ordering: .acquiring) &- tail.load(ordering: .relaxed) }

    /// Consumer side: the segment that holds `position` (an event already published), moving on from a segment
    /// read to its end (which is recycled) when `recycling`.
    private func consumerSegment(for position: UInt64) -> Cursor {
        var cursor = consumer.pointee.cursor
        if cursor.segment == nil, let raw = UnsafeMutableRawPointer(bitPattern: first.load(ordering: .acquiring)) {
            cursor = Self.cursor(LaneSegment(raw: raw))
        }
        while position >= cursor.end, cursor.segment != nil {
            let next = Self.following(cursor) { recycle($0) }
            // Nothing follows (only for a position not yet published, which callers never ask for).
            guard next.end != cursor.end else { break }
            cursor = next
        }
        consumer.pointee.cursor = cursor
        return cursor
    }

    /// Consumer side: what follows a segment read to its end. The segment itself, if the producer used it again in
    /// place from its end on (see startSegment: its start moved; it may have been filled and linked to a next one
    /// since, whose events come after this second round); else the next segment, and the one left is done with.
    private static func following(_ cursor: Cursor, leaving: (LaneSegment) -> Void) -> Cursor {
        let segment = cursor.segment.unsafelyUnwrapped
        if segment.header.pointee.start != cursor.start { return Self.cursor(segment) }
        guard let next = segment.header.pointee.next else { return cursor }
        leaving(segment)
        return Self.cursor(LaneSegment(raw: next))
    }

    private static func cursor(_ segment: LaneSegment) -> Cursor {
        let start = segment.header.pointee.start
        return Cursor(segment: segment, events: segment.events, start: start,
                      end: start &+ segment.header.pointee.count)
    }

    /// Consumer side: copies out, in order, the unconsumed events stamped at or before `watermark`, and marks
    /// them consumed. One consumer at a time: the recorder's drain thread, or a test that owns the lane.
    ///
    /// Stopping at the watermark keeps causal order across lanes: an event that a later-stamped event on another
    /// lane depends on was published before that event's clock read, so it is in this batch whenever its
    /// dependent is.
    /// - Returns: the number of events appended to `output`.
    @discardableResult
    public func drain(upTo watermark: UInt64, into output: inout [TraceEvent]) -> Int {
        let end = head.load(ordering: .acquiring)
        let start = tail.load(ordering: .relaxed)
        var position = start
        scan: while position != end {
            let cursor = consumerSegment(for: position)
            let events = cursor.events.unsafelyUnwrapped
            let limit = min(end, cursor.end)
            while position != limit {
                let event = events[Int(position &- cursor.start)]
                if event.timestamp > watermark { break scan }
                output.append(event)
                position &+= 1
            }
        }
        if position != start { tail.store(position, ordering: .releasing) }
        return Int(position &- start)
    }

    /// Consumer side: the latest timestamp among the first `count` unconsumed events, or nil if fewer are
    /// published. Draining up to it takes at least those `count` events.
    func latestTimestamp(amongFirst count: Int) -> UInt64? {
        let end = head.load(ordering: .acquiring)
        let start = tail.load(ordering: .relaxed)
        guard end &- start >= UInt64(count), count > 0 else { return nil }
        var latest: UInt64 = 0
        var position = start
        let last = start &+ UInt64(count)
        var cursor = consumerSegment(for: position)
        while position != last {
            if position == cursor.end {
                let next = Self.following(cursor) { _ in }
                guard next.end != cursor.end else { return latest }
                cursor = next
            }
            let limit = min(last, cursor.end)
            while position != limit {
                latest = max(latest, cursor.events.unsafelyUnwrapped[Int(position &- cursor.start)].timestamp)
                position &+= 1
            }
        }
        return latest
    }

    /// Consumer side, once per drain round: keeps spare segments for a producer that fills segments (none for a lane
    /// at rest; more the faster it fills, or one if it dropped), taken from the memory budget, and lets a producer
    /// that was refused memory try again.
    func replenish() {
        let now = head.load(ordering: .acquiring)
        let moved = now &- consumer.pointee.headAtLastRound
        consumer.pointee.headAtLastRound = now
        let droppedNow = dropped
        let dropping = droppedNow != consumer.pointee.droppedAtLastRound
        consumer.pointee.droppedAtLastRound = droppedNow
        mayAllocate.store(true, ordering: .relaxed)
        let pace = moved < fullSegmentEvents / 8 ? 0 : min(2 + 2 * Int(moved / fullSegmentEvents), SpareSegments.capacity / 2)
        // The want decays by one a round, not to nothing at once: the drain thread runs a round right after a busy
        // one without pausing, which sees little movement, and dropping the want then would free the drained
        // segments the next busy round needs, so it would make fresh ones (whose pages fault on the recording
        // thread). So one quiet round keeps the want as it was; it decays from the second.
        consumer.pointee.quietRounds = pace == 0 ? consumer.pointee.quietRounds + 1 : 0
        let kept = consumer.pointee.sparesWanted - (pace > 0 || consumer.pointee.quietRounds >= 2 ? 1 : 0)
        let wanted = max(pace, dropping ? 1 : 0, kept)
        consumer.pointee.sparesWanted = wanted
        while spares.count < wanted, let segment = memory.allocate(events: Int(fullSegmentEvents)) {
            segment.touchPages()
            guard spares.push(segment) else {
                memory.free(segment)
                break
            }
        }
    }

    /// Consumer side: a segment read to its end is kept as a spare (warm memory for the producer) or given back.
    /// One more than the producer's want is kept: a round that reads a segment exactly to its end leaves it to be
    /// recycled in the next round, after `replenish` has already topped the spares up; giving it back then would
    /// have the next busy round make a fresh one.
    private func recycle(_ segment: LaneSegment) {
        if segment.header.pointee.count == fullSegmentEvents, spares.count <= max(consumer.pointee.sparesWanted, 1),
           spares.push(segment) {
            return
        }
        memory.free(segment)
    }

    /// Test and benchmark support: discards everything recorded so far, as if consumed. Consumer side only.
    public func discardAll() {
        let end = head.load(ordering: .acquiring)
        var position = tail.load(ordering: .relaxed)
        while position != end {
            position = min(end, consumerSegment(for: position).end)
        }
        tail.store(end, ordering: .releasing)
    }
}
