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
    /// Removed when the test process exits.
    static func makeFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conctrace-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        TestFolders.add(url)
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

    /// A started binary whose stderr is read as it comes, so a test can wait for a line before it acts.
    final class Running: @unchecked Sendable {
        let process: Process
        private let out = Pipe()
        private let lock = NSLock()
        private var stderrBytes = Data()
        private var stderrDone = false
        private var stdoutBytes = Data()
        private let reader = DispatchGroup()

        init(_ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil) throws {
            process = Process()
            process.executableURL = CLIRunner.binary
            process.arguments = arguments
            if let folder { process.currentDirectoryURL = folder }
            if let environment { process.environment = environment }
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let errHandle = err.fileHandleForReading
            let outHandle = out.fileHandleForReading
            DispatchQueue.global().async(group: reader) { [self] in
                while true {
                    let chunk = errHandle.availableData
                    lock.lock()
                    if chunk.isEmpty { stderrDone = true } else { stderrBytes += chunk }
                    lock.unlock()
                    if chunk.isEmpty { return }
                }
            }
            DispatchQueue.global().async(group: reader) { [self] in
                let all = outHandle.readDataToEndOfFile()
                lock.lock()
                stdoutBytes = all
                lock.unlock()
            }
        }

        var pid: Int32 { process.processIdentifier }

        /// The lines written to stderr so far.
        var stderrLines: [String] {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: stderrBytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        /// Waits (at most `seconds`) until a stderr line satisfies `condition`, and returns the lines then; nil if
        /// the process ended or the time ran out first.
        @discardableResult
        func waitForStderr(seconds: Double = 60, _ condition: ([String]) -> Bool) -> [String]? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let lines = stderrLines
                if condition(lines) { return lines }
                lock.lock()
                let done = stderrDone
                lock.unlock()
                if done { return nil }
                usleep(5_000)
            }
            return nil
        }

        /// Waits for a stderr line that contains `text`.
        @discardableResult
        func waitForLine(containing text: String, seconds: Double = 60) -> [String]? {
            waitForStderr(seconds: seconds) { $0.contains { $0.contains(text) } }
        }

        /// Waits for the process's end and returns everything it printed.
        func finish() -> Output {
            process.waitUntilExit()
            reader.wait()
            lock.lock()
            defer { lock.unlock() }
            return Output(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                          stdout: String(decoding: stdoutBytes, as: UTF8.self),
                          stderr: String(decoding: stderrBytes, as: UTF8.self))
        }
    }

    /// Starts the binary, waits until it says on stderr (`--verbose`) a line containing `ready`, sends it `signal`,
    /// and waits for its end. Fails the test if the line never comes.
    static func run(_ arguments: [String], signal: Int32, whenStderrContains ready: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Output {
        let running = try Running(arguments)
        let seen = running.waitForLine(containing: ready)
        #expect(seen != nil, "never said '\(ready)'", sourceLocation: sourceLocation)
        kill(running.pid, signal)
        return running.finish()
    }

    /// Runs the binary to its end.
    static func run(_ arguments: [String], in folder: URL? = nil) throws -> Output {
        finish(try start(arguments, in: folder))
    }
}

/// The folders the end-to-end tests made: removed at the test process's exit (a test may still hand its folder to
/// a failure message until then).
enum TestFolders {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var folders: [URL] = []
    private static let removal: Void = { atexit { TestFolders.removeAll() } }()

    static func add(_ folder: URL) {
        _ = removal
        lock.lock()
        folders.append(folder)
        lock.unlock()
    }

    private static func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
        folders.removeAll()
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
