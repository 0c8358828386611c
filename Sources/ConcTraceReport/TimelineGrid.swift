/// The worker lanes of a timeline, filled in the same pass that analyzes the trace, before its time range is known.
///
/// Every lane has `columns` columns over one shared range `origin ..< origin + columns × width` (ns). The range
/// starts at the first slice and doubles whenever a slice falls outside it: the columns of every lane merge in
/// pairs (the stronger of two neighbours stays, as `Timeline.coarsened` does) and the old range becomes the left or
/// the right half of the new one. The range therefore stays within four times the trace's own, and `resample` maps
/// it onto the report's columns once the range is known. Memory is fixed: lanes × `columns` columns.
///
/// ```
///  slice ─▶ outside? ─▶ double: [ab][cd] ─▶ [AB|CD..] (or [..|AB CD]) ─▶ add to the columns it covers
///  finish ─▶ resample(start...end, 920 columns)
/// ```
struct TimelineGrid {
    /// Columns per lane: four times and more the report's, so the trace's range keeps at least its resolution.
    static let columns = 4096
    /// The widest column (ns): the range then spans 2⁶² ns, all the times the analysis accepts (±2⁶¹).
    static let maxWidth: Int64 = 1 << 50

    private(set) var origin: Int64 = 0
    /// Nanoseconds per column, a power of two.
    private(set) var width: Int64 = 1
    private var isEmpty = true
    private var lanes: [[Timeline.Column]] = []

    /// Adds an empty lane; returns its index.
    mutating func addLane() -> Int {
        lanes.append(Array(repeating: Timeline.Column(), count: Self.columns))
        return lanes.count - 1
    }

    /// Empties a lane, for another thread.
    mutating func clear(lane: Int) {
        lanes[lane] = Array(repeating: Timeline.Column(), count: Self.columns)
    }

    /// Adds `key` (a task, or a hash of a slice's name) over `from..<to` (ns, `from <= to`, within ±2⁶¹) to `lane`;
    /// an instant still marks its column. Column arithmetic is in Double: no sum of far-apart times can overflow.
    mutating func add(lane: Int, key: UInt64, from: Int64, to: Int64) {
        if isEmpty {
            (origin, width, isEmpty) = (from, 1, false)
        }
        while Double(from) < Double(origin), width < Self.maxWidth { grow(left: true) }
        while Double(to) > Double(origin) + Double(Self.columns) * Double(width), width < Self.maxWidth {
            grow(left: false)
        }
        let (start, size) = (Double(origin), Double(width))
        let first = ((Double(from) - start) / size).rounded(.down)
        let last = ((Double(max(from, to - 1)) - start) / size).rounded(.down)
        guard last >= 0, first <= Double(Self.columns - 1) else { return }
        for column in Int(max(0, first))...Int(min(last, Double(Self.columns - 1))) {
            let columnStart = start + Double(column) * size
            let overlap = min(Double(to), columnStart + size) - max(Double(from), columnStart)
            lanes[lane][column].add(key, Int64(min(max(1, overlap), 0x1p62)))
        }
    }

    /// The lane over `start..<end` (ns) in `count` columns: each takes the strongest grid column it overlaps.
    func resample(lane: Int, start: Int64, end: Int64, count: Int) -> [Timeline.Column] {
        guard !isEmpty else { return Array(repeating: Timeline.Column(), count: count) }
        let span = max(1, Double(end) - Double(start))
        let (origin, size) = (Double(self.origin), Double(width))
        return (0..<count).map { index in
            let from = Double(start) + span * Double(index) / Double(count)
            let to = Double(start) + span * Double(index + 1) / Double(count)
            let first = max(0, ((from - origin) / size).rounded(.down))
            let last = min(Double(Self.columns - 1), ((max(from, to - 1) - origin) / size).rounded(.down))
            guard first <= last else { return Timeline.Column() }
            return lanes[lane][Int(first)...Int(last)].reduce(Timeline.Column()) { $0.merged(with: $1) }
        }
    }

    /// Doubles the range: the old one becomes the right half (`left`: the range grows to the left) or the left.
    private mutating func grow(left: Bool) {
        let half = Self.columns / 2
        for index in lanes.indices {
            let old = lanes[index]
            var new = Array(repeating: Timeline.Column(), count: Self.columns)
            for column in 0..<half {
                new[(left ? half : 0) + column] = old[2 * column].merged(with: old[2 * column + 1])
            }
            lanes[index] = new
        }
        if left { origin -= Int64(Self.columns) * width }
        width *= 2
    }
}
