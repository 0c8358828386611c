/// Flow arrows (`s` → `f`, the Trace Event Format's v1 flows) by category, and how many bind to a slice at both
/// ends, following Perfetto's binding rules: an `s` binds to the slice that encloses it on its thread at its
/// time; an `f` with `bp: "e"` to the enclosing slice; an `f` without it to the next slice that begins after it on
/// its thread. An `s` and an `f` are one arrow when their `id`, `cat` and `name` agree (as Perfetto keys v1 flows).
///
/// Neither the arrows nor the slices need any order in the file: an end that no slice seen so far binds waits on
/// its thread, and each slice that arrives resolves the waiting ends it binds. Memory grows with the arrows in
/// flight (an `s` waiting for its `f`, an end waiting for its slice), at most `maxOpenFlows`, never with events.
///
/// ```
///  s, f ─▶ open arrows [key: start end] ─both ends resolved─▶ counts per category
///              ▲ waiting ends, per thread (by time)
///  slices ─────┘ resolve: enclosing (start ≤ t ≤ end), next (start > t)
/// ```
struct FlowLedger {
    /// Arrows open at once (an end seen, the other not yet, or an end not yet resolved), at most.
    static let maxOpenFlows = 500_000
    /// Categories counted by name; further ones are counted together.
    static let maxCategories = 64

    /// What one category's arrows came to.
    struct Counts {
        /// Complete arrows: an `s` and its `f`.
        var arrows = 0
        /// Arrows bound to a slice at both ends.
        var bound = 0
        /// Arrows whose `s` (or `f`) binds to no slice.
        var startUnbound = 0
        var endUnbound = 0
        /// `s` without its `f`, `f` without its `s`, and `s` repeating an open arrow's key.
        var unpaired = 0
    }

    /// An arrow's identity: `id`, and hashes of `cat` and `name`.
    struct Key: Hashable {
        var id: UInt64
        var category: UInt64
        var name: UInt64
    }

    /// Where an end stands.
    private enum End: UInt8 {
        case missing, waiting, bound, unbound
    }

    private struct Arrow {
        var category: Int
        var start = End.missing
        var end = End.missing
    }

    /// An end waiting for a slice on its thread.
    private struct Waiting {
        var time: Int64
        var key: Key
        var isStart: Bool
    }

    /// The ends waiting on one thread, each list sorted by time.
    private struct ThreadWaits {
        /// Ends that bind to the slice enclosing their time.
        var enclosing: [Waiting] = []
        /// Ends that bind to the next slice beginning after their time.
        var next: [Waiting] = []

        var isEmpty: Bool { enclosing.isEmpty && next.isEmpty }

        /// Removes and returns the ends a slice `start...end` binds: enclosed ones, and "next slice" ones before
        /// its start.
        mutating func take(enclosedBy start: Int64, _ end: Int64) -> [Waiting] {
            var taken: [Waiting] = []
            if !enclosing.isEmpty {
                let low = Self.firstIndex(enclosing) { $0.time >= start }
                let high = Self.firstIndex(enclosing) { $0.time > end }
                if low < high {
                    taken += enclosing[low..<high]
                    enclosing.removeSubrange(low..<high)
                }
            }
            if !next.isEmpty {
                let high = Self.firstIndex(next) { $0.time >= start }
                if high > 0 {
                    taken += next[0..<high]
                    next.removeSubrange(0..<high)
                }
            }
            return taken
        }

        static func firstIndex(_ list: [Waiting], where predicate: (Waiting) -> Bool) -> Int {
            FlowLedger.firstIndex(list, where: predicate)
        }
    }

    private var arrows: [Key: Arrow] = [:]
    private var waits: [TraceAnalyzer.ThreadKey: ThreadWaits] = [:]
    private var waiting = 0
    private var categoryIndex: [UInt64: Int] = [:]
    /// Category names, by index; the last is "(other categories)" once `maxCategories` is reached.
    private(set) var categoryNames: [String] = []
    private(set) var counts: [Counts] = []
    /// Flow events refused past `maxOpenFlows`.
    private(set) var refused = 0

    /// Notes an `s` on `thread` at `time`; `bound` says whether a slice seen so far encloses it.
    mutating func start(_ key: Key, category: String?, thread: TraceAnalyzer.ThreadKey, at time: Int64, bound: Bool) {
        note(key, isStart: true, category: category, thread: thread, at: time, enclosing: true, bound: bound)
    }

    /// Notes an `f` on `thread` at `time`: it binds to the enclosing slice (`bp: "e"`) or to the next one; `bound`
    /// says whether a slice seen so far binds it.
    mutating func end(_ key: Key, category: String?, thread: TraceAnalyzer.ThreadKey, at time: Int64, enclosing: Bool,
                      bound: Bool) {
        note(key, isStart: false, category: category, thread: thread, at: time, enclosing: enclosing, bound: bound)
    }

    /// One end of an arrow: opens the arrow (or completes it), and waits on its thread unless already bound.
    private mutating func note(_ key: Key, isStart: Bool, category: String?, thread: TraceAnalyzer.ThreadKey,
                               at time: Int64, enclosing: Bool, bound: Bool) {
        let state: End = bound ? .bound : .waiting
        if var arrow = arrows[key] {
            guard (isStart ? arrow.start : arrow.end) == .missing else {
                counts[arrow.category].unpaired += 1
                return
            }
            if isStart { arrow.start = state } else { arrow.end = state }
            arrows[key] = arrow
        } else {
            guard arrows.count < Self.maxOpenFlows else {
                refused += 1
                return
            }
            var arrow = Arrow(category: index(of: key.category, name: category))
            if isStart { arrow.start = state } else { arrow.end = state }
            arrows[key] = arrow
        }
        if !bound { wait(Waiting(time: time, key: key, isStart: isStart), on: thread, enclosing: enclosing) }
        settle(key)
    }

    /// A slice `start...end` on `thread`: binds the ends waiting there that it encloses, and the "next slice" ends
    /// before its start.
    mutating func slice(on thread: TraceAnalyzer.ThreadKey, start: Int64, end: Int64) {
        guard waiting > 0, waits[thread] != nil else { return }
        // In place (no copy of the lists): a thread may have thousands of ends waiting.
        let resolved = waits[thread]!.take(enclosedBy: start, end)
        if waits[thread]!.isEmpty { waits[thread] = nil }
        guard !resolved.isEmpty else { return }
        waiting -= resolved.count
        for end in resolved { resolve(end, bound: true) }
    }

    /// The counts per category, every arrow's ends resolved: ends still waiting bind to nothing; an `s` or an `f`
    /// without its partner is unpaired.
    func finish() -> [(category: String, counts: Counts)] {
        var counts = self.counts
        for arrow in arrows.values {
            if arrow.start == .missing || arrow.end == .missing {
                counts[arrow.category].unpaired += 1
                continue
            }
            Self.count(start: arrow.start == .bound, end: arrow.end == .bound, into: &counts[arrow.category])
        }
        return zip(categoryNames, counts).map { ($0, $1) }
    }

    // MARK: Parts

    private mutating func index(of category: UInt64, name: String?) -> Int {
        if let index = categoryIndex[category] { return index }
        if categoryNames.count >= Self.maxCategories {
            // One shared bucket past the limit.
            return categoryNames.count - 1
        }
        let index = categoryNames.count
        categoryNames.append(categoryNames.count == Self.maxCategories - 1 ? "(other categories)" : name ?? "")
        counts.append(Counts())
        categoryIndex[category] = index
        return index
    }

    private mutating func wait(_ end: Waiting, on thread: TraceAnalyzer.ThreadKey, enclosing: Bool) {
        if enclosing {
            Self.insert(end, into: &waits[thread, default: ThreadWaits()].enclosing)
        } else {
            Self.insert(end, into: &waits[thread, default: ThreadWaits()].next)
        }
        waiting += 1
    }

    private mutating func resolve(_ end: Waiting, bound: Bool) {
        guard var arrow = arrows[end.key] else { return }
        if end.isStart { arrow.start = bound ? .bound : .unbound } else { arrow.end = bound ? .bound : .unbound }
        arrows[end.key] = arrow
        settle(end.key)
    }

    /// Counts an arrow and forgets it once both its ends are resolved.
    private mutating func settle(_ key: Key) {
        guard let arrow = arrows[key], arrow.start == .bound || arrow.start == .unbound,
              arrow.end == .bound || arrow.end == .unbound else { return }
        Self.count(start: arrow.start == .bound, end: arrow.end == .bound, into: &counts[arrow.category])
        arrows[key] = nil
    }

    private static func count(start: Bool, end: Bool, into counts: inout Counts) {
        counts.arrows += 1
        if start && end { counts.bound += 1 }
        if !start { counts.startUnbound += 1 }
        if !end { counts.endUnbound += 1 }
    }

    private static func insert(_ end: Waiting, into list: inout [Waiting]) {
        if let last = list.last, last.time > end.time {
            list.insert(end, at: firstIndex(list) { $0.time > end.time })
        } else {
            list.append(end)
        }
    }

    private static func firstIndex(_ list: [Waiting], where predicate: (Waiting) -> Bool) -> Int {
        var (low, high) = (0, list.count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(list[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
