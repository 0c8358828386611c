import ConcTraceSystem
import Synchronization

/// One worker's event buffer: a single-producer, single-consumer ring of fixed-size events.
///
/// The owning thread records (the producer); the recorder's drain thread consumes. Recording takes no lock,
/// allocates nothing and never blocks: it reads the clock, copies one event into the next slot and publishes it
/// with a release store. When the ring is full the event is counted in `dropped` instead.
///
/// ```
///   producer (worker thread)            consumer (drain thread)
///   slot[head % capacity] = event       read slots tail..<head (acquire head)
///   head += 1  (release)                tail = new tail          (release)
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

    let capacity: UInt64
    private let mask: UInt64
    private let slots: UnsafeMutablePointer<TraceEvent>

    // Producer-owned: events published so far, and a cached copy of the consumer's tail.
    private let head = Atomic<UInt64>(0)
    // A raw pointer, not a stored `var`: class properties pay a dynamic exclusivity check on every access.
    private let cachedTail: UnsafeMutablePointer<UInt64>
    private let droppedCount = Atomic<UInt64>(0)
    // Keep the consumer's tail off the producer's cache line.
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    // Consumer-owned.
    private let tail = Atomic<UInt64>(0)

    /// Makes a lane.
    /// - Parameters:
    ///   - worker: the worker id (nonzero).
    ///   - name: the worker's name.
    ///   - capacity: slots in the ring; rounded up to a power of two.
    ///   - enabled: false for a lane that records nothing.
    public init(worker: UInt32, name: String, capacity: Int, enabled: Bool = true) {
        precondition(worker != 0, "worker id 0 is reserved: Perfetto maps tid 0 to the pid")
        precondition(capacity > 0, "a lane needs at least one slot")
        var size: UInt64 = 1
        while size < UInt64(capacity) { size <<= 1 }
        self.worker = worker
        self.name = name
        self.isEnabled = enabled
        self.capacity = enabled ? size : 1
        self.mask = self.capacity - 1
        self.cachedTail = .allocate(capacity: 1)
        self.cachedTail.initialize(to: 0)
        // Left uninitialized: pages are touched only as the ring fills (a lane is megabytes; most runs use a
        // little of it). TraceEvent is a trivial type, and only published slots are ever read.
        self.slots = .allocate(capacity: Int(self.capacity))
    }

    deinit {
        slots.deallocate()
        cachedTail.deallocate()
    }

    /// Records one event stamped with the current time. Never blocks; counts a drop if the ring is full.
    @inline(__always)
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
    @inline(__always)
    public func append(_ event: TraceEvent) {
        guard isEnabled else { return }
        let position = head.load(ordering: .relaxed)
        if position &- cachedTail.pointee >= capacity {
            cachedTail.pointee = tail.load(ordering: .acquiring)
            if position &- cachedTail.pointee >= capacity {
                droppedCount.store(droppedCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
                return
            }
        }
        (slots + Int(position & mask)).initialize(to: event)
        head.store(position &+ 1, ordering: .releasing)
    }

    /// Events recorded into the ring so far (consumed or not), excluding drops.
    public var recorded: UInt64 { head.load(ordering: .acquiring) }

    /// Events that found the ring full and were not recorded.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Events waiting to be consumed.
    public var pending: UInt64 { head.load(ordering: .acquiring) &- tail.load(ordering: .relaxed) }

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
        var position = tail.load(ordering: .relaxed)
        let start = position
        while position != end {
            let event = slots[Int(position & mask)]
            if event.timestamp > watermark { break }
            output.append(event)
            position &+= 1
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
        for _ in 0..<count {
            latest = max(latest, slots[Int(position & mask)].timestamp)
            position &+= 1
        }
        return latest
    }

    /// Test and benchmark support: discards everything recorded so far, as if consumed. Consumer side only.
    public func discardAll() {
        tail.store(head.load(ordering: .acquiring), ordering: .releasing)
    }
}
