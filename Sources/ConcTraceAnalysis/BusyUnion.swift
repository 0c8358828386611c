/// The union of one thread's slices, in any order and at any depth, in memory bounded by `maxRuns`.
///
/// The union is kept as disjoint runs sorted by start. A slice merges with every run it overlaps or touches, so
/// nested slices count once whichever comes first in the file (viztracer writes a parent after its children;
/// Chrome an inner slice before the outer one). That is exact while the thread has at most `maxRuns` separate
/// runs pending. Past that, the runs are halved by merging the neighbours with the smallest gaps into blocks, each
/// with its exact busy time inside: a later slice that covers a block whole stays exact (a parent written after
/// thousands of its children); one that covers part of a block is estimated (the block's busy time taken as spread
/// evenly over it) and counted in `estimatedSlices`. Busy time never exceeds the thread's extent, so utilization
/// never passes 100 %.
///
/// ```
///  slices ─▶ [run][run] [block: busy ≤ length][run] ...   (sorted, disjoint, at most maxRuns)
///                 │ full: merge the smallest gaps, halving the count
/// ```
struct BusyUnion {
    /// Separate runs kept per thread before merging (24 bytes each).
    static let maxRuns = 1024

    /// An interval of the union: a run (`busy == end - start`) or a block of merged runs (`busy < end - start`).
    private struct Run {
        var start: Int64
        var end: Int64
        var busy: Int64

        var length: Int64 { end - start }
    }

    private var runs: [Run] = []
    /// Σ busy over `runs` (ns), kept as slices arrive.
    private(set) var busy: Int64 = 0
    /// Slices that covered part of a block, whose busy time is therefore estimated.
    private(set) var estimatedSlices = 0

    /// Adds the slice `start...end` (ns, `start <= end`; times within ±2⁶¹, so no sum overflows). A zero-length
    /// slice adds no busy time, but `covers` finds it.
    mutating func add(start: Int64, end: Int64) {
        // Fast path: slices in time order, as conctrace writes them.
        if let last = runs.last, start > last.end {
            append(Run(start: start, end: end, busy: end - start))
            return
        }
        // The first run that ends at or after `start`, and the runs from it that start at or before `end`.
        let first = firstIndex { $0.end >= start }
        var last = first
        while last < runs.count, runs[last].start <= end { last += 1 }
        guard first < last else {
            insert(Run(start: start, end: end, busy: end - start), at: first)
            return
        }
        var merged = Run(start: min(start, runs[first].start), end: max(end, runs[last - 1].end), busy: end - start)
        var estimated = false
        for run in runs[first..<last] {
            merged.busy += outsideBusy(of: run, start: start, end: end, estimated: &estimated)
            busy -= run.busy
        }
        if estimated { estimatedSlices += 1 }
        merged.busy = min(merged.busy, merged.length)
        runs.replaceSubrange(first..<last, with: [merged])
        busy += merged.busy
    }

    /// The busy time of `run` outside `start...end`: exact for a run and for a block wholly inside; estimated for a
    /// block only partly inside.
    private func outsideBusy(of run: Run, start: Int64, end: Int64, estimated: inout Bool) -> Int64 {
        let overlap = max(0, min(run.end, end) - max(run.start, start))
        let outside = run.length - overlap
        if run.busy == run.length { return outside }
        if outside == 0 { return 0 }
        estimated = true
        return Int64((Double(run.busy) * Double(outside) / Double(run.length)).rounded())
    }

    /// Whether a slice seen so far covers `time` (ends included). Inside a block of merged runs this is true even in
    /// a gap between them: the block no longer knows where its gaps are.
    func covers(_ time: Int64) -> Bool {
        let index = firstIndex { $0.end >= time }
        return index < runs.count && runs[index].start <= time
    }

    private func firstIndex(where predicate: (Run) -> Bool) -> Int {
        var (low, high) = (0, runs.count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(runs[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private mutating func append(_ run: Run) {
        runs.append(run)
        busy += run.busy
        if runs.count > Self.maxRuns { compact() }
    }

    private mutating func insert(_ run: Run, at index: Int) {
        runs.insert(run, at: index)
        busy += run.busy
        if runs.count > Self.maxRuns { compact() }
    }

    /// Halves the runs by merging neighbours across the smallest gaps (busy time unchanged).
    private mutating func compact() {
        let gaps = (1..<runs.count).map { runs[$0].start - runs[$0 - 1].end }.sorted()
        // Merge every gap below the median, then gaps equal to it (first ones first) until half are merged.
        let half = gaps.count / 2
        let threshold = gaps[half]
        var budget = half + 1 - gaps.prefix { $0 < threshold }.count
        var compacted: [Run] = []
        compacted.reserveCapacity(runs.count / 2 + 1)
        for run in runs {
            if let previous = compacted.last {
                let gap = run.start - previous.end
                if gap < threshold || (gap == threshold && budget > 0) {
                    if gap == threshold { budget -= 1 }
                    compacted[compacted.count - 1].end = run.end
                    compacted[compacted.count - 1].busy += run.busy
                    continue
                }
            }
            compacted.append(run)
        }
        runs = compacted
    }
}
