import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `conctrace record -- PROGRAM` on programs it has never seen, end to end (issue 12).
@Suite("conctrace record, end to end", .serialized)
struct RecordCLITests {
    /// Records `scenario` of the scenarios program into `trace` (in the shared folder) on 2 pool threads.
    private func record(_ scenario: String, trace: String, program: String? = nil) throws -> CLIRunner.Output {
        let executable = try program ?? RecordPrograms.dynamic.get()
        return try CLIRunner.run(["record", "--workers", "2", "--out", RecordPrograms.path(trace), "--", executable,
                                  scenario])
    }

    /// Whether `states` is a life the model allows: ready before each running, a wait only after running.
    private func isLifecycle(_ states: [String]) -> Bool {
        var previous = "created"
        for state in states {
            switch state {
            case "ready": if previous == "ready" { return false }
            case "running": if previous != "ready" { return false }
            default: if !state.hasPrefix("waiting (") || previous != "running" { return false }
            }
            previous = state
        }
        return previous == "running"
    }

    private func args(_ span: [String: Any]) -> [String: Any] { span["args"] as? [String: Any] ?? [:] }

    @Test("a task group of 100 children that sleep and yield: every child, its parent, timer and yield waits")
    func taskGroup() throws {
        let output = try record("group", trace: "group.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "group done\n")
        #expect(output.stderr.contains("record "), "the summary line is on stderr")
        #expect(output.stderr.contains("101 task(s) seen"))
        let trace = try TraceFile(path: RecordPrograms.path("group.json"))
        #expect(trace.isComplete)
        let children = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("child ") == true }
        #expect(children.count == 100)
        let parents = Set(children.values.compactMap { args($0)["parent"] as? Int })
        #expect(parents.count == 1)
        let root = try #require(parents.first)
        var yields = 0
        for (id, span) in children {
            let states = trace.states(of: id)
            #expect(isLifecycle(states), "child \(id): \(states)")
            #expect(Array(states.prefix(3)) == ["ready", "running", "waiting (timer)"], "child \(id): \(states)")
            #expect(Set(states.filter { $0.hasPrefix("waiting") }).isSubset(of: ["waiting (timer)", "waiting (yield)"]))
            if states.contains("waiting (yield)") { yields += 1 }
            #expect(args(span)["state"] as? String == "done")
            #expect(args(span)["end"] as? String == "inferred")
            #expect((span["name"] as? String) == "child \(id)", "a default name carries the runtime's task id")
        }
        #expect(yields > 0, "Task.yield() is recorded as a yield wait")
        #expect(trace.taskSpans[root]?["name"] as? String == "main", "the async main's task is named main")
        let rootStates = trace.states(of: root)
        #expect(rootStates.contains("waiting (child)"), "the root awaits its group: \(rootStates)")
        #expect(isLifecycle(rootStates))
        let stats = try #require(trace.named("conctrace.stats").last.map(args))
        #expect(stats["final"] as? Bool == true)
        #expect(stats["dropped"] as? Int == 0)
        let threads = Set(trace.named("thread_name").compactMap { args($0)["name"] as? String })
        #expect(threads.isSuperset(of: ["async 1", "async 2", "async timers"]))
    }

    @Test("async let: two children named `async let N`, the parent waits for them (child)")
    func asyncLet() throws {
        let output = try record("asynclet", trace: "asynclet.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "async let sum 3\n")
        let trace = try TraceFile(path: RecordPrograms.path("asynclet.json"))
        let children = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("async let ") == true }
        #expect(children.count == 2)
        let root = try #require(children.values.compactMap { args($0)["parent"] as? Int }.first)
        for (id, _) in children {
            #expect(trace.states(of: id) == ["ready", "running", "waiting (timer)", "ready", "running"])
        }
        #expect(trace.states(of: root).contains("waiting (child)"))
    }

    @Test("a detached task is named `detached N`, with the task that made it as its parent")
    func detached() throws {
        let output = try record("detached", trace: "detached.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "detached 3\n")
        let trace = try TraceFile(path: RecordPrograms.path("detached.json"))
        let detached = try #require(trace.taskSpans.first { ($0.value["name"] as? String)?.hasPrefix("detached ") == true })
        #expect(args(detached.value)["parent"] as? Int != 0)
        #expect(isLifecycle(trace.states(of: detached.key)))
    }

    @Test("a continuation resumed from a plain thread: the wait is unknown, the ready is on that thread's track")
    func continuation() throws {
        let output = try record("continuation", trace: "continuation.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "continuation 42\n")
        let trace = try TraceFile(path: RecordPrograms.path("continuation.json"))
        // The thread that resumed the waiter recorded its ready: the trace names that thread.
        #expect(trace.named("thread_name").contains { (args($0)["name"] as? String)?.hasPrefix("resumer (tid ") == true })
        let task = try #require(trace.taskSpans.first { $0.value["name"] as? String == "waiter" }?.key)
        let states = trace.states(of: task)
        #expect(states.contains("waiting (unknown)"), "nothing says why a continuation waits: \(states)")
        #expect(isLifecycle(states))
    }

    @Test("an actor called from 20 tasks: every task seen and ended, the program's result unchanged")
    func actor() throws {
        let output = try record("actor", trace: "actor.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "actor 1000\n")
        let trace = try TraceFile(path: RecordPrograms.path("actor.json"))
        let children = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("child ") == true }
        #expect(children.count == 20)
        for (id, span) in children {
            #expect(isLifecycle(trace.states(of: id)))
            #expect(args(span)["end"] as? String == "inferred")
        }
    }

    /// Guards the fix of a task that slept while running inside a busy actor's job (where no slice is recorded):
    /// its sleep was taken for its next slice's wait, so its last slice looked like a timer wait and it never ended.
    @Test("tasks whose last part runs after a busy actor all end, with no wait their slices did not announce")
    func actorTail() throws {
        let output = try record("actortail", trace: "actortail.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "actor tail 400\n")
        let trace = try TraceFile(path: RecordPrograms.path("actortail.json"))
        let children = trace.taskSpans.filter { ($0.value["name"] as? String)?.hasPrefix("child ") == true }
        #expect(children.count == 20, "every child ended")
        for (id, _) in children {
            let states = trace.states(of: id)
            #expect(isLifecycle(states), "child \(id): \(states)")
            #expect(states.last == "running", "child \(id): \(states)")
        }
    }

    @Test("named tasks keep their names: Task(name:), Task.detached(name:), addTask(name:)")
    func named() throws {
        let output = try record("named", trace: "named.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "named 3\n")
        let trace = try TraceFile(path: RecordPrograms.path("named.json"))
        let names = Set(trace.taskSpans.values.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: ["alpha", "beta", "gamma"]), "names: \(names)")
        #expect(names.contains { $0.hasPrefix("child ") }, "an unnamed group child keeps the default name")
    }

    @Test("the main actor's jobs are recorded on the thread that runs the main queue")
    func mainActor() throws {
        let output = try record("mainactor", trace: "mainactor.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "main actor 5\n")
        let trace = try TraceFile(path: RecordPrograms.path("mainactor.json"))
        let poolThreads = Set(trace.named("thread_name").filter {
            (args($0)["name"] as? String)?.hasPrefix("async") == true
        }.compactMap { $0["tid"] as? Int })
        let slices = trace.events.filter { $0["ph"] as? String == "X" }
        // The @MainActor task (the root's child): slices on the thread that runs the main queue, off the pool.
        let child = try #require(trace.taskSpans.first { args($0.value)["parent"] as? Int != 0 })
        let offPool = slices.filter { args($0)["task"] as? Int == child.key && !poolThreads.contains($0["tid"] as? Int ?? 0) }
        #expect(!offPool.isEmpty, "the main actor's slices are recorded")
        let states = trace.states(of: child.key)
        #expect(isLifecycle(states))
        #expect(states.contains("waiting (yield)"), "its yield is seen: \(states)")
    }

    @Test("a task on an executor of the program's own is not seen; one on the global executor is")
    func ownExecutor() throws {
        let output = try record("custom", trace: "custom.json")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        #expect(output.stdout == "custom 10\n")
        let trace = try TraceFile(path: RecordPrograms.path("custom.json"))
        let names = Set(trace.events.compactMap { $0["name"] as? String })
        #expect(names.contains("on the global executor"))
        #expect(!names.contains("on its own executor"))
    }

    @Test("a program that calls exit(7): record exits 7, the trace is complete; --format json says so on stderr")
    func exitStatus() throws {
        let output = try record("exit", trace: "exit.json")
        #expect(output.status == 7)
        #expect(output.stdout == "exiting 7\n")
        #expect(output.stderr.contains("exit 7"))
        let json = try CLIRunner.run(["record", "--format", "json", "--out", RecordPrograms.path("exit-json.json"),
                                      "--", try RecordPrograms.dynamic.get(), "exit"])
        #expect(json.status == 7)
        let line = try #require(json.stderr.split(separator: "\n").last.map(String.init))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["exit_status"] as? Int == 7)
        #expect(object["traced"] as? Bool == true && object["complete"] as? Bool == true)
        #expect(object["tasks"] as? Int == 5)
        let trace = try TraceFile(path: RecordPrograms.path("exit.json"))
        #expect(trace.isComplete)
        #expect(trace.taskSpans.values.filter { ($0["name"] as? String)?.hasPrefix("child ") == true }.count == 4)
    }

    @Test("a program that crashes: record exits 128+N and says so; the trace holds what was recorded up to the crash")
    func crash() throws {
        let output = try record("crash", trace: "crash.json")
        #expect(output.status > 128, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("ended by signal \(output.status - 128)"))
        #expect(output.stderr.contains("cut short"))
        let trace = try TraceFile(path: RecordPrograms.path("crash.json"))
        #expect(trace.named("conctrace.run").count == 1)
        let stats = try #require(trace.named("conctrace.stats").last.map(args))
        #expect(stats["final"] as? Bool == false, "the program never finished its recording")
        let slices = trace.events.filter { $0["ph"] as? String == "X" && ($0["name"] as? String)?.hasPrefix("child ") == true }
        #expect(slices.count >= 4, "the children's slices before the crash are there")
    }

    @Test("SIGINT or SIGTERM sent to record mid-run: forwarded, the recording finished first, 128+N, said on stderr",
          arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) throws {
        let program = try RecordPrograms.dynamic.get()
        let trace = RecordPrograms.path("ticker-\(signal).json")
        let running = try CLIRunner.Running(["record", "--out", trace, "--", program, "ticker"])
        #expect(running.waitForLine(containing: "ready") != nil, "the program never said it was ready")
        kill(running.pid, signal)
        let output = running.finish()
        #expect(output.status == 128 + signal)
        #expect(output.stderr.contains("signal \(signal)"))
        let file = try TraceFile(path: trace)
        #expect(file.isComplete)
        #expect(file.named("conctrace.stats").last.map(args)?["final"] as? Bool == true,
                "the tracer finished its recording before the program died")
        let tickerTask = file.events.first { $0["ph"] as? String == "X" && $0["name"] as? String == "ticker" }
        let id = try #require(tickerTask.map(args)?["task"] as? Int)
        #expect(file.states(of: id).contains("waiting (timer)"))
    }

    @Test("stdin, stdout and stderr pass through byte for byte; the summary is the last line on stderr")
    func passthrough() throws {
        let program = try RecordPrograms.dynamic.get()
        func run(_ arguments: [String], executable: String) throws -> (Data, Data, Int32) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data("hello, tracer\n".utf8))
            try input.fileHandleForWriting.close()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (out, err, process.terminationStatus)
        }
        let plain = try run(["output"], executable: program)
        let recorded = try run(["record", "--out", RecordPrograms.path("output.json"), "--", program, "output"],
                               executable: CLIRunner.binary.path)
        #expect(plain.2 == 0 && recorded.2 == 0)
        #expect(recorded.0 == plain.0, "stdout is the program's, byte for byte")
        #expect(plain.0.count == 256 + "\nread 13 bytes\n".utf8.count)
        #expect(recorded.1.starts(with: plain.1), "the program's stderr comes first, untouched")
        let tail = String(decoding: recorded.1.dropFirst(plain.1.count), as: UTF8.self)
        #expect(tail.hasPrefix("conctrace: record ") && tail.split(separator: "\n").count == 1)
    }

    @Test("a non-Swift program and a static Swift program run; record says there was nothing to trace")
    func nothingToTrace() throws {
        let shell = try CLIRunner.run(["record", "--out", RecordPrograms.path("shell.json"), "--", "/bin/sh", "-c",
                                       "printf 'a\\000b\\n'; echo err >&2; exit 3"])
        #expect(shell.status == 3)
        #expect(shell.stdout == "a\u{0}b\n")
        #expect(shell.stderr.hasPrefix("err\n"))
        #expect(shell.stderr.contains("nothing to trace"))
        #expect(!FileManager.default.fileExists(atPath: RecordPrograms.path("shell.json")), "no empty trace is left")

        // A shell that runs the Swift program twice: only PROGRAM (the shell) is traced, not what it starts.
        let program = try RecordPrograms.dynamic.get()
        let children = try CLIRunner.run(["record", "--out", RecordPrograms.path("children.json"), "--", "/bin/sh",
                                          "-c", "\(program) detached && \(program) detached"])
        #expect(children.status == 0)
        #expect(children.stdout == "detached 3\ndetached 3\n")
        #expect(children.stderr.contains("nothing to trace"))

        let statical = try record("detached", trace: "static.json", program: try RecordPrograms.statical.get())
        #expect(statical.status == 0)
        #expect(statical.stdout == "detached 3\n")
        #expect(statical.stderr.contains("nothing to trace"))
    }

    @Test("a missing program exits 66; a missing tracing library exits 71 and says how to build it")
    func missing() throws {
        let absent = try CLIRunner.run(["record", "--", "/no/such/program"])
        #expect(absent.status == 66)
        #expect(absent.stderr == "conctrace: error: cannot run /no/such/program: no such file\n")
        let notInPath = try CLIRunner.run(["record", "--", "no-such-program-anywhere"])
        #expect(notInPath.status == 66)
        let usage = try CLIRunner.run(["record"])
        #expect(usage.status == 64)

        // The binary alone, without its libraries beside it.
        let folder = try CLIRunner.makeFolder()
        let lonely = folder.appendingPathComponent("conctrace")
        try FileManager.default.copyItem(at: CLIRunner.binary, to: lonely)
        let process = Process()
        process.executableURL = lonely
        process.arguments = ["record", "--", "/bin/true"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 71)
        #expect(message.contains("libConcTracePreload.so is missing"))
        #expect(message.contains("swift build --product ConcTracePreload"))
        #expect(message.split(separator: "\n").count == 1)
    }

    @Test("analyze, compare and report read a recorded trace as they read run's")
    func analyzable() throws {
        let output = try record("group", trace: "group-analyze.json")
        #expect(output.status == 0)
        let analysis = try CLIRunner.run(["analyze", RecordPrograms.path("group-analyze.json"), "--format", "json"])
        #expect(analysis.status == 0, "stderr: \(analysis.stderr)")
        #expect(analysis.stdout.contains("\"recorded\""))
        let json = try #require(analysis.json)
        let tasks = json["tasks"] as? [String: Any]
        #expect((tasks?["done"] as? Int ?? 0) >= 100, "tasks: \(String(describing: tasks))")
        // compare and report take it as they take run's traces.
        let other = try record("asynclet", trace: "asynclet-compare.json")
        #expect(other.status == 0)
        let comparison = try CLIRunner.run(["compare", RecordPrograms.path("group-analyze.json"),
                                            RecordPrograms.path("asynclet-compare.json")])
        #expect(comparison.status == 0, "stderr: \(comparison.stderr)")
        #expect(comparison.stdout.contains("group-analyze.json") && comparison.stdout.contains("asynclet-compare.json"))
        let report = try CLIRunner.run(["report", RecordPrograms.path("group-analyze.json"), "--out",
                                        RecordPrograms.path("group-report.html")])
        #expect(report.status == 0, "stderr: \(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: RecordPrograms.path("group-report.html")))
    }

    @Test("recorded traces load in Perfetto UI (where the checking tool is installed)",
          arguments: ["group", "mainactor", "continuation"])
    func perfetto(scenario: String) throws {
        guard PerfettoCheck.isAvailable else {
            print("note: \(PerfettoCheck.tool) is not installed here; the Perfetto check is skipped")
            return
        }
        let trace = "perfetto-\(scenario).json"
        let output = try record(scenario, trace: trace)
        #expect(output.status == 0)
        let verdict = try PerfettoCheck.run(RecordPrograms.path(trace))
        #expect(verdict.status == 0 && verdict.output.hasPrefix("OK"), "Perfetto: \(verdict.output)")
    }
}
