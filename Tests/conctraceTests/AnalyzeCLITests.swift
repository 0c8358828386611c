import Foundation
import Testing

/// `conctrace analyze` and `conctrace compare` on real runs whose physics is known, and on broken inputs.
@Suite("conctrace analyze and compare, end to end", .serialized)
struct AnalyzeCLITests {
    /// Runs `conctrace run` with `arguments` into `folder/name` and returns the trace's path.
    static func record(_ arguments: [String], _ name: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let run = try CLIRunner.run(["run"] + arguments + ["--out", path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return path
    }

    /// `conctrace analyze PATH --format json`, parsed.
    static func analyzeJSON(_ path: String) throws -> [String: Any] {
        let output = try CLIRunner.run(["analyze", path, "--format", "json"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        return try #require(output.json)
    }

    static func number(_ json: [String: Any], _ path: String...) -> Double? {
        var value: Any? = json
        for key in path { value = (value as? [String: Any])?[key] }
        return (value as? NSNumber)?.doubleValue
    }

    @Test("help lists analyze and compare, their formats and exit codes")
    func help() throws {
        let root = try CLIRunner.run(["--help"])
        #expect(root.stdout.contains("analyze") && root.stdout.contains("compare"))
        let analyze = try CLIRunner.run(["analyze", "--help"])
        #expect(analyze.status == 0)
        #expect(analyze.stdout.contains("--format") && analyze.stdout.contains("markdown"))
        #expect(analyze.stdout.contains("docs/metrics.md") && analyze.stdout.contains("65") && analyze.stdout.contains("66"))
        let compare = try CLIRunner.run(["compare", "--help"])
        #expect(compare.status == 0 && compare.stdout.contains("--format"))
    }

    @Test("sleep, 1,000 tasks of one 50 ms step under eventloop: p50 latency near 50 ms")
    func eventloopLatency() throws {
        let folder = try CLIRunner.makeFolder()
        let path = try Self.record(["--workload", "sleep", "--strategy", "eventloop", "--tasks", "1000", "--steps", "1",
                                    "--sleep-ms", "50"], "eventloop.json", in: folder)
        let json = try Self.analyzeJSON(path)
        let p50 = try #require(Self.number(json, "latency_ms", "p50"))
        #expect(p50 >= 45 && p50 <= 150, "p50 latency \(p50) ms")
        #expect(Self.number(json, "tasks", "done") == 1000)
        #expect(Self.number(json, "tasks", "failed") == 0)
        #expect((json["source"] as? [String: Any])?["format"] as? String == "conctrace")
        #expect((json["run"] as? [String: Any])?["strategy"] as? String == "eventloop")
        let ratio = try #require(Self.number(json, "concurrency", "littles_law_ratio"))
        #expect(ratio > 0.9 && ratio < 1.1, "Little's law ratio \(ratio)")
        #expect(Self.number(json, "recorder", "dropped") == 0)
    }

    @Test("sleep, 100 tasks of one 50 ms step on 10 threads: wall near 0.5 s, scheduling-delay p99 near 0.45 s")
    func threadsQueueing() throws {
        let folder = try CLIRunner.makeFolder()
        let path = try Self.record(["--workload", "sleep", "--strategy", "threads", "--workers", "10", "--tasks", "100",
                                    "--steps", "1", "--sleep-ms", "50"], "threads.json", in: folder)
        let json = try Self.analyzeJSON(path)
        let wall = try #require(Self.number(json, "wall_s"))
        #expect(wall >= 0.45 && wall <= 1.2, "wall \(wall) s")
        // Ten rounds of ten tasks: the last round waited nine rounds of 50 ms in the queue.
        let p99 = try #require(Self.number(json, "scheduling_delay_us", "p99"))
        #expect(p99 >= 380_000 && p99 <= 900_000, "scheduling delay p99 \(p99) µs")
        let workers = try #require(json["workers"] as? [[String: Any]])
        // Ten pool threads, and main.
        #expect(workers.filter { ($0["slices"] as? Int ?? 0) > 0 }.count == 11)
    }

    @Test("compare two traces in text, markdown and json")
    func compare() throws {
        let folder = try CLIRunner.makeFolder()
        let arguments = ["--workload", "sleep", "--tasks", "20", "--steps", "1", "--sleep-ms", "5"]
        let sequential = try Self.record(arguments + ["--strategy", "sequential"], "seq.json", in: folder)
        let eventloop = try Self.record(arguments + ["--strategy", "eventloop"], "loop.json", in: folder)

        let text = try CLIRunner.run(["compare", sequential, eventloop])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        let header = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("  metric ") })
        #expect(header.contains("sequential") && header.contains("eventloop"))
        // The event loop overlaps the 20 waits: its wall is far shorter, so it is marked best, with its ratio.
        let wall = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("  wall (s) ") })
        #expect(wall.contains("*") && wall.contains("x)"))

        let markdown = try CLIRunner.run(["compare", sequential, eventloop, "--format", "markdown"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.contains("| metric | sequential | eventloop |"))
        #expect(markdown.stdout.contains("**"))

        let json = try CLIRunner.run(["compare", sequential, eventloop, "--format", "json"])
        #expect(json.status == 0)
        let object = try #require(json.json)
        let traces = try #require(object["traces"] as? [[String: Any]])
        #expect(traces.map { $0["name"] as? String } == ["sequential", "eventloop"])
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        let wallRow = try #require(metrics.first { $0["metric"] as? String == "wall_s" })
        #expect(wallRow["best"] as? [Int] == [1])
        let ratio = try #require((wallRow["ratios"] as? [Any])?[1] as? Double)
        #expect(ratio < 0.5, "eventloop wall / sequential wall \(ratio)")
    }

    @Test("broken inputs: one line on stderr and the documented exit code")
    func errors() throws {
        let folder = try CLIRunner.makeFolder()
        func write(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        let missing = try CLIRunner.run(["analyze", folder.appendingPathComponent("nope.json").path])
        #expect(missing.status == 66)
        #expect(missing.stderr.hasPrefix("conctrace: error: cannot open trace ") && missing.stderr.filter { $0 == "\n" }.count == 1)
        #expect(missing.stdout.isEmpty)

        let malformed = try CLIRunner.run(["analyze", try write("bad.json", #"[{"ph":"X"}, 42]"#)])
        #expect(malformed.status == 65)
        #expect(malformed.stderr.contains("malformed trace at byte 13") && malformed.stderr.filter { $0 == "\n" }.count == 1)

        let empty = try CLIRunner.run(["analyze", try write("empty.json", "")])
        #expect(empty.status == 65 && empty.stderr.contains("the trace is empty"))

        let noEvents = try CLIRunner.run(["analyze", try write("none.json", "[]")])
        #expect(noEvents.status == 65 && noEvents.stderr.contains("holds no events"))

        let directory = try CLIRunner.run(["analyze", folder.path])
        #expect(directory.status == 66)
        #expect(directory.stderr == "conctrace: error: \(folder.path) is a folder, not a trace file; give the traces " +
                "in it (e.g. \(folder.path)/*.json); check the path\n")

        let one = try CLIRunner.run(["compare", try write("one.json", "[]")])
        #expect(one.status == 64)

        let badInCompare = try CLIRunner.run(["compare", try write("ok.json", #"[{"ph":"i","name":"x","ts":1}]"#),
                                              folder.appendingPathComponent("missing.json").path])
        #expect(badInCompare.status == 66 && badInCompare.stdout.isEmpty)
    }

    @Test("a trace cut short is analyzed up to the cut, with a warning and \"truncated\": true")
    func truncated() throws {
        let folder = try CLIRunner.makeFolder()
        let path = try Self.record(["--workload", "sleep", "--strategy", "eventloop", "--tasks", "50", "--steps", "1",
                                    "--sleep-ms", "1"], "full.json", in: folder)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = folder.appendingPathComponent("cut.json").path
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: cut))

        let output = try CLIRunner.run(["analyze", cut, "--format", "json"])
        #expect(output.status == 0)
        #expect(output.stderr.hasPrefix("conctrace: warning: trace \(cut) is cut short; analyzed the "))
        let json = try #require(output.json)
        #expect((json["source"] as? [String: Any])?["truncated"] as? Bool == true)
        #expect((json["run"] as? [String: Any])?["tasks"] as? Int == 50)

        let text = try CLIRunner.run(["analyze", cut])
        #expect(text.status == 0 && text.stdout.contains("(cut short)") && text.stdout.contains("the trace is cut short"))
    }
}
