// N tasks that each sleep once, on Swift's default global executor: a plain discarding task group, nothing
// recorded. The anchor for conctrace's eventloop and async strategies at a million tasks.
//
//   swiftc -O -parse-as-library tools/peers/sleep_taskgroup.swift -o sleep_taskgroup && ./sleep_taskgroup TASKS SLEEP_MS
//
// Prints one JSON line: {"peer": "swift-taskgroup", "tasks": N, "wall_s": S} (the clock around the group).
#if canImport(Glibc)
import Glibc
#endif

@main
struct SleepTaskGroup {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func main() async {
        let arguments = CommandLine.arguments
        let tasks = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
        let sleepMilliseconds = arguments.count > 2 ? Double(arguments[2]) ?? 10 : 10
        let nanoseconds = UInt64(sleepMilliseconds * 1_000_000)
        let start = now()
        await withDiscardingTaskGroup { group in
            for _ in 0..<tasks {
                group.addTask { try? await Task.sleep(nanoseconds: nanoseconds) }
            }
        }
        let wall = now() - start
        print("{\"peer\": \"swift-taskgroup\", \"tasks\": \(tasks), \"wall_s\": \(wall)}")
    }
}
