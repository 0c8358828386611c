import Foundation
import Testing

/// Runs under an address-space limit, end to end.
@Suite("conctrace under memory pressure", .serialized)
struct MemoryPressureCLITests {
    // Issue 14 item 11: with 1,000 async workers each lane reserved a 2^20-event ring (64-80 MB), and under
    // `ulimit -v 3000000` the run died with "Fatal error: failed to allocate 83886080 bytes" (exit 134) and a 612-byte
    // trace. Lanes now start at 4 KiB and grow within the recorder's budget, and a lane refused memory counts drops:
    // the run ends as the threads strategy does, 71 when the OS refuses a thread (or 0), with a whole trace.
    @Test("async with 1,000 workers under ulimit -v 3000000: a clean 71 (or success) and a trace that closes")
    func asyncUnderAddressSpaceLimit() throws {
        let folder = try CLIRunner.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("t.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 3000000 && exec \"$0\" \"$@\"", CLIRunner.binary.path, "run",
                             "--workload", "sleep", "--strategy", "async", "--tasks", "1000", "--workers", "1000",
                             "--out", trace]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "killed by a signal; stderr: \(stderr)")
        #expect([0, 71].contains(process.terminationStatus), "exit \(process.terminationStatus): \(stderr)")
        #expect(!stderr.contains("Fatal error"))
        if process.terminationStatus == 71 {
            #expect(stderr.split(separator: "\n").count == 1 && stderr.contains("could not start worker"))
        }
        // The trace is strict JSON and ends with the final statistics.
        let events = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as? [[String: Any]])
        let stats = try #require(events.last { $0["name"] as? String == "conctrace.stats" })
        #expect((stats["args"] as? [String: Any])?["final"] as? Bool == true)
    }
}
