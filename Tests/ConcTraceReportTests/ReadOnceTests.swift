import ConcTraceAnalysis
import ConcTraceFormat
import Foundation
import Testing
@testable import ConcTraceReport

#if canImport(Glibc)
import Glibc
#endif

/// `report` reads each trace once, in one pass that feeds the analysis and the timeline, so a pipe works as a file
/// does. Guards issue 14 item 12: `report <(cat t.json)` said the trace was empty (the timeline read it a second
/// time), and a FIFO without a writer blocked forever.
@Suite("HTML report: each trace read once", .serialized)
struct ReadOnceTests {
    /// `text` written into a pipe by another thread; the path is the pipe's `/dev/fd/N`, as bash's `<(...)` gives.
    static func withPipe<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let bytes = Array(text.utf8)
        let writer = Thread {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(readEnd) }
        return try body("/dev/fd/\(readEnd)")
    }

    @Test("a trace from a pipe: the same analysis and timeline as from the file")
    func pipeLikeFile() throws {
        let text = HTMLReportTests.trace(tasks: 200, workers: 4)
        let file = try HTMLReport.trace(try HTMLReportTests.write(text))
        let piped = try Self.withPipe(text) { path in try HTMLReport.trace(path) }
        #expect(piped.analysis.values == file.analysis.values)
        let timeline = try #require(piped.timeline)
        #expect(timeline.rows.filter { $0.kind == .worker }.count == 4)
        #expect(timeline.rows.filter { $0.kind == .task }.count >= HTMLReport.sampleTasks)
        #expect(timeline.rectangleCount == file.timeline?.rectangleCount)
    }

    @Test("the timeline from one pass: every worker lane covered, the slowest task drawn with its states")
    func onePassTimeline() throws {
        // Worker 2 runs tasks back to back for the whole run: its lane is busy in every column.
        let run = try HTMLReport.trace(try HTMLReportTests.write(HTMLReportTests.trace(tasks: 400, workers: 1)))
        let timeline = try #require(run.timeline)
        let lane = try #require(timeline.rows.first { $0.kind == .worker })
        let busy = lane.columns.filter { $0.key != 0 }.count
        #expect(busy >= lane.columns.count - 2, "\(busy) of \(lane.columns.count)")
        let slowest = try #require(timeline.rows.first { $0.detail.hasPrefix("slowest") })
        #expect(slowest.columns.contains { $0.key == Timeline.TaskState.running.rawValue })
        #expect(slowest.columns.contains { $0.key == Timeline.TaskState.ready.rawValue })
    }

    @Test("a FIFO whose writer comes is read")
    func fifoWithWriter() throws {
        let path = NSTemporaryDirectory() + "conctrace-fifo-\(getpid())-\(UUID().uuidString)"
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let text = HTMLReportTests.trace(tasks: 10, workers: 2)
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
        }
        writer.start()
        let run = try HTMLReport.trace(path)
        #expect(run.analysis[.tasksDone] == 10)
    }

    @Test("a directory is refused as input that cannot be read, with a clear message")
    func directory() throws {
        let folder = NSTemporaryDirectory()
        do {
            _ = try HTMLReport.trace(folder)
            Issue.record("a directory was read")
        } catch {
            #expect(error.isInputUnavailable)
            #expect(error.description.contains("is a folder, not a trace file"))
        }
    }
}
