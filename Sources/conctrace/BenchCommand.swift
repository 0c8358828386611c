import ArgumentParser
import ConcTraceAnalysis
import ConcTraceFormat
import ConcTraceLab
import ConcTraceStrategies

extension ConcTrace {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Micro-benchmarks: the recorder's own cost, what one task switch costs per strategy, the writer's throughput.",
            subcommands: [Record.self, Switch.self, Writer.self]
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
            let (one, two) = Benchmarks.recordCost(events: events, rounds: rounds)
            switch format {
            case .json:
                var json = JSONObjectText()
                json.add("ns_per_event_1_thread", (one * 100).rounded() / 100)
                json.add("ns_per_event_2_threads", (two * 100).rounded() / 100)
                json.add("events_per_round", events)
                json.add("rounds", rounds)
                printLine(json.text)
            case .text:
                printLine("recording cost: \(NumberFormat.fixed(one, decimals: 1)) ns/event on 1 thread, " +
                          "\(NumberFormat.fixed(two, decimals: 1)) ns/event on 2 threads at once " +
                          "(median of \(rounds) rounds of \(events) events)")
            }
        }
    }
}

extension ConcTrace.Bench {
    struct Switch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What one switch between two tasks costs, per strategy, side by side in one run.",
            discussion: """
                threads: two pool threads hand a token back and forth with semaphores (futex); threads-1core \
                pins both to one CPU. async: two Swift tasks on the 2-thread async pool hand a token through \
                continuations. eventloop: two tasks on the loop alternate with the loop's own yield. floor: the \
                same on a bare TaskExecutor with an array queue, no bookkeeping, no recording (the runtime's \
                own cost of a switch; not instrumented). global-executor: \
                the same on Swift's default executor (not instrumented). processes: this process and a worker \
                process (this binary, started without a shell) hand a byte back and forth over two pipes (not \
                instrumented). The cases run interleaved, one round of each after another, after one uncounted \
                warm-up round; each figure is the median of --runs runs with its 95% confidence interval (order \
                statistics), min, max and n, in nanoseconds per switch; for eventloop and floor, whose two tasks \
                run on one thread, also that thread's CPU nanoseconds per switch (what a busy machine disturbs \
                less). With recording both, each instrumented \
                case's times with recording on are tested against off (Mann-Whitney U, p < 0.01 and more than \
                5%). These are hand-offs in a tight loop; a trace's dispatch overhead per switch measures \
                something else (docs/metrics.md, "Two switch costs").
                """
        )

        enum Recording: String, ExpressibleByArgument, CaseIterable {
            case on, off, both
        }

        @Option(help: "Counted runs per case (after one warm-up run); the median is reported with its spread.")
        var runs: Int = 7

        @Option(help: "Cases to measure, comma-separated (default: all): threads, threads-1core, async, eventloop, floor, global-executor, processes.")
        var cases: String?

        @Option(help: "Record every switch (into a discarding sink): on, off, or both (side by side, tested).")
        var recording: Recording = .both

        @Option(help: "Output: text or json.")
        var format: OutputFormat = .text

        func validate() throws {
            guard runs > 0, runs <= 101 else { throw ValidationError("--runs must be 1...101 (got \(runs))") }
            _ = try selectedCases()
        }

        private func selectedCases() throws -> [SwitchBenchmark.Case] {
            guard let cases else { return SwitchBenchmark.Case.allCases }
            return try cases.split(separator: ",").map { name in
                guard let found = SwitchBenchmark.Case(rawValue: String(name)) else {
                    throw ValidationError("unknown case '\(name)' in --cases; choose from " +
                                          SwitchBenchmark.Case.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return found
            }
        }

        func run() throws {
            let modes: [Bool] = switch recording {
            case .on: [true]
            case .off: [false]
            case .both: [true, false]
            }
            // The default executor and the pipe between processes cannot be recorded: measured without, as they are.
            let times = try Benchmarks.switches(try selectedCases(), recording: modes, runs: runs)
            let costs = Benchmarks.recordingCosts(times)
            switch format {
            case .json: printLine(SwitchBenchText.json(times, costs: costs))
            case .text: printLine(SwitchBenchText.table(times, costs: costs))
            }
        }
    }
}

extension ConcTrace.Bench {
    struct Writer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The trace writer's throughput: recorded events converted to Chrome JSON, per second.",
            discussion: """
                Converts the events of a made-up sleep run (--tasks tasks of one wait each, 7 events per task, \
                in the order one event loop records them) in drain-sized batches, --rounds times after one \
                warm-up round, and reports the median round in events/s and MB/s (10^6 bytes), and per second \
                of the converting thread's CPU time. With --to-file \
                the text is also written to a nameless temporary file (the page cache), as a traced run does.
                """
        )

        @Option(help: "Tasks of the made-up run (7 events each).")
        var tasks: Int = 100_000

        @Option(help: "Timed rounds; the median is reported.")
        var rounds: Int = 5

        @Flag(help: "Also write the text to a temporary file.")
        var toFile = false

        @Option(help: "Output: text or json.")
        var format: OutputFormat = .text

        func validate() throws {
            guard tasks > 0, tasks <= 10_000_000 else { throw ValidationError("--tasks must be 1...10000000") }
            guard rounds > 0, rounds <= 101 else { throw ValidationError("--rounds must be 1...101") }
        }

        func run() throws {
            let result = try Benchmarks.writer(tasks: tasks, rounds: rounds, toFile: toFile)
            switch format {
            case .json:
                var json = JSONObjectText()
                json.add("events", result.events)
                json.add("bytes", result.bytes)
                json.add("seconds", (result.median * 1e6).rounded() / 1e6)
                json.add("cpu_seconds", (result.medianCPU * 1e6).rounded() / 1e6)
                json.add("events_per_s", result.eventsPerSecond.rounded())
                json.add("events_per_cpu_s", result.eventsPerCPUSecond.rounded())
                json.add("mb_per_s", (result.megabytesPerSecond * 10).rounded() / 10)
                json.add("to_file", json: toFile ? "true" : "false")
                json.add("rounds", rounds)
                printLine(json.text)
            case .text:
                let seconds = NumberFormat.fixed(result.median, decimals: 3)
                let rate = NumberFormat.fixed(result.eventsPerSecond / 1e6, decimals: 2)
                let megabytes = NumberFormat.fixed(result.megabytesPerSecond, decimals: 1)
                let perCPU = NumberFormat.fixed(result.eventsPerCPUSecond / 1e6, decimals: 2)
                printLine("writer: \(result.events) events -> \(result.bytes) bytes of JSON in \(seconds) s " +
                          "(median of \(rounds)): \(rate) M events/s, \(megabytes) MB/s" +
                          (toFile ? ", written to a file" : "") + "; \(perCPU) M events per CPU second")
            }
        }
    }
}
