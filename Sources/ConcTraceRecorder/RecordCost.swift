import ConcTraceSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Measures what recording one event costs: the clock read, the slot copy and the release store.
public enum RecordCost {
    /// The recorder's own cost per event on this machine, measured at start-up: the median over a few rounds
    /// of recording into a private lane (not part of any trace). Takes well under a millisecond.
    public static func calibrate() -> Double {
        measure(eventsPerRound: 4096, rounds: 9)
    }

    /// Median nanoseconds per recorded event on the calling thread.
    /// - Parameters:
    ///   - eventsPerRound: events recorded per timed round (the lane holds them all: no drops are timed).
    ///   - rounds: timed rounds; the median is returned.
    public static func measure(eventsPerRound: Int, rounds: Int) -> Double {
        let lane = EventLane(worker: 1, name: "calibration", capacity: eventsPerRound)
        var samples: [Double] = []
        samples.reserveCapacity(rounds)
        for round in 0..<rounds {
            let start = MonotonicClock.now()
            for index in 0..<eventsPerRound {
                lane.record(.running, task: UInt64(truncatingIfNeeded: index &+ round))
            }
            let end = MonotonicClock.now()
            lane.discardAll()
            samples.append(Double(end &- start) / Double(eventsPerRound))
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}

extension EventLane {
    /// Records this thread's OS context switches so far (getrusage RUSAGE_THREAD): voluntary (it blocked) and
    /// involuntary (it was preempted).
    public func recordOSSwitches() {
        guard isEnabled else { return }
        let switches = ThreadUsage.current()
        record(.osSwitches, task: 0,
               value: UInt128(switches.voluntary) << 64 | UInt128(switches.involuntary), hasValue: true)
    }
}

extension RecordCost {
    /// Median nanoseconds per event while `threads` threads record at once, each into its own lane: the
    /// median of all their rounds' samples. Shows whether per-thread lanes contend.
    public static func measureConcurrently(threads: Int, eventsPerRound: Int, rounds: Int) -> Double {
        // Shared through a class: a noncopyable local captured by escaping closures is accessed as a whole
        // (Thread Sanitizer reports those accesses racing, though the lock protects the data).
        final class Shared: Sendable {
            let start = Atomic<Bool>(false)
            let samples = Locked<[Double]>([])
        }
        let shared = Shared()
        var started: [OSThread] = []
        for number in 0..<threads {
            guard let thread = try? OSThread(name: "ct-bench-\(number)", {
                while !shared.start.load(ordering: .acquiring) {}
                let lane = EventLane(worker: UInt32(number + 1), name: "bench", capacity: eventsPerRound)
                var mine: [Double] = []
                for round in 0..<rounds {
                    let begin = MonotonicClock.now()
                    for index in 0..<eventsPerRound {
                        lane.record(.running, task: UInt64(truncatingIfNeeded: index &+ round))
                    }
                    let end = MonotonicClock.now()
                    lane.discardAll()
                    mine.append(Double(end &- begin) / Double(eventsPerRound))
                }
                shared.samples.withLock { $0.append(contentsOf: mine) }
            }) else { continue }
            started.append(thread)
        }
        shared.start.store(true, ordering: .releasing)
        started.forEach { $0.join() }
        let sorted = shared.samples.withLock { $0 }.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }
}
