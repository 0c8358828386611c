import Foundation
import Testing

import ConcTraceFormat
@testable import ConcTraceReader

@Suite("ChromeTraceReader")
struct ChromeTraceReaderTests {
    /// Everything a reader yields for one input.
    struct Outcome: Equatable {
        var events: [ChromeEvent]
        var isTruncated: Bool
        var metadata: TraceValue?
    }

    static func read(_ bytes: [UInt8], chunkSize: Int = 4096) throws(TraceReadError) -> Outcome {
        let reader = try ChromeTraceReader(bytes: bytes, chunkSize: chunkSize)
        var events: [ChromeEvent] = []
        while let event = try reader.next() { events.append(event) }
        #expect(reader.eventsRead == events.count)
        #expect(reader.bytesRead == bytes.count)
        return Outcome(events: events, isTruncated: reader.isTruncated, metadata: reader.metadata)
    }

    static func read(_ text: String, chunkSize: Int = 4096) throws(TraceReadError) -> Outcome {
        try read(Array(text.utf8), chunkSize: chunkSize)
    }

    /// The error reading `text` throws, from `init` or from `next()`.
    static func failure(_ text: String) -> TraceReadError? {
        failure(Array(text.utf8))
    }

    static func failure(_ bytes: [UInt8]) -> TraceReadError? {
        do {
            _ = try read(bytes)
            return nil
        } catch {
            return error
        }
    }

    static let sampleEvents = """
        {"ph":"M","name":"thread_name","pid":5,"tid":2,"args":{"name":"worker 2"}},
        {"ph":"X","name":"cpu 3","cat":"running","pid":5,"tid":2,"ts":816557483.357,"dur":12.5,"args":{"task":3}},
        {"ph":"b","name":"cpu 3","cat":"task","pid":5,"tid":2,"ts":100,"id2":{"local":3}},
        {"ph":"e","name":"cpu 3","cat":"task","pid":5,"tid":2,"ts":250.25,"id2":{"global":"0x3"}},
        {"ph":"s","name":"spawn","cat":"flow","pid":5,"tid":1,"ts":90,"id":7},
        {"ph":"f","name":"spawn","cat":"flow","pid":5,"tid":2,"ts":100.001,"id":"0x1f","bp":"e"},
        {"ph":"C","name":"tasks","pid":5,"tid":1,"ts":120,"args":{"in flight":2,"ready":0.5}},
        {"ph":"i","name":"conctrace.stats","pid":5,"tid":1,"ts":300,"s":"g","args":{"dropped":0,"ok":true,"note":null,"list":[1,"a"]}}
        """

    static let sample = "[\n" + sampleEvents + "\n]\n"

    @Test("each phase's fields are read with their values")
    func phasesAndFields() throws {
        let outcome = try Self.read(Self.sample)
        #expect(!outcome.isTruncated)
        #expect(outcome.metadata == nil)
        let events = outcome.events
        try #require(events.count == 8)
        #expect(events.map { $0.phase?.description ?? "?" }.joined() == "MXbesfCi")

        #expect(events[0].phase == .metadata)
        #expect(events[0].name == "thread_name")
        #expect(events[0].timestamp == nil && events[0].timestampNanoseconds == nil)
        #expect(events[0].args == ["name": .string("worker 2")])

        let slice = events[1]
        #expect(slice.phase == .complete)
        #expect(slice.name == "cpu 3")
        #expect(slice.category == "running")
        #expect(slice.pid == 5 && slice.tid == 2)
        #expect(slice.timestamp == 816557483.357)
        #expect(slice.timestampNanoseconds == 816_557_483_357)
        #expect(slice.duration == 12.5 && slice.durationNanoseconds == 12_500)
        #expect(slice.args == ["task": .int(3)])
        #expect(slice.id == nil && slice.idScope == nil)

        #expect(events[2].phase == .asyncBegin)
        #expect(events[2].id == 3 && events[2].idScope == .local)
        #expect(events[2].timestampNanoseconds == 100_000)
        #expect(events[3].phase == .asyncEnd)
        #expect(events[3].id == 3 && events[3].idScope == .global)
        #expect(events[3].timestampNanoseconds == 250_250)

        #expect(events[4].phase == .flowStart && events[4].id == 7 && events[4].idScope == .plain)
        #expect(events[4].bindingPoint == nil)
        #expect(events[5].phase == .flowEnd && events[5].id == 0x1f && events[5].bindingPoint == "e")
        #expect(events[5].timestampNanoseconds == 100_001)

        #expect(events[6].phase == .counter)
        #expect(events[6].args == ["in flight": .int(2), "ready": .double(0.5)])

        let instant = events[7]
        #expect(instant.phase == .instant && instant.scope == "g")
        #expect(instant.args?["dropped"] == .int(0))
        #expect(instant.args?["ok"] == .bool(true))
        #expect(instant.args?["note"] == .null)
        #expect(instant.args?["list"] == .array([.int(1), .string("a")]))
    }

    @Test("ts with three decimals becomes exact nanoseconds, as the text says")
    func exactNanoseconds() throws {
        let outcome = try Self.read("""
            [{"ph":"i","ts":816557483.357},{"ph":"i","ts":0.001},{"ph":"i","ts":1.005},
             {"ph":"i","ts":4000000000000.999},
            {"ph":"i","ts":-2.5},{"ph":"i","ts":123456789},{"ph":"i","ts":1.0004}]
            """)
        #expect(outcome.events.map(\.timestampNanoseconds) == [
            816_557_483_357, 1, 1_005, 4_000_000_000_000_999, -2_500, 123_456_789_000, 1_000,
        ])
        // Every N/1000 text that a writer with millisecond-of-µs resolution can produce, across magnitudes.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let nanos = Int64.random(in: 0..<(1 << 50), using: &generator)
            let text = "\(nanos / 1000)." + String(String(nanos % 1000 + 1000).dropFirst())
            let micros = try #require(Double(text))
            #expect(ChromeEvent.nanoseconds(microseconds: micros) == nanos, "\(text)")
        }
    }

    @Test("Object form: metadata is exposed, keys in any order, traceEvents streamed")
    func objectForm() throws {
        let eventsLast = try Self.read("""
            {"displayTimeUnit":"ns","otherData":{"version":"x","n":[1,2,{"deep":true}]},
             "metadata":{"workload":"cpu","tasks":100,"scale":1.5},
             "traceEvents":[{"ph":"X","name":"a","ts":1,"dur":2},{"ph":"i","name":"b","ts":3}]}
            """)
        #expect(!eventsLast.isTruncated)
        #expect(eventsLast.events.map(\.name) == ["a", "b"])
        #expect(eventsLast.metadata == .object(["workload": .string("cpu"), "tasks": .int(100), "scale": .double(1.5)]))
        #expect(eventsLast.metadata?["workload"]?.stringValue == "cpu")

        // Metadata after the events: known once the reader has passed it.
        let reader = try ChromeTraceReader(bytes: Array("""
            { "traceEvents" : [ {"ph":"X","name":"a"} ] , "metadata" : {"k": "v"} }\n
            """.utf8))
        #expect(reader.form == .object)
        #expect(try reader.next()?.name == "a")
        #expect(try reader.next() == nil)
        #expect(reader.metadata == .object(["k": .string("v")]))
        #expect(!reader.isTruncated)

        let noEvents = try Self.read("{}")
        #expect(noEvents.events.isEmpty && !noEvents.isTruncated)
    }

    @Test("a file cut anywhere yields the complete events before the cut, and says it was cut")
    func truncation() throws {
        let event = #"{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":1}"#
        let cases: [(text: String, events: Int)] = [
            ("[\n\(event),\n\(event)", 2),                  // after a complete event, no comma
            ("[\n\(event),\n\(event),\n", 2),               // trailing comma before EOF: the usual cut
            ("[\n\(event),\n{\"ph\":\"X\",\"na", 1),        // mid-element
            ("[\n\(event),\n{\"ph\":\"X\",\"ts\":12", 1),   // mid-number
            ("[", 0),                                       // right after '['
            ("  [ \n ", 0),
            (#"{"metadata":{"a":1},"traceEvents":[\#(event),"#, 1),
            (#"{"traceEvents":[\#(event)],"metadata":{"a":"#, 1),
            (#"{"traceEvents":[\#(event)]"#, 1),
            (#"{"metad"#, 0),
        ]
        for (text, count) in cases {
            let outcome = try Self.read(text)
            #expect(outcome.events.count == count, "\(text)")
            #expect(outcome.isTruncated, "\(text)")
        }
        // A complete file is not truncated, a trailing comma before ']' is tolerated.
        #expect(try !Self.read("[\(event)]").isTruncated)
        #expect(try Self.read("[\(event),\n]").events.count == 1)
    }

    @Test("empty input throws .empty; [] is an empty trace")
    func emptyInputs() throws {
        #expect(Self.failure("") == .empty)
        #expect(Self.failure(" \n\t ") == .empty)
        for text in ["[]", "[ ]\n", "{\"traceEvents\":[]}"] {
            let outcome = try Self.read(text)
            #expect(outcome.events.isEmpty && !outcome.isTruncated, "\(text)")
        }
    }

    @Test("malformed input throws with the byte offset of the bad event or byte")
    func malformed() throws {
        #expect(Self.failure(#"[{"ph":"X"}, xyz]"#)
                == .malformed(offset: 13, reason: "expected an event (a JSON object), found 'x'"))
        // Bad JSON inside the second event: the offset is the offending byte, and the reason names where the event
        // starts (issue 14 item 8: the message gave two offsets as if both were the error's).
        let badSecond = "[{\"ph\":\"X\"},\n{\"ph\":\"X\",,\"ts\":1}]"
        guard case .malformed(let offset, let reason) = Self.failure(badSecond) else {
            Issue.record("no error")
            return
        }
        #expect(offset == 23)
        #expect(reason.hasPrefix("invalid JSON ("), "\(reason)")
        #expect(reason.hasSuffix(") in the event that starts at byte 13"), "\(reason)")
        let description = try #require(Self.failure(badSecond)).description
        #expect(description.hasPrefix("malformed trace at byte 23: invalid JSON ("), "\(description)")
        #expect(description.components(separatedBy: "byte 23").count == 2, "\(description)")
        // Between events: the offset of the offending byte.
        guard case .malformed(let missingComma, _) = Self.failure(#"[{"a":1}{"b":2}]"#) else {
            Issue.record("no error")
            return
        }
        #expect(missingComma == 8)
        guard case .malformed(let twoCommas, _) = Self.failure(#"[{"a":1},,{"b":2}]"#) else {
            Issue.record("no error")
            return
        }
        #expect(twoCommas == 9)
        guard case .malformed(let after, _) = Self.failure("[]\n x") else {
            Issue.record("no error")
            return
        }
        #expect(after == 4)
        guard case .malformed(let badKey, _) = Self.failure(#"{"traceEvents":[], metadata:{}}"#) else {
            Issue.record("no error")
            return
        }
        #expect(badKey == 19)
        guard case .malformed(let notArray, _) = Self.failure(#"{"traceEvents":{"ph":"X"}}"#) else {
            Issue.record("no error")
            return
        }
        #expect(notArray == 15)

        // The events before the error were returned, and the error repeats.
        let reader = try ChromeTraceReader(bytes: Array(#"[{"ph":"X","name":"ok"}, xyz]"#.utf8))
        #expect(try reader.next()?.name == "ok")
        #expect(throws: TraceReadError.malformed(offset: 25, reason: "expected an event (a JSON object), found 'x'")) {
            try reader.next()
        }
        #expect(throws: TraceReadError.self) { try reader.next() }

        let message = TraceReadError.malformed(offset: 13, reason: "bad").description
        #expect(message == "malformed trace at byte 13: bad")
    }

    /// Guards issue 14 item 8: a key with a line break in it (`printf '{"a\nb" 1}'`) made a two-line message, and a
    /// key or path with escape sequences reached the terminal raw.
    @Test("every error's description is one line, with control characters escaped and long keys cut")
    func oneLineErrors() throws {
        let newlineKey = try #require(Self.failure(Array("{\"a\nb\" 1}".utf8)))
        #expect(!newlineKey.description.contains("\n"), "\(newlineKey.description)")
        #expect(newlineKey.description.contains(#""a\nb""#), "\(newlineKey.description)")
        let escapeKey = try #require(Self.failure(Array("{\"\u{1B}]0;PWNED\u{07}\" 1}".utf8)))
        #expect(!escapeKey.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        let longKey = try #require(Self.failure(Array(("{\"" + String(repeating: "k", count: 10_000) + "\" 1}").utf8)))
        #expect(longKey.description.count < 300)
        let path = "/tmp/no\u{1B}[2J\nsuch\u{9B}file"
        let missing = TraceReadError.cannotOpen(path: path, .init(call: "open", errno: ENOENT)).description
        #expect(!missing.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(missing.contains(#"no\x1B[2J\nsuch\x9Bfile"#), "\(missing)")
    }

    @Test("elements and top-level values that are not objects or arrays are malformed")
    func notObjects() {
        for (text, offset) in [(#"[{"ph":"X"}, 42]"#, 13), (#"[ "X" ]"#, 2), ("[[1]]", 1), ("[null]", 1)] {
            guard case .malformed(let at, _) = Self.failure(text) else {
                Issue.record("no error for \(text)")
                continue
            }
            #expect(at == offset, "\(text)")
        }
        for text in [#""abc""#, "42", "  true", "x[]"] {
            guard case .malformed(let at, let reason) = Self.failure(text) else {
                Issue.record("no error for \(text)")
                continue
            }
            #expect(at == text.prefix(while: { $0 == " " }).count, "\(text)")
            #expect(reason.hasPrefix("a trace is a JSON array or object"))
        }
    }

    @Test("deep nesting is an error, not a crash")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(Self.failure(#"[{"ph":"X"},{"ph":"X","args":{"a":\#(deep)}}]"#) == .tooDeep(offset: 12, limit: 32))
        #expect(Self.failure(#"{"metadata":\#(deep),"traceEvents":[]}"#) == .tooDeep(offset: 12, limit: 32))
        // The limit counts levels from the event (1) and its args (2): 32 levels pass, 33 do not.
        let inside = String(repeating: "[", count: 30) + String(repeating: "]", count: 30)
        #expect(Self.failure(#"[{"args":{"a":\#(inside)}}]"#) == nil)
        #expect(Self.failure(#"[{"args":{"a":[\#(inside)]}}]"#) == .tooDeep(offset: 1, limit: 32))
    }

    @Test("huge numbers neither crash nor wrap")
    func hugeNumbers() throws {
        let outcome = try Self.read("""
            [{"ph":"X","ts":1e400,"dur":-1e400,"pid":99999999999999999999999,"tid":-99999999999999999999999,
              "id":99999999999999999999999,"args":{"big":1e400,"huge":18446744073709551615,"max":9223372036854775807}},
             {"ph":"X","ts":9223372036854775807,"dur":1e300}]
            """)
        try #require(outcome.events.count == 2)
        let first = outcome.events[0]
        #expect(first.timestamp == nil && first.timestampNanoseconds == nil)
        #expect(first.duration == nil && first.durationNanoseconds == nil)
        #expect(first.pid == nil)
        #expect(first.tid == Int64.min)            // json-c saturates negative integers at Int64.min
        #expect(first.id == UInt64.max)            // and positive ones at UInt64.max
        #expect(first.args?["big"] == .double(.infinity))
        #expect(first.args?["huge"] == .double(18446744073709551615.0))
        #expect(first.args?["max"] == .int(.max))
        let second = outcome.events[1]
        #expect(second.timestamp == 9223372036854775807.0 && second.timestampNanoseconds == nil)
        #expect(second.duration == 1e300 && second.durationNanoseconds == nil)
    }

    @Test("fields of the wrong JSON type become nil")
    func wrongTypes() throws {
        let outcome = try Self.read("""
            [{"ph":"XY","name":5,"cat":null,"pid":[1],"tid":{},"ts":"abc","dur":true,"id":"task-1","bp":1,"s":[],
              "args":3},
             {"ph":7,"pid":"5","tid":2.5,"id":1.5,"id2":{"local":"zz"}},
             {"ph":"","id2":7}]
            """)
        try #require(outcome.events.count == 3)
        for event in outcome.events {
            #expect(event == ChromeEvent(), "\(event)")
        }
    }

    @Test("ids: integers, hex strings, id2 local and global, negative integers keep their bits")
    func identifiers() throws {
        let outcome = try Self.read("""
            [{"id":12},{"id":"1F"},{"id":"0xffffffffffffffff"},{"id":-1},{"id2":{"global":"0x10"}},
             {"id":"x","id2":{"local":4}},{"id":"0x"}]
            """)
        #expect(outcome.events.map(\.id) == [12, 31, .max, .max, 16, 4, nil])
        #expect(outcome.events.map(\.idScope) == [.plain, .plain, .plain, .plain, .global, .local, nil])
    }

    @Test("an element larger than the read chunk is read whole")
    func elementLargerThanChunk() throws {
        let name = String(repeating: "n", count: 10_000)
        let text = "[{\"ph\":\"X\",\"name\":\"\(name)\",\"args\":{\"k\":\"\(name)\"}},{\"ph\":\"i\",\"ts\":1.5}]"
        let outcome = try Self.read(text, chunkSize: 64)
        try #require(outcome.events.count == 2)
        #expect(outcome.events[0].name == name)
        #expect(outcome.events[0].args?["k"]?.stringValue == name)
        #expect(outcome.events[1].timestampNanoseconds == 1_500)
        #expect(!outcome.isTruncated)
    }

    static let mixed = "[\n" + sampleEvents + """
        ,
        {"ph":"X","name":"\\u00e9t\\u00e9 \\"quoted\\"","ts":12345678.901,"dur":1e3,"args":{"nested":{"a":[true,false,null]}}},
          {"ph":"i","name":"far","ts":-0.5,"s":"t"}   ,\t{"ph":"C","args":{}}
        ]
        """

    @Test("same events whatever the chunk size, so chunk boundaries fall everywhere", arguments: [1, 7, 64, 4096])
    func chunkBoundaries(chunkSize: Int) throws {
        let reference = try Self.read(Self.mixed, chunkSize: 1 << 20)
        #expect(reference.events.count == 11)
        #expect(reference.events[8].name == "été \"quoted\"")
        #expect(reference.events[8].timestampNanoseconds == 12_345_678_901)
        #expect(reference.events[8].durationNanoseconds == 1_000_000)
        #expect(try Self.read(Self.mixed, chunkSize: chunkSize) == reference)
        // Cut at every byte: never an error, always the events that were complete.
        let bytes = Array(Self.mixed.utf8)
        for cut in stride(from: 1, to: bytes.count - 2, by: chunkSize == 1 ? 1 : 13) {
            let outcome = try Self.read(Array(bytes[..<cut]), chunkSize: chunkSize)
            #expect(outcome.isTruncated)
            #expect(outcome.events == Array(reference.events.prefix(outcome.events.count)))
        }
        let objectForm = "{\"metadata\":{\"a\":[1,2]},\"traceEvents\":" + Self.mixed + ",\"otherData\":{}}"
        let object = try Self.read(objectForm, chunkSize: chunkSize)
        #expect(object.events == reference.events)
        #expect(object.metadata == .object(["a": .array([.int(1), .int(2)])]))
    }

    @Test("invalid UTF-8 and NUL bytes do not crash")
    func invalidBytes() throws {
        var bytes = Array(#"[{"ph":"i","name":"a"#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#"b","cat":"\u0000x"}]"#.utf8)
        let outcome = try Self.read(bytes)
        #expect(outcome.events.first?.name == "a\u{FFFD}\u{FFFD}\u{FFFD}b")
        #expect(outcome.events.first?.category == "\u{0}x")
        // A raw NUL inside an event, and between events.
        bytes = Array(#"[{"ph":"i"},{"name":"a"#.utf8) + [0] + Array(#"b"}]"#.utf8)
        guard case .malformed(let offset, let reason) = Self.failure(bytes) else {
            Issue.record("no error")
            return
        }
        #expect(offset == 22)
        #expect(reason == "a NUL byte in the event that starts at byte 12")
        guard case .malformed(let between, _) = Self.failure(Array(#"[{"ph":"i"}"#.utf8) + [0, 0]) else {
            Issue.record("no error")
            return
        }
        #expect(between == 11)
    }

    /// Guards issue 14 item 12: opening a FIFO with no writer blocked forever.
    @Test("a FIFO with no writer is refused after the wait; a directory is refused at once")
    func unreadableKinds() throws {
        let path = NSTemporaryDirectory() + "conctrace-fifo-\(getpid())-\(UUID().uuidString)"
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect(throws: TraceReadError.notReadable(path: path, .noWriter(waited: .milliseconds(200)))) {
            try ChromeTraceReader(path: path, chunkSize: 1 << 16, writerWait: .milliseconds(200))
        }
        let message = TraceReadError.notReadable(path: path, .noWriter(waited: .seconds(10))).description
        #expect(message.hasSuffix("it is a FIFO that no writer opened within 10 s"), "\(message)")
        #expect(throws: TraceReadError.notReadable(path: "/tmp", .notAFile(kind: "a directory"))) {
            try ChromeTraceReader(path: "/tmp")
        }
    }

    @Test("files: read in chunks, with open errors carrying errno")
    func files() throws {
        let path = NSTemporaryDirectory() + "conctrace-reader-\(getpid())-\(UUID().uuidString).json"
        defer { unlink(path) }
        try Data(Self.mixed.utf8).write(to: URL(fileURLWithPath: path))
        let reader = try ChromeTraceReader(path: path, chunkSize: 5)
        var names: [String?] = []
        while let event = try reader.next() { names.append(event.name) }
        #expect(names == (try Self.read(Self.mixed)).events.map(\.name))
        #expect(reader.bytesRead == Self.mixed.utf8.count)
        #expect(reader.eventsRead == 11)
        #expect(reader.form == .array && !reader.isTruncated)

        let missing = path + ".missing"
        #expect(throws: TraceReadError.cannotOpen(path: missing, .init(call: "open", errno: ENOENT))) {
            try ChromeTraceReader(path: missing)
        }
        #expect(throws: TraceReadError.notReadable(path: "/", .notAFile(kind: "a directory"))) {
            try ChromeTraceReader(path: "/")
        }
        let message = TraceReadError.cannotOpen(path: missing, .init(call: "open", errno: ENOENT)).description
        #expect(message.contains("No such file") && message.contains(missing))
    }
}
