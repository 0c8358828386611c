import ConcTraceRecorder
import Foundation
import Testing

import ConcTraceFormat
import ConcTraceReader
import ConcTraceSystem
@testable import ConcTraceWriter

@Suite("ChromeTraceWriter")
struct ChromeTraceWriterTests {
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "conctrace-\(getpid())-\(UUID().uuidString)-\(name)"
    }

    @Test("a recorded run becomes a file that parses, with its head written before any event")
    func writesFile() throws {
        let path = Self.temporaryPath("run.json")
        defer { unlink(path) }
        var metadata = RunMetadata()
        metadata.set("workload", .string("sleep"))
        let writer = try ChromeTraceWriter(path: path, processID: 9, processName: "test", metadata: metadata)
        // The head is on disk at once: a run killed right away still leaves a loadable file.
        let head = try String(contentsOfFile: path, encoding: .utf8)
        #expect(head.hasPrefix("[\n{\"ph\":\"M\""))
        let recorder = Recorder(sink: writer)
        let lane = recorder.makeLane(name: "main")
        for event in ChromeTraceConverterTests.lifecycle() {
            lane.record(event.kind, task: event.task, related: event.related, reason: event.reason,
                        value: event.value, hasValue: event.hasValue, label: event.label)
        }
        recorder.finish()
        let trace = try ParsedTrace(json: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        trace.checkImporterRules()
        #expect(trace.with(phase: "X").count == 4)
        #expect(trace.events.last?["name"] as? String == "conctrace.stats")
    }

    @Test("one event per line, so a file cut after any line keeps every complete event")
    func oneEventPerLine() throws {
        let text = String(decoding: ChromeTraceConverterTests.render(ChromeTraceConverterTests.lifecycle()),
                          as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "[")
        #expect(lines.last == "]")
        for line in lines.dropFirst().dropLast() {
            var body = Substring(line)
            if body.hasSuffix(",") { body = body.dropLast() }
            #expect(try JSONSerialization.jsonObject(with: Data(body.utf8)) is [String: Any])
        }
    }

    @Test("a conctrace trace cut at any byte reads up to the cut, as truncated, never as an error")
    func cutAnywhere() throws {
        let whole = ChromeTraceConverterTests.render(ChromeTraceConverterTests.lifecycle())
        let complete = try ChromeTraceReader(bytes: whole)
        var all: [ChromeEvent] = []
        while let event = try complete.next() { all.append(event) }
        #expect(!complete.isTruncated)
        #expect(all.count > 30)
        for cut in stride(from: 2, to: whole.count - 3, by: 7) {
            let reader = try ChromeTraceReader(bytes: Array(whole[..<cut]))
            var read: [ChromeEvent] = []
            while let event = try reader.next() { read.append(event) }
            #expect(reader.isTruncated, "cut at \(cut)")
            #expect(read == Array(all.prefix(read.count)), "cut at \(cut)")
        }
    }

    @Test("a path that cannot be created is reported with errno")
    func cannotCreate() {
        #expect {
            try ChromeTraceWriter(path: "/nonexistent-folder/x.json", processID: 1, processName: "p",
                                  metadata: RunMetadata())
        } throws: { error in
            guard case OutputError.cannotCreate(_, let os) = error else { return false }
            return os.errno == ENOENT
        }
    }

    @Test("a full disk fails the write with ENOSPC, named in the error")
    func fullDisk() throws {
        // /dev/full accepts open and fails every write with ENOSPC.
        #expect {
            _ = try ChromeTraceWriter(path: "/dev/full", processID: 1, processName: "p", metadata: RunMetadata())
        } throws: { error in
            guard case OutputError.writeFailed(_, let os) = error else { return false }
            return os.errno == ENOSPC
        }
    }

    @Test("past the threshold a file is written direct: the same text, spaces at one block boundary, nothing more")
    func directOutput() throws {
        let path = Self.temporaryPath("direct.txt")
        defer { unlink(path) }
        let output = DirectTraceOutput(file: try OutputFile(path: path, mode: .inPlace), threshold: 10_000,
                                       batch: 16_384)
        // Lines of uneven lengths, as drain rounds hand them over.
        var expected: [UInt8] = []
        for round in 0..<400 {
            let text = Array(",\n{\"round\":\(round),\"pad\":\"\(String(repeating: "x", count: round % 97))\"}".utf8)
            try text.withUnsafeBytes { try output.write($0) }
            expected += text
        }
        try output.commit()
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let spaces = written.count - expected.count
        #expect(spaces >= 0 && spaces < 4096)
        let start = try #require(written.firstIndex(of: UInt8(ascii: " ")))
        #expect((start + spaces) % 4096 == 0, "the padding ends at a block boundary")
        #expect(written[start..<(start + spaces)].allSatisfy { $0 == UInt8(ascii: " ") })
        #expect(Array(written[..<start]) + Array(written[(start + spaces)...]) == expected)
    }

    @Test("a character device is written through, never direct")
    func directOutputDevice() throws {
        let output = DirectTraceOutput(file: try OutputFile(path: "/dev/null", mode: .inPlace), threshold: 10,
                                       batch: 4096)
        let text = Array(repeating: UInt8(ascii: "a"), count: 100_000)
        try text.withUnsafeBytes { try output.write($0) }
        try output.commit()
    }
}
