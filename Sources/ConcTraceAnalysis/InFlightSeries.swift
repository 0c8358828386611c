/// One process's `tasks` counter series (`in_flight`), integrated over time as its samples stream by.
///
/// A counter holds its value until its next sample, so the time integral is the sum of value × time to the next
/// sample. conctrace writes a process's counter samples in time order; a sample older than the one before it is
/// counted in `unordered` and left out (the integral would need them sorted).
struct InFlightSeries {
    private(set) var samples = 0
    private(set) var unordered = 0
    /// The first and the last sample's time (ns).
    private(set) var first: Int64 = 0
    private(set) var last: Int64 = 0
    /// ∫ in_flight dt from the first sample to the last, in task·ns.
    private(set) var area = 0.0
    private var lastValue: Int64 = 0

    /// Adds the sample `value` at `timestamp` (ns).
    mutating func add(_ value: Int64, at timestamp: Int64) {
        if samples > 0 {
            guard timestamp >= last else {
                unordered += 1
                return
            }
            area += Double(lastValue) * Double(timestamp - last)
        } else {
            first = timestamp
        }
        samples += 1
        last = timestamp
        lastValue = value
    }
}
