// A plain Swift program to try `conctrace record` on: it knows nothing of conctrace.
//
//   swiftc -O Examples/RecordMe/main.swift -o record-me
//   conctrace record -- ./record-me demo       # then: conctrace analyze traces/record-record-me.json
//
// Modes:
//   demo    a small service: named fetches in a task group that sleep, update an actor and yield, a continuation
//           resumed from a plain thread, and the main actor (this file's top-level code runs on it)
//   sleep   10,000 tasks that each sleep 1 ms twice (the record benchmark's sleep-heavy program)
//   switch  two tasks that each yield 500,000 times: 1,000,000 switches (the switch-heavy program)
// Each mode prints, on stdout, its own time from its first task's start to its last task's end, and the process's
// peak resident memory.
import Glibc
import Synchronization

/// The span of the measured tasks: from the first start to the last end.
final class Span: Sendable {
    private let first = Atomic<UInt64>(.max)
    private let last = Atomic<UInt64>(0)

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    func started() {
        let now = Span.now()
        var current = first.load(ordering: .relaxed)
        while now < current {
            let (exchanged, original) = first.compareExchange(expected: current, desired: now, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }
    func ended() { last.max(Span.now(), ordering: .relaxed) }
    var seconds: Double { Double(last.load(ordering: .relaxed) &- first.load(ordering: .relaxed)) / 1e9 }
}

/// This process's peak resident memory (VmHWM), in KiB.
func peakKiB() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") { return Int(text.dropFirst(6).filter(\.isNumber)) ?? 0 }
    }
    return 0
}

actor Ledger {
    private(set) var total = 0
    func add(_ amount: Int) { total += amount }
}

final class Box: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `body` on a new plain OS thread.
func onThread(_ body: @escaping () -> Void) {
    var thread = pthread_t()
    pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(Box(body)).toOpaque())
    pthread_detach(thread)
}

let span = Span()
let mode = CommandLine.arguments.dropFirst().first ?? "demo"
switch mode {
case "sleep":
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<10_000 {
            group.addTask {
                span.started()
                try? await Task.sleep(for: .milliseconds(1))
                try? await Task.sleep(for: .milliseconds(1))
                span.ended()
            }
        }
    }
case "switch":
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<2 {
            group.addTask {
                span.started()
                for _ in 0..<500_000 { await Task.yield() }
                span.ended()
            }
        }
    }
default:
    let ledger = Ledger()
    await withTaskGroup(of: Void.self) { group in
        for index in 0..<12 {
            group.addTask(name: "fetch \(index)") {
                span.started()
                try? await Task.sleep(for: .milliseconds(2 + index % 4))
                await ledger.add(index)
                await Task.yield()
                span.ended()
            }
        }
    }
    let reply: Int = await withCheckedContinuation { continuation in
        onThread {
            usleep(3_000)
            continuation.resume(returning: 42)
        }
    }
    await Task.detached(name: "report") { print("ledger \(await ledger.total), reply \(reply)") }.value
}
print("\(mode): \(String(format: span.seconds)) s from the first task to the last; peak \(peakKiB()) KiB")

/// Six decimals, without Foundation.
func String(format seconds: Double) -> String {
    let micros = Int((seconds * 1e6).rounded())
    let fraction = String(micros % 1_000_000)
    return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
}
