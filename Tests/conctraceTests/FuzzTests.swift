import Foundation
import Testing

/// A short seeded run of `tools/fuzz` against the built binary: mutated traces and sweep files through `analyze`,
/// `compare` and `report`, none of which may crash (a signal, an undocumented exit code, an error without its
/// one-line message, a control character on the terminal) or hang. Issue 14's fuzz harness; the long run's figures
/// are in BENCHMARKS.md.
@Suite("Fuzz: a short seeded run", .serialized)
struct FuzzTests {
    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("250 seeded cases across analyze, compare and report: no crash, no hang")
    func shortRun() throws {
        let findings = try CLIRunner.makeFolder()
        defer { try? FileManager.default.removeItem(at: findings) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The time limit bounds the run on a loaded machine (then fewer of the same cases run: about 20 s for all
        // 250 on an idle 2-core machine with a debug build).
        process.arguments = ["python3", Self.root.appendingPathComponent("tools/fuzz").path, "--cases", "250",
                             "--seed", "14", "--time-limit", "30", "--timeout", "10", "--bin", CLIRunner.binary.path,
                             "--findings", findings.path, "--json", "--quiet"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                                   "\(String(decoding: data, as: UTF8.self))")
        let failures = summary["failures"] as? [String: Int] ?? [:]
        #expect(summary["crashes"] as? Int == 0, "\(failures)")
        #expect(summary["hangs"] as? Int == 0, "\(failures)")
        let cases = try #require(summary["cases"] as? Int)
        #expect(cases > 0)
        #expect((summary["clean_exits"] as? Int ?? 0) + (summary["clean_errors"] as? Int ?? 0) == cases)
        let perCommand = try #require(summary["per_command"] as? [String: [String: Int]])
        #expect(Set(perCommand.keys) == ["analyze", "compare", "report"])
        #expect(process.terminationStatus == 0)
    }
}
