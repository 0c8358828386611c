// A small "service" that records its own tasks with conctrace's library API: the global executor (a task group of
// named fetches that sleep), an event loop (a few tasks sharing one thread, like asyncio), and work on a plain
// thread (a blocking read, announced). The trace goes to the path given (default traces/service.json).
import ConcTraceSession

#if canImport(Glibc)
import Glibc
#endif

/// Stands in for a request to a slow service.
func fetch(_ index: Int) async -> Int {
    try? await Task.sleep(for: .milliseconds(5 + index % 3))
    await Task.yield()
    return index * index
}

let path = CommandLine.arguments.dropFirst().first ?? "traces/service.json"
let session = try TraceSession.start(writingTo: path)
// From here on, every task on Swift's global executor runs on conctrace's pool, and is recorded.
try session.installGlobalExecutor(workers: 2)

let total = await withTaskGroup(of: Int.self) { group in
    for index in 0..<8 {
        group.addTask(name: "fetch \(index)") { await fetch(index) }
    }
    var sum = 0
    for await square in group { sum += square }
    return sum
}

// Part of the program on an event loop: one thread, tasks switching where they wait (a sleep), or letting the
// others run first (the loop's yield, like asyncio's `sleep(0)`).
let loop = try session.makeEventLoop(name: "loop")
let ticks = (0..<3).map { index in
    Task(name: "tick \(index)", executorPreference: loop) {
        for _ in 0..<3 {
            try? await Task.sleep(for: .milliseconds(2))
            await loop.yield()
        }
    }
}
for tick in ticks { await tick.value }
loop.stop()

// Work on a plain thread, as code built on threads or DispatchQueue does.
let bytes = session.recordThreadWork(name: "read config") { task in
    task.wait(.io) { usleep(3_000) }
    return 512
}

let summary = try session.finish()
print("total \(total), \(bytes) bytes; trace \(summary.path): \(summary.tasks) tasks, \(summary.events) events, " +
      "\(summary.dropped) dropped")
