/// One drain round's events: each lane's events appended as a run (in the lane's order), then merged into one
/// sequence ordered by timestamp. Its buffers are reused from round to round.
///
/// A lane's events are in its recording order, which is time order for what a thread stamps itself: the runs are
/// merged, the earlier lane first on ties. A round with one busy lane (an event loop) has one run and costs nothing
/// more; k runs cost log2(k) passes. A lane may also hold events stamped elsewhere, older than its last ones (a
/// wake-up's time from another thread, a worker process's end time): a round with such a run is sorted whole
/// (stable), as every round was before runs were merged.
struct DrainBatch {
    /// The events, in timestamp order once `merge()` has run.
    private(set) var events: [TraceEvent] = []
    private var runEnds: [Int] = []
    private var allRunsOrdered = true
    private var scratch: [TraceEvent] = []
    private var scratchEnds: [Int] = []

    /// Empties the batch, keeping its memory.
    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        runEnds.removeAll(keepingCapacity: true)
        allRunsOrdered = true
    }

    /// Appends a lane's events as one run.
    mutating func appendRun(_ body: (inout [TraceEvent]) -> Void) {
        let before = events.count
        body(&events)
        guard events.count > before else { return }
        runEnds.append(events.count)
        if allRunsOrdered {
            var index = before + 1
            while index < events.count, events[index - 1].timestamp <= events[index].timestamp { index += 1 }
            allRunsOrdered = index >= events.count
        }
    }

    /// Orders the events by timestamp (stable: on a tie, the earlier lane, then the lane's own order).
    mutating func merge() {
        guard allRunsOrdered else {
            events.sort { $0.timestamp < $1.timestamp }
            runEnds.removeAll(keepingCapacity: true)
            return
        }
        while runEnds.count > 1 {
            scratch.removeAll(keepingCapacity: true)
            scratch.reserveCapacity(events.count)
            scratchEnds.removeAll(keepingCapacity: true)
            var start = 0
            var index = 0
            while index < runEnds.count {
                let middle = runEnds[index]
                let end = index + 1 < runEnds.count ? runEnds[index + 1] : middle
                Self.mergeRuns(events, start..<middle, middle..<end, into: &scratch)
                scratchEnds.append(end)
                start = end
                index += 2
            }
            swap(&events, &scratch)
            swap(&runEnds, &scratchEnds)
        }
    }

    private static func mergeRuns(_ source: [TraceEvent], _ left: Range<Int>, _ right: Range<Int>,
                                  into output: inout [TraceEvent]) {
        var i = left.lowerBound
        var j = right.lowerBound
        while i < left.upperBound, j < right.upperBound {
            // `<=`: on a tie the left run (the earlier lane) goes first.
            if source[i].timestamp <= source[j].timestamp {
                output.append(source[i])
                i += 1
            } else {
                output.append(source[j])
                j += 1
            }
        }
        if i < left.upperBound { output.append(contentsOf: source[i..<left.upperBound]) }
        if j < right.upperBound { output.append(contentsOf: source[j..<right.upperBound]) }
    }
}
