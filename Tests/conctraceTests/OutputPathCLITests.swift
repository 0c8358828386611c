import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Output paths and output errors, through the built binary (issue 14 items 6, 13 and 14).
@Suite("output paths and write errors, end to end", .serialized)
struct OutputPathCLITests {
    /// A small finished trace to report on and analyze.
    static func trace(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("t.json").path
        let run = try CLIRunner.run(["run", "--workload", "sleep", "--tasks", "3", "--sleep-ms", "1", "--out", path])
        try #require(run.status == 0, "\(run.stderr)")
        return path
    }

    @Test("report and sweep --out never write through a planted link, nor replace one: 73, the victim intact")
    func plantedLink() throws {
        let folder = try CLIRunner.makeFolder()
        let trace = try Self.trace(in: folder)
        let victim = folder.appendingPathComponent("victim.txt").path
        try "keep me".write(toFile: victim, atomically: false, encoding: .utf8)
        for (name, command) in [("r.html", ["report", trace]),
                                ("s.json", ["sweep", "--tasks", "2", "--strategies", "sequential"])] {
            let out = folder.appendingPathComponent(name).path
            try FileManager.default.createSymbolicLink(atPath: out, withDestinationPath: victim)
            // The old predictable temporary name, planted too.
            try FileManager.default.createSymbolicLink(atPath: out + ".tmp", withDestinationPath: victim)
            let result = try CLIRunner.run(command + ["--out", out], in: folder)
            #expect(result.status == 73, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("symbolic link"), "\(result.stderr)")
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me")
            let type = try FileManager.default.attributesOfItem(atPath: out)[.type] as? FileAttributeType
            #expect(type == .typeSymbolicLink)
        }
    }

    @Test("report --out a folder is 73 (it was 74); --out /dev/full is 74 (it was 0), and /dev/null stays a device")
    func devicesAndFolders() throws {
        let folder = try CLIRunner.makeFolder()
        let trace = try Self.trace(in: folder)
        let toFolder = try CLIRunner.run(["report", trace, "--out", folder.path])
        #expect(toFolder.status == 73, "\(toFolder.stderr)")
        let full = try CLIRunner.run(["report", trace, "--out", "/dev/full"])
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device"))
        let null = try CLIRunner.run(["report", trace, "--out", "/dev/null"])
        #expect(null.status == 0, "\(null.stderr)")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test("a full stdout ends analyze, compare and run --format json with 74 and one line (they exited 0)")
    func fullStandardOutput() throws {
        let folder = try CLIRunner.makeFolder()
        let trace = try Self.trace(in: folder)
        let binary = CLIRunner.binary.path
        for command in ["analyze '\(trace)'", "compare '\(trace)' '\(trace)'",
                        "run --workload sleep --tasks 2 --sleep-ms 1 --no-trace --format json"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec '\(binary)' \(command) > /dev/full"]
            let err = Pipe()
            process.standardError = err
            try process.run()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 74, "\(command): \(stderr)")
            #expect(stderr.contains("writing standard output failed") && stderr.split(separator: "\n").count == 1)
        }
    }
}
