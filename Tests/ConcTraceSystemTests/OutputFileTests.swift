import ConcTraceSystem
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder for one test's files.
func makeFolder() throws -> String {
    let path = NSTemporaryDirectory() + "conctrace-system-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func contents(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

@Suite("output files")
struct OutputFileTests {
    @Test("a new path and a regular file are written whole and replaced only when complete", arguments: [false, true])
    func replaceWhenComplete(exists: Bool) throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/report.html"
        if exists { try "old".write(toFile: path, atomically: false, encoding: .utf8) }
        let file = try OutputFile(path: path, mode: .replaceWhenComplete)
        try file.write("new ")
        // Until the commit a reader sees the old file (or none), never half the new one.
        #expect((try? contents(path)) == (exists ? "old" : nil))
        try file.write("page")
        try file.commit()
        #expect(try contents(path) == "new page")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.html"])
    }

    @Test("a failed write leaves the old file as it was and no temporary file behind")
    func failedReplace() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/results.json"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            let file = try OutputFile(path: path, mode: .replaceWhenComplete)
            file.byteLimit = 4
            try file.write("0123")
            #expect(throws: OutputError.self) { try file.write("4") }
        }
        #expect(try contents(path) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["results.json"])
    }

    @Test("a symbolic link is never written through nor replaced (issue 14: report --out over a planted link)",
          arguments: [OutputFile.Mode.replaceWhenComplete, .inPlace])
    func symlinkRefused(mode: OutputFile.Mode) throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let victim = folder + "/victim.txt"
        try "keep me".write(toFile: victim, atomically: false, encoding: .utf8)
        let path = folder + "/r.html"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        #expect {
            _ = try OutputFile(path: path, mode: mode)
        } throws: { error in
            guard case OutputError.refused(_, let reason) = error else { return false }
            return reason.contains("symbolic link")
        }
        #expect(try contents(victim) == "keep me")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
    }

    @Test("the temporary file's name is not predictable: a link planted at <out>.tmp is not followed (issue 14)")
    func plantedTemporaryLink() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let victim = folder + "/victim.txt"
        try "keep me".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/r.html.tmp", withDestinationPath: victim)
        try OutputFile.write("report", to: folder + "/r.html")
        #expect(try contents(victim) == "keep me")
        #expect(try contents(folder + "/r.html") == "report")
    }

    @Test("a folder is refused, never replaced (issue 14: report --out <folder> said 74, not 73)")
    func folderRefused() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            _ = try OutputFile(path: folder, mode: .replaceWhenComplete)
        } throws: { error in
            if case OutputError.refused = error { true } else { false }
        }
    }

    @Test("a character device is written through, not replaced: /dev/null takes it, /dev/full fails with ENOSPC")
    func characterDevices() throws {
        let null = try OutputFile(path: "/dev/null", mode: .replaceWhenComplete)
        try null.write("nothing")
        try null.commit()
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        let full = try OutputFile(path: "/dev/full", mode: .replaceWhenComplete)
        #expect {
            try full.write("x")
        } throws: { error in
            guard case OutputError.writeFailed(_, let os) = error else { return false }
            return os.errno == ENOSPC
        }
    }

    @Test("a FIFO that no process reads is refused at once instead of blocking forever")
    func fifoWithoutReader() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/fifo"
        #expect(mkfifo(path, 0o600) == 0)
        #expect {
            _ = try OutputFile(path: path, mode: .replaceWhenComplete)
        } throws: { error in
            guard case OutputError.refused(_, let reason) = error else { return false }
            return reason.contains("FIFO")
        }
    }

    @Test("in place: what is written is on disk at once, in the named file")
    func inPlace() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/trace.json"
        try "a much longer old content".write(toFile: path, atomically: false, encoding: .utf8)
        let file = try OutputFile(path: path, mode: .inPlace)
        try file.write("[\n")
        #expect(try contents(path) == "[\n")
        try file.commit()
    }
}

@Suite("file descriptors and temporary files")
struct FileDescriptorTests {
    @Test("writeAll then readFile gives the bytes back; a missing file names open and its errno")
    func roundTrip() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/bytes"
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let descriptor = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC)
        try descriptor.writeAll(bytes)
        try descriptor.close()
        #expect(try FileDescriptor.readFile(path) == bytes)
        #expect(throws: OSError(call: "read", errno: EFBIG)) { try FileDescriptor.readFile(path, limit: 1000) }
        #expect(throws: OSError(call: "open", errno: ENOENT)) { try FileDescriptor.readFile(folder + "/missing") }
    }

    @Test("an anonymous temporary file has no name in the folder and reads back what was written")
    func anonymous() throws {
        let file = try TemporaryFile.anonymous()
        try file.writeAll("worker log")
        // The descriptor itself says it has no name: no link (O_TMPFILE), or a name already unlinked. (Counting
        // the folder's entries instead raced with the other suites' temporary files.)
        var info = stat()
        #expect(fstat(file.rawValue, &info) == 0 && info.st_nlink == 0)
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(file.rawValue)")) ?? ""
        #expect(target.hasSuffix("(deleted)"), "\(target)")
        var bytes = [UInt8](repeating: 0, count: 10)
        #expect(bytes.withUnsafeMutableBytes { pread(file.rawValue, $0.baseAddress, 10, 0) } == 10)
        #expect(String(decoding: bytes, as: UTF8.self) == "worker log")
        try file.close()
    }

    @Test("a temporary folder is private and removed with what is in it")
    func folder() throws {
        let folder = try TemporaryFolder(prefix: "conctrace-test")
        var info = stat()
        #expect(stat(folder.path, &info) == 0 && info.st_mode & 0o777 == 0o700)
        try FileManager.default.createDirectory(atPath: folder.path + "/a/b", withIntermediateDirectories: true)
        try "x".write(toFile: folder.path + "/a/b/c", atomically: false, encoding: .utf8)
        folder.remove()
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test("thread usage counts voluntary switches when the thread blocks")
    func threadUsage() {
        let before = ThreadUsage.current()
        for _ in 0..<3 {
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
        #expect(ThreadUsage.current().voluntary >= before.voluntary + 3)
    }
}
