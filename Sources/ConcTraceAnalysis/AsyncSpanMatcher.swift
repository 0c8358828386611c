import ConcTraceFormat
import ConcTraceReader

/// The track of a nestable async event (`b`/`e`): its process, category and id, as the viewers key it.
struct AsyncTrackKey: Hashable {
    var pid: Int64
    /// The category, interned by `AsyncSpanMatcher`.
    var category: Int32
    /// `id`, `id2.local` or `id2.global` (a local and a global id of the same value are different tracks).
    var scope: UInt8
    var id: UInt64
}

/// A `b` waiting for its `e`.
struct OpenAsyncSpan {
    var name: String?
    var begin: Int64
    var args: [String: TraceValue]?
}

/// Pairs `b` and `e` events into spans, in memory that grows with the spans open at once, not with events.
///
/// An `e` closes the innermost open `b` of its track with the same name (any name if the `e` has none), as the
/// viewers nest them. conctrace writes each span as a `b` directly followed by its `e`, so the common case never
/// touches the table of open spans: the last `b` waits in a single slot, and only a `b` that is not closed next is
/// moved to the table.
struct AsyncSpanMatcher {
    private var categories: [String: Int32] = [:]
    /// The last category looked up: traces use few categories, and a string comparison is cheaper than a hash.
    private var lastCategory: (name: String?, number: Int32)?
    private var pending: (key: AsyncTrackKey, span: OpenAsyncSpan)?
    private var open: [AsyncTrackKey: [OpenAsyncSpan]] = [:]
    /// `e` events that closed nothing.
    private(set) var unmatchedEnds = 0

    /// The interned number of a category (nil, a missing `cat`, is its own category).
    mutating func category(_ name: String?) -> Int32 {
        if let lastCategory, lastCategory.name == name { return lastCategory.number }
        let key = name ?? "\u{0}"
        let number = categories[key] ?? Int32(categories.count)
        categories[key] = number
        lastCategory = (name, number)
        return number
    }

    /// Opens a span.
    mutating func begin(_ key: AsyncTrackKey, _ span: OpenAsyncSpan) {
        if let waiting = pending {
            open[waiting.key, default: []].append(waiting.span)
            openCount += 1
        }
        pending = (key, span)
    }

    /// Closes the innermost open span of `key` named `name`; nil (and counted) when there is none.
    mutating func end(_ key: AsyncTrackKey, name: String?) -> OpenAsyncSpan? {
        if let waiting = pending, waiting.key == key, name == nil || waiting.span.name == name {
            pending = nil
            return waiting.span
        }
        guard var stack = open[key],
              let index = stack.lastIndex(where: { name == nil || $0.name == name }) else {
            unmatchedEnds += 1
            return nil
        }
        let span = stack.remove(at: index)
        open[key] = stack.isEmpty ? nil : stack
        openCount -= 1
        return span
    }

    /// Spans in the table of open spans.
    private var openCount = 0

    /// Spans open now: at the end, the spans never closed (a trace cut between a `b` and its `e`, or a foreign
    /// trace's loose ends).
    var unclosed: Int {
        openCount + (pending == nil ? 0 : 1)
    }
}
