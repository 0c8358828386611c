/// Pairs one thread's `B` and `E` events by time, not by file order, as Perfetto's JSON importer does: it sorts
/// every event by timestamp (at one timestamp an `E` before anything else, then file order) and nests them, each
/// `E` closing the innermost open `B` whose name and category it matches (an `E` without a name or category
/// matches any).
///
/// Sorting a whole thread would keep every event, so the events wait in a window of at most `window` events per
/// thread (a min-heap by time) and leave it earliest first. Events out of time order by less than the window are
/// paired exactly as after a full sort; one that comes later than that (older than an event already released) is
/// paired where it lands and counted in `lateEvents`.
///
/// ```
///  B/E ─▶ window (heap by ts, E first, file order) ─earliest─▶ open B stack ─E─▶ (start, end) ─▶ ThreadActivity
/// ```
struct BeginEndPairing {
    /// Events held per thread for reordering.
    static let window = 256
    /// `B` events open at once, at most; deeper ones are refused (bounded memory).
    static let maxOpen = 1024

    /// One `B` or `E` as the window holds it; names and categories as hashes (0: none), so that a hostile file's
    /// long names cost nothing here.
    struct Event {
        var timestamp: Int64
        var isEnd: Bool
        /// Position in the file (ties keep file order).
        var sequence: Int
        var name: UInt64
        var category: UInt64

        /// Earlier first; at one time an `E` first; then file order.
        func precedes(_ other: Event) -> Bool {
            if timestamp != other.timestamp { return timestamp < other.timestamp }
            if isEnd != other.isEnd { return isEnd }
            return sequence < other.sequence
        }
    }

    private struct OpenBegin {
        var start: Int64
        var name: UInt64
        var category: UInt64
    }

    private var heap: [Event] = []
    private var open: [OpenBegin] = []
    private var released: Event?
    /// `E` events that closed nothing.
    private(set) var unmatchedEnds = 0
    /// Events that arrived after a later event had left the window.
    private(set) var lateEvents = 0
    /// `B` events refused past `maxOpen`.
    private(set) var refusedBegins = 0
    /// Pairs whose `E` is earlier than its `B` (possible only for late events): no slice.
    private(set) var invertedPairs = 0
    /// Events held in the window.
    var held: Int { heap.count }
    /// `B` events never closed (so far).
    var openBegins: Int { open.count }

    /// Takes an event; returns the slice it completes, if any (each call releases at most one event).
    mutating func add(_ event: Event) -> (start: Int64, end: Int64)? {
        if let released, event.precedes(released) {
            lateEvents += 1
            return process(event)
        }
        push(event)
        return heap.count > Self.window ? releaseEarliest() : nil
    }

    /// Releases the earliest held event (to keep the window, a global budget, or at the end of the trace); returns
    /// the slice it completes, if any.
    mutating func releaseEarliest() -> (start: Int64, end: Int64)? {
        guard let event = popMin() else { return nil }
        released = event
        return process(event)
    }

    private mutating func process(_ event: Event) -> (start: Int64, end: Int64)? {
        if !event.isEnd {
            guard open.count < Self.maxOpen else {
                refusedBegins += 1
                return nil
            }
            open.append(OpenBegin(start: event.timestamp, name: event.name, category: event.category))
            return nil
        }
        guard let index = open.lastIndex(where: { begin in
            (event.category == 0 || event.category == begin.category)
                && (event.name == 0 || begin.name == 0 || event.name == begin.name)
        }) else {
            unmatchedEnds += 1
            return nil
        }
        let begin = open.remove(at: index)
        // A late E may end before its B: it closes it, but makes no slice.
        guard event.timestamp >= begin.start else {
            invertedPairs += 1
            return nil
        }
        return (begin.start, event.timestamp)
    }

    // MARK: The heap

    private mutating func push(_ event: Event) {
        heap.append(event)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popMin() -> Event? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { return first }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension BeginEndPairing.Event {
    /// A stable hash of a name or category (FNV-1a, 64 bits); 0 for none or the empty string.
    static func hash(_ text: String?) -> UInt64 {
        guard let text, !text.isEmpty else { return 0 }
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return hash == 0 ? 1 : hash
    }
}
