import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Small Swift programs that `conctrace record` is tried on: one program with a scenario per argument, compiled once
/// per test process (dynamically, and statically), in a shared temporary folder.
enum RecordPrograms {
    /// The scenarios' source: each prints one line on stdout so that its output can be compared byte for byte.
    static let source = #"""
    import Glibc

    actor Counter {
        var value = 0
        func bump() { value += 1 }
    }

    final class Resumer: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a new plain thread named "resumer".
    func onThread(_ body: @escaping () -> Void) {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Resumer(body)).toOpaque()
        pthread_create(&thread, nil, { raw in
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            _ = write(fd, "resumer", 7)
            close(fd)
            Unmanaged<Resumer>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box)
        pthread_detach(thread)
    }

    /// An executor of the program's own: one thread of its own, nothing of conctrace's.
    final class OwnExecutor: TaskExecutor, @unchecked Sendable {
        private var jobs: [UnownedJob] = []
        private var mutex = pthread_mutex_t()
        private var ready = pthread_cond_t()

        init() {
            pthread_mutex_init(&mutex, nil)
            pthread_cond_init(&ready, nil)
            onThread { [self] in
                while true {
                    pthread_mutex_lock(&mutex)
                    while jobs.isEmpty { pthread_cond_wait(&ready, &mutex) }
                    let job = jobs.removeFirst()
                    pthread_mutex_unlock(&mutex)
                    job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
        }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            pthread_mutex_lock(&mutex)
            jobs.append(job)
            pthread_mutex_unlock(&mutex)
            pthread_cond_signal(&ready)
        }
    }

    func slowValue(_ value: Int) async -> Int {
        try? await Task.sleep(for: .milliseconds(3))
        return value
    }

    @main struct Scenarios {
        static func main() async {
            switch CommandLine.arguments.dropFirst().first ?? "" {
            case "group":
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<100 {
                        group.addTask {
                            try? await Task.sleep(for: .milliseconds(2))
                            await Task.yield()
                        }
                    }
                }
                print("group done")
            case "asynclet":
                async let first = slowValue(1)
                async let second = slowValue(2)
                let sum = await first + second
                print("async let sum \(sum)")
            case "detached":
                let task = Task.detached { () async -> Int in
                    await Task.yield()
                    return 3
                }
                print("detached \(await task.value)")
            case "continuation":
                let waiter = Task.detached(name: "waiter") { () async -> Int in
                    await withCheckedContinuation { continuation in
                        onThread {
                            usleep(20_000)
                            continuation.resume(returning: 42)
                        }
                    }
                }
                print("continuation \(await waiter.value)")
            case "actor":
                let counter = Counter()
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 {
                        group.addTask { for _ in 0..<50 { await counter.bump() } }
                    }
                }
                print("actor \(await counter.value)")
            case "actortail":
                // Each task's last part (a sleep) runs where the runtime continues it after a busy actor.
                let counter = Counter()
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            for _ in 0..<20 { await counter.bump() }
                            try? await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
                print("actor tail \(await counter.value)")
            case "named":
                let alpha = Task(name: "alpha") { 1 }
                let beta = Task.detached(name: "beta") { 2 }
                let sum = await alpha.value + beta.value
                await withTaskGroup(of: Void.self) { group in
                    group.addTask(name: "gamma") {}
                    group.addTask {}
                }
                print("named \(sum)")
            case "mainactor":
                let task = Task { @MainActor () async -> Int in
                    await Task.yield()
                    return 5
                }
                let value = await task.value
                print("main actor \(value)")
            case "exit":
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 { group.addTask { try? await Task.sleep(for: .milliseconds(2)) } }
                }
                print("exiting 7")
                exit(7)
            case "ticker":
                let ticker = Task.detached(name: "ticker") {
                    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                }
                try? await Task.sleep(for: .milliseconds(30))
                fputs("ready\n", stderr)
                try? await Task.sleep(for: .seconds(60))
                ticker.cancel()
            case "custom":
                let own = OwnExecutor()
                let task = Task(name: "on its own executor", executorPreference: own) { () async -> Int in
                    await Task.yield()
                    return 9
                }
                let seen = Task(name: "on the global executor") { () async -> Int in 1 }
                print("custom \(await task.value + seen.value)")
            case "crash":
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<4 {
                        group.addTask {
                            try? await Task.sleep(for: .milliseconds(20))
                            if index == 3 { fatalError("the crash scenario") }
                        }
                    }
                }
            case "output":
                let line = readLine() ?? ""
                var bytes = [UInt8](0...255)
                _ = write(1, &bytes, bytes.count)
                print("\nread \(line.count) bytes")
                fputs("to stderr\n", stderr)
                await withTaskGroup(of: Void.self) { group in group.addTask { await Task.yield() } }
            default:
                print("unknown scenario")
                exit(2)
            }
        }
    }
    """#

    /// The shared folder of the compiled programs and their traces.
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ct-record-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The scenarios, linked as Swift programs usually are (the Swift runtime as shared libraries).
    static let dynamic: Result<String, CompileError> = compile(name: "scenarios", options: [])

    /// The same, statically linked: LD_PRELOAD has no effect on it.
    static let statical: Result<String, CompileError> = compile(name: "scenarios-static",
                                                                options: ["-static-executable"])

    /// Why a program could not be built.
    struct CompileError: Error, CustomStringConvertible {
        var description: String
    }

    private static func compile(name: String, options: [String]) -> Result<String, CompileError> {
        let sourcePath = folder.appendingPathComponent("scenarios.swift").path
        if !FileManager.default.fileExists(atPath: sourcePath) {
            _ = FileManager.default.createFile(atPath: sourcePath, contents: Data(source.utf8))
        }
        let output = folder.appendingPathComponent(name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-O", "-parse-as-library", sourcePath, "-o", output] + options
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(CompileError(description: "cannot start swiftc: \(error)"))
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(CompileError(description: "swiftc failed: \(message)"))
        }
        return .success(output)
    }

    /// A path in the shared folder.
    static func path(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }
}

/// Loads a trace in the real Perfetto UI, where the checking tool exists (`/work/shared/tools/perfetto/check`).
enum PerfettoCheck {
    static let tool = "/work/shared/tools/perfetto/check"

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: tool) }

    /// The tool's verdict: its status and its one line (`OK`, or Perfetto's error).
    static func run(_ trace: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [trace, "--strict"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
