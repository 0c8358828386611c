#if canImport(Glibc)
import Glibc
#endif
import ConcTraceRecorder
import ConcTraceSystem

/// Reads an event log (`EventLog`) record by record, from offset 0 of a descriptor (with `pread`, so the
/// descriptor's own offset, shared with the worker that wrote it, does not matter), in a buffer of bounded size.
///
/// A record cut short at the end (the worker killed mid-write) ends the log: `isTruncated` says so, and every complete
/// record before it was returned.
public final class EventLogReader {
    /// One record of the log, with labels already mapped to this process's label table.
    public enum Record {
        /// A worker (lane) appeared.
        case worker(id: UInt32, name: String)
        /// Events, in the order the worker's recorder drained them.
        case events([TraceEvent])
        /// Recording statistics, taken at `timestamp`.
        case stats(RecorderStats, timestamp: UInt64)
    }

    /// Why a log cannot be read at all.
    public enum ReadError: Error, CustomStringConvertible {
        /// The file does not start with the log's magic bytes.
        case notAnEventLog
        /// Reading failed.
        case readFailed(OSError)

        public var description: String {
            switch self {
            case .notAnEventLog: "not a conctrace event log"
            case .readFailed(let error): "reading the event log failed: \(error)"
            }
        }
    }

    /// True once a record cut short ended the log.
    public private(set) var isTruncated = false
    private let descriptor: FileDescriptor
    private var offset: Int64 = 0
    private var labels: [UInt32: TaskLabel] = [0: .none]

    /// Opens the log on `descriptor`.
    /// - Throws: `ReadError.notAnEventLog` for an empty file or one that is not a log; `.readFailed`.
    public init(descriptor: FileDescriptor) throws(ReadError) {
        self.descriptor = descriptor
        guard let head = try read(count: EventLog.magic.count), head == EventLog.magic else { throw .notAnEventLog }
    }

    /// The next record; nil at the end of the log (or where it was cut).
    /// - Throws: `ReadError.readFailed`.
    public func next() throws(ReadError) -> Record? {
        while true {
            guard let header = try read(count: 5) else { return end(cut: false) }
            let length = Int(UInt32(header[1]) | UInt32(header[2]) << 8 | UInt32(header[3]) << 16
                             | UInt32(header[4]) << 24)
            guard let payload = try read(count: length) else { return end(cut: true) }
            var fields = LogFields(bytes: payload)
            switch EventLog.Tag(rawValue: header[0]) {
            case .worker:
                let id = fields.uint32()
                return .worker(id: id, name: fields.rest())
            case .label:
                let id = fields.uint32()
                labels[id] = TaskLabel(fields.rest())
            case .events:
                var events: [TraceEvent] = []
                events.reserveCapacity(length / EventLog.eventSize)
                while fields.remaining >= EventLog.eventSize {
                    if let event = fields.event(labels: labels) { events.append(event) }
                }
                return .events(events)
            case .stats:
                let timestamp = fields.uint64()
                let stats = RecorderStats(
                    events: fields.uint64(), dropped: fields.uint64(), lost: fields.uint64(),
                    nsPerEvent: Double(bitPattern: fields.uint64()), workers: Int(fields.uint32()),
                    isFinal: fields.uint8() != 0)
                return .stats(stats, timestamp: timestamp)
            case nil:
                // A tag from a newer writer: skip it.
                continue
            }
        }
    }

    private func end(cut: Bool) -> Record? {
        if cut { isTruncated = true }
        return nil
    }

    /// Exactly `count` bytes at the current offset, or nil when the file ends first (a partial read counts as cut).
    private func read(count: Int) throws(ReadError) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor.rawValue, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .readFailed(OSError(call: "pread", errno: errno))
            }
            if got == 0 {
                if done > 0 { isTruncated = true }
                return nil
            }
            done += got
        }
        offset += Int64(count)
        return bytes
    }
}

/// Little-endian fields read from a record's payload (bounds are the caller's: a record's sizes are fixed).
private struct LogFields {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - position }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T {
        guard remaining >= MemoryLayout<T>.size else {
            position = bytes.count
            return 0
        }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<MemoryLayout<T>.size { raw[index] = bytes[position + index] }
        }
        position += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func uint8() -> UInt8 { integer(UInt8.self) }
    mutating func uint32() -> UInt32 { integer(UInt32.self) }
    mutating func uint64() -> UInt64 { integer(UInt64.self) }

    mutating func rest() -> String {
        defer { position = bytes.count }
        return String(decoding: bytes[position...], as: UTF8.self)
    }

    /// The next event; nil (skipped) for a kind or reason this version does not know.
    mutating func event(labels: [UInt32: TaskLabel]) -> TraceEvent? {
        let start = position
        let timestamp = uint64()
        let task = uint64()
        let related = uint64()
        let value = UInt128(uint64()) | UInt128(uint64()) << 64
        let label = labels[uint32()] ?? .task
        let worker = uint32()
        let kind = EventKind(rawValue: uint8())
        let reason = WaitReason(rawValue: uint8())
        let hasValue = uint8() != 0
        position = start + EventLog.eventSize
        guard let kind, let reason else { return nil }
        return TraceEvent(timestamp: timestamp, kind: kind, task: task, worker: worker, related: related,
                          reason: reason, value: value, hasValue: hasValue, label: label)
    }
}
