import ConcTraceRecorder
import ConcTraceSystem

/// The recorder's own events in a compact binary file: what a worker process of `--strategy processes` writes, and
/// what the parent's merge converts, through the one converter, into the run's Chrome trace.
///
/// ```
///   "CTEVLOG1"                                          8 bytes, then records:
///   tag (1 byte) · length (4 bytes, little-endian) · payload
///     1 worker   worker id (4) · name (UTF-8)
///     2 label    label id as recorded (4) · text (UTF-8)
///     3 events   n × 56-byte events (below), in the order drained
///     4 stats    at (8) · events (8) · dropped (8) · lost (8) · ns/event (8, IEEE 754) · workers (4) · final (1)
///   event: timestamp (8) · task (8) · related (8) · value low (8) · value high (8) · label (4) · worker (4) ·
///          kind (1) · reason (1) · has value (1) · 5 bytes of zeros
/// ```
///
/// A record is written whole with one `write(2)` per drain round, so a file cut off (the worker killed, the disk
/// full) holds complete records up to a last one that the reader recognizes as cut and ignores. Task annotations
/// are not carried: a worker reports its tasks' details to the parent, which owns the tasks' life spans.
public enum EventLog {
    /// The file's first bytes.
    static let magic: [UInt8] = Array("CTEVLOG1".utf8)
    /// Bytes per event record.
    static let eventSize = 56
    /// Events per `events` record at most (so a record stays well below the length field's range).
    static let eventsPerRecord = 4096

    enum Tag: UInt8 {
        case worker = 1, label, events, stats
    }
}

/// A `TraceSink` that writes the event log to a descriptor (a worker's private temporary file).
public final class EventLogSink: TraceSink {
    private let descriptor: FileDescriptor
    private var buffer: [UInt8] = []
    /// Whether each label id (an index into the label table: small and dense) has been written; label 0 (none)
    /// never is.
    private var labelsWritten: [Bool] = [true]

    /// Starts a log on `descriptor` (its magic is written at once).
    /// - Throws: `OSError` from the write.
    public init(descriptor: FileDescriptor) throws(OSError) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 16)
        buffer += EventLog.magic
        try flush()
    }

    public func workerStarted(worker: UInt32, name: String) throws {
        record(.worker) { payload in
            payload.append(worker)
            payload += Array(name.utf8)
        }
        try flush()
    }

    public func consume(_ events: [TraceEvent], annotations: TaskAnnotations) throws {
        for event in events where event.label.id != 0 {
            let id = Int(event.label.id)
            if id < labelsWritten.count, labelsWritten[id] { continue }
            if id >= labelsWritten.count { labelsWritten += repeatElement(false, count: id + 1 - labelsWritten.count) }
            labelsWritten[id] = true
            record(.label) { payload in
                payload.append(event.label.id)
                payload += Array(event.label.text.utf8)
            }
        }
        var start = 0
        while start < events.count {
            let end = min(start + EventLog.eventsPerRecord, events.count)
            record(.events) { payload in payload.append(events[start..<end]) }
            start = end
        }
        try flush()
    }

    public func checkpoint(_ stats: RecorderStats) throws {
        writeStats(stats)
        try flush()
    }

    public func finish(_ stats: RecorderStats) throws {
        writeStats(stats)
        try flush()
    }

    private func writeStats(_ stats: RecorderStats) {
        record(.stats) { payload in
            payload.append(MonotonicClock.now())
            payload.append(stats.events)
            payload.append(stats.dropped)
            payload.append(stats.lost)
            payload.append(stats.nsPerEvent.bitPattern)
            payload.append(UInt32(clamping: stats.workers))
            payload.append(UInt8(stats.isFinal ? 1 : 0))
        }
    }

    /// Appends one record to the buffer: its tag, its length (filled in after `body`), its payload.
    private func record(_ tag: EventLog.Tag, _ body: (inout [UInt8]) -> Void) {
        buffer.append(tag.rawValue)
        let lengthAt = buffer.count
        buffer += [0, 0, 0, 0]
        body(&buffer)
        let length = UInt32(buffer.count - lengthAt - 4)
        withUnsafeBytes(of: length.littleEndian) { raw in
            for index in 0..<4 { buffer[lengthAt + index] = raw[index] }
        }
    }

    private func flush() throws(OSError) {
        defer { buffer.removeAll(keepingCapacity: true) }
        try descriptor.writeAll(buffer)
    }
}

/// Little-endian fields appended to a record's payload.
extension [UInt8] {
    fileprivate mutating func append<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { self += $0 }
    }

    /// Appends `events` as 56-byte event records, each stored field by field into room made once for all of them.
    fileprivate mutating func append(_ events: ArraySlice<TraceEvent>) {
        let start = count
        append(contentsOf: repeatElement(0, count: events.count * EventLog.eventSize))
        withUnsafeMutableBytes { raw in
            var at = raw.baseAddress! + start
            for event in events {
                at.storeBytes(of: event.timestamp.littleEndian, toByteOffset: 0, as: UInt64.self)
                at.storeBytes(of: event.task.littleEndian, toByteOffset: 8, as: UInt64.self)
                at.storeBytes(of: event.related.littleEndian, toByteOffset: 16, as: UInt64.self)
                at.storeBytes(of: UInt64(truncatingIfNeeded: event.value).littleEndian, toByteOffset: 24,
                              as: UInt64.self)
                at.storeBytes(of: UInt64(truncatingIfNeeded: event.value >> 64).littleEndian, toByteOffset: 32,
                              as: UInt64.self)
                at.storeBytes(of: event.label.id.littleEndian, toByteOffset: 40, as: UInt32.self)
                at.storeBytes(of: event.worker.littleEndian, toByteOffset: 44, as: UInt32.self)
                at.storeBytes(of: event.kind.rawValue, toByteOffset: 48, as: UInt8.self)
                at.storeBytes(of: event.reason.rawValue, toByteOffset: 49, as: UInt8.self)
                at.storeBytes(of: UInt8(event.hasValue ? 1 : 0), toByteOffset: 50, as: UInt8.self)
                // Bytes 51-55 stay zero.
                at += EventLog.eventSize
            }
        }
    }
}
