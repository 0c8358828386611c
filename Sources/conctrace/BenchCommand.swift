import ArgumentParser
import ConcTraceFormat
import ConcTraceRecorder

extension ConcTrace {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Micro-benchmarks of conctrace's own costs.",
            subcommands: [Record.self]
        )
    }
}

extension ConcTrace.Bench {
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The recorder's cost per event: median ns on one thread, and on two threads at once.",
            discussion: """
                Each round records --events events into a lane big enough to hold them (no drops are timed) and \
                is timed as a whole; the median over --rounds rounds is reported. The two-thread figure runs the \
                same rounds on two threads at once, each with its own lane: per-thread lanes should not contend.
                """
        )

        @Option(help: "Events recorded per timed round.")
        var events: Int = 65_536

        @Option(help: "Timed rounds per thread.")
        var rounds: Int = 41

        @Option(help: "Output: text or json.")
        var format: OutputFormat = .text

        func validate() throws {
            guard events > 0, events <= 1 << 24 else { throw ValidationError("--events must be 1...16777216") }
            guard rounds > 0, rounds <= 10_000 else { throw ValidationError("--rounds must be 1...10000") }
        }

        func run() throws {
            // Warm up (page in the lanes' memory, settle the CPU clock) before measuring.
            _ = RecordCost.measure(eventsPerRound: events, rounds: 3)
            let one = RecordCost.measure(eventsPerRound: events, rounds: rounds)
            let two = RecordCost.measureConcurrently(threads: 2, eventsPerRound: events, rounds: rounds)
            switch format {
            case .json:
                var json = JSONObjectText()
                json.add("ns_per_event_1_thread", (one * 100).rounded() / 100)
                json.add("ns_per_event_2_threads", (two * 100).rounded() / 100)
                json.add("events_per_round", events)
                json.add("rounds", rounds)
                printLine(json.text)
            case .text:
                printLine("recording cost: \(formatted(one, digits: 1)) ns/event on 1 thread, " +
                          "\(formatted(two, digits: 1)) ns/event on 2 threads at once " +
                          "(median of \(rounds) rounds of \(events) events)")
            }
        }
    }
}
