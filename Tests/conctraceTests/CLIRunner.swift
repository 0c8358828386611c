import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Runs the built `conctrace` binary, as a user would.
struct CLIRunner {
    struct Output {
        var status: Int32
        var signaled: Bool
        var stdout: String
        var stderr: String

        /// Standard output parsed as one JSON object (`--format json`), or nil if it is not one.
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any]
        }
    }

    /// The binary `swift test` built next to this test bundle.
    static let binary: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("conctrace")
    }()

    /// A fresh folder for one test's files.
    static func makeFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conctrace-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts the binary; the caller waits (or signals it first).
    static func start(_ arguments: [String], in folder: URL? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func finish(_ started: (Process, Pipe, Pipe)) -> Output {
        let (process, out, err) = started
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts the binary, sends it `signal` after `delay` microseconds, and waits for its end.
    static func run(_ arguments: [String], signal: Int32, after delay: UInt32) throws -> Output {
        let started = try start(arguments)
        usleep(delay)
        kill(started.0.processIdentifier, signal)
        return finish(started)
    }

    /// Runs the binary to its end.
    static func run(_ arguments: [String], in folder: URL? = nil) throws -> Output {
        finish(try start(arguments, in: folder))
    }
}

/// A trace file read as a user's tools would: strict JSON when complete, line by line when cut short.
struct TraceFile {
    let events: [[String: Any]]
    let isComplete: Bool

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if let all = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
            events = all
            isComplete = true
            return
        }
        // Cut short: the Array form, one event per line; keep every complete line.
        var parsed: [[String: Any]] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            var body = Substring(line)
            if body.hasSuffix(",") { body = body.dropLast() }
            if let event = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] {
                parsed.append(event)
            }
        }
        events = parsed
        isComplete = false
    }

    func named(_ name: String) -> [[String: Any]] { events.filter { $0["name"] as? String == name } }

    /// The outer span of each task (its whole life), by task id.
    var taskSpans: [Int: [String: Any]] {
        var spans: [Int: [String: Any]] = [:]
        for event in events where event["ph"] as? String == "b" {
            if let args = event["args"] as? [String: Any], let task = args["task"] as? Int { spans[task] = event }
        }
        return spans
    }

    /// The state spans (ready, running, waiting ...) of a task, in time order.
    func states(of task: Int) -> [String] {
        events.filter {
            $0["ph"] as? String == "b" && ($0["id2"] as? [String: Any])?["local"] as? Int == task
                && ($0["args"] as? [String: Any])?["task"] == nil
        }
        .sorted { ($0["ts"] as! NSNumber).doubleValue < ($1["ts"] as! NSNumber).doubleValue }
        .map { $0["name"] as! String }
    }
}
