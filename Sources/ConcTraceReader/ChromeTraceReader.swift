#if canImport(Glibc)
import Glibc
#endif
import CJSONC
import ConcTraceFormat
import ConcTraceSystem

/// The two shapes of a Chrome trace file.
public enum TraceFileForm: Sendable, Equatable {
    /// `[ {event}, {event}, ... ]`, possibly without the closing `]`.
    case array
    /// `{"traceEvents": [...], "metadata": {...}, "displayTimeUnit": ..., "otherData": {...}}`, keys in any order.
    case object
}

/// Reads a Chrome Trace Event JSON file one event at a time, with json-c, in memory that does not grow with the
/// number of events (one read buffer, plus the event being parsed).
///
/// ```
///  read(2), chunkSize bytes ──▶ buffer ──▶ own scanner: '[' ',' ']' white space, Object-form keys
///                                             │ first byte of an element
///                                             ▼
///                               json_tokener_parse_ex (one reused tokener; fed chunk after chunk
///                                             │          while it answers json_tokener_continue)
///                                             ▼
///                               ChromeEvent (one walk over the members), json_object_put
/// ```
///
/// Both file forms are read: the Array form, and the Object form, whose `traceEvents` array is streamed and whose
/// other top-level values are parsed whole (`metadata` is kept). A file that stops early (no closing `]` or `}`,
/// a half-written last event) is not an error: `next()` returns nil there and `isTruncated` is set. Anything else
/// that is not a trace throws `TraceReadError` with the byte offset. json-c is lenient (comments, `NaN`, integers
/// beyond 64 bits saturate); it does not validate UTF-8, and strings are repaired with U+FFFD when converted.
///
/// One reader belongs to one thread at a time (json-c objects are not thread-safe).
public final class ChromeTraceReader {
    /// The read size of `init(path:)`: large enough that read(2) calls cost nothing next to parsing.
    public static let defaultChunkSize = 1 << 20
    /// How deep an event (or a top-level Object-form value) may nest; json-c's default.
    public static let defaultMaxDepth = 32

    /// Which form the file has (known from its first byte).
    public private(set) var form: TraceFileForm = .array
    /// True once the input has ended before the trace was closed; the events before the cut were all returned.
    public private(set) var isTruncated = false
    /// The Object form's `metadata` value, once the reader has passed it (it may follow `traceEvents`: after
    /// `next()` has returned nil it is final). Always nil for the Array form.
    public private(set) var metadata: TraceValue?
    /// Bytes read from the input so far.
    public private(set) var bytesRead = 0
    /// Events returned so far.
    public private(set) var eventsRead = 0

    private enum State {
        /// After `[` or `,` of the events array: an event, or `]`.
        case elementOrEnd
        /// After an event: `,` or `]`.
        case commaOrEnd
        /// After `{` or `,` of the Object form: a key, or `}`.
        case memberOrEnd
        /// After a top-level value of the Object form: `,` or `}`.
        case memberCommaOrEnd
        /// After the closing `]` or `}`: only white space may follow.
        case trailer
        case finished
        case failed(TraceReadError)
    }

    private enum ParsedValue {
        /// A whole value (nil for JSON `null`); the caller releases it with `json_object_put`.
        case value(OpaquePointer?)
        /// The input ended inside the value.
        case cutOff
    }

    private let path: String?
    private let descriptor: Int32
    private let memory: [UInt8]
    private var memoryPosition = 0
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// The unread bytes are `buffer[start..<end]`; `buffer[0]` is at `bufferOffset` in the input.
    private var start = 0
    private var end = 0
    private var bufferOffset = 0
    private let tokener: UnsafeMutablePointer<json_tokener>
    private let maxDepth: Int
    private var state = State.finished

    /// Opens a trace (a file, a pipe or FIFO, a character device: `InputFile`) and reads its first bytes to learn its
    /// form. The trace is read once, front to back.
    /// - Throws: `.cannotOpen` / `.readFailed` with the errno, `.notReadable` for a directory or another kind of
    ///   file that is not read, or a FIFO with no writer within `InputFile.defaultWriterWait`; `.empty` for a file
    ///   with no JSON in it, `.malformed` if it starts with anything but `[` or `{`.
    public convenience init(path: String) throws(TraceReadError) {
        try self.init(path: path, chunkSize: Self.defaultChunkSize)
    }

    /// Reads a trace held in memory (as from a file; for tests and small inputs).
    /// - Throws: `.empty` or `.malformed`, as `init(path:)`.
    public convenience init(bytes: [UInt8]) throws(TraceReadError) {
        try self.init(bytes: bytes, chunkSize: Self.defaultChunkSize)
    }

    /// `init(path:)` with a chosen read size, depth limit and wait for a FIFO's writer (tests use tiny chunks and
    /// short waits).
    convenience init(path: String, chunkSize: Int, maxDepth: Int = ChromeTraceReader.defaultMaxDepth,
                     writerWait: Duration = InputFile.defaultWriterWait) throws(TraceReadError)
    {
        let fd: Int32
        do {
            fd = try InputFile.open(path, writerWait: writerWait)
        } catch .system(let error) {
            throw .cannotOpen(path: path, error)
        } catch {
            throw .notReadable(path: path, error)
        }
        try self.init(path: path, descriptor: fd, memory: [], chunkSize: chunkSize, maxDepth: maxDepth)
    }

    /// `init(bytes:)` with a chosen read size and depth limit.
    convenience init(bytes: [UInt8], chunkSize: Int, maxDepth: Int = ChromeTraceReader.defaultMaxDepth)
        throws(TraceReadError)
    {
        try self.init(path: nil, descriptor: -1, memory: bytes, chunkSize: chunkSize, maxDepth: maxDepth)
    }

    private init(path: String?, descriptor: Int32, memory: [UInt8], chunkSize: Int, maxDepth: Int)
        throws(TraceReadError)
    {
        // json_tokener_parse_ex takes an int length.
        precondition(chunkSize > 0 && chunkSize <= 1 << 30, "chunk size must be in 1...1 GiB")
        precondition(maxDepth > 0 && maxDepth <= 1 << 16, "depth limit must be in 1...65536")
        self.path = path
        self.descriptor = descriptor
        self.memory = memory
        self.capacity = chunkSize
        self.maxDepth = maxDepth
        buffer = .allocate(capacity: chunkSize)
        guard let tokener = json_tokener_new_ex(Int32(maxDepth)) else { fatalError("json-c: out of memory") }
        self.tokener = tokener
        // From here on deinit runs if init throws: it closes the file and frees the buffers.
        guard let first = try skipWhitespace() else { throw .empty }
        switch first {
        case UInt8(ascii: "["):
            form = .array
            state = .elementOrEnd
        case UInt8(ascii: "{"):
            form = .object
            state = .memberOrEnd
        default:
            throw .malformed(offset: position,
                             reason: "a trace is a JSON array or object, but it starts with \(Self.describe(first))")
        }
        start += 1
    }

    deinit {
        json_tokener_free(tokener)
        buffer.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    /// The next event, in file order; nil at the end of the trace, or where a truncated file stops (then
    /// `isTruncated` is true). After an error every further call throws it again.
    /// - Throws: `TraceReadError.malformed` / `.tooDeep` with the byte offset of the bad event, `.readFailed`.
    public func next() throws(TraceReadError) -> ChromeEvent? {
        do {
            return try advance()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// The scanner between events: runs the state machine until it has an event or reaches the end.
    private func advance() throws(TraceReadError) -> ChromeEvent? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .finished:
                return nil
            case .elementOrEnd:
                guard let byte = try skipWhitespace() else { return cutOff() }
                if byte == UInt8(ascii: "]") {
                    // Also after a trailing comma, which a trace cut after a complete line has.
                    start += 1
                    state = form == .array ? .trailer : .memberCommaOrEnd
                    continue
                }
                guard byte == UInt8(ascii: "{") else {
                    throw .malformed(offset: position,
                                     reason: "expected an event (a JSON object), found \(Self.kind(byte))")
                }
                guard case .value(let value) = try parseValue("event"), let object = value else { return cutOff() }
                defer { json_object_put(object) }
                state = .commaOrEnd
                eventsRead += 1
                return ChromeEvent(object)
            case .commaOrEnd:
                guard let byte = try skipWhitespace() else { return cutOff() }
                start += 1
                switch byte {
                case UInt8(ascii: ","): state = .elementOrEnd
                case UInt8(ascii: "]"): state = form == .array ? .trailer : .memberCommaOrEnd
                default:
                    throw .malformed(offset: position - 1,
                                     reason: "expected ',' or ']' after an event, found \(Self.describe(byte))")
                }
            case .memberOrEnd:
                guard let byte = try skipWhitespace() else { return cutOff() }
                if byte == UInt8(ascii: "}") {
                    start += 1
                    state = .trailer
                    continue
                }
                guard byte == UInt8(ascii: "\"") else {
                    throw .malformed(offset: position,
                                     reason: "expected a key of the trace object, found \(Self.describe(byte))")
                }
                guard case .value(let keyValue) = try parseValue("key") else { return cutOff() }
                let key = keyValue.map(JSONC.string) ?? ""
                json_object_put(keyValue)
                guard let separator = try skipWhitespace() else { return cutOff() }
                guard separator == UInt8(ascii: ":") else {
                    throw .malformed(offset: position,
                                     reason: "expected ':' after key \(TerminalText.quoted(key)), found "
                                        + Self.describe(separator))
                }
                start += 1
                guard let first = try skipWhitespace() else { return cutOff() }
                if key == "traceEvents" {
                    guard first == UInt8(ascii: "[") else {
                        throw .malformed(offset: position,
                                         reason: "traceEvents must be an array, found \(Self.kind(first))")
                    }
                    start += 1
                    state = .elementOrEnd
                } else {
                    // displayTimeUnit, otherData and the like: small; parsed whole, only metadata kept.
                    guard case .value(let value) = try parseValue("value") else { return cutOff() }
                    if key == "metadata" { metadata = TraceValue(value) }
                    json_object_put(value)
                    state = .memberCommaOrEnd
                }
            case .memberCommaOrEnd:
                guard let byte = try skipWhitespace() else { return cutOff() }
                start += 1
                switch byte {
                case UInt8(ascii: ","): state = .memberOrEnd
                case UInt8(ascii: "}"): state = .trailer
                default:
                    throw .malformed(offset: position - 1,
                                     reason: "expected ',' or '}' in the trace object, found \(Self.describe(byte))")
                }
            case .trailer:
                guard let byte = try skipWhitespace() else {
                    state = .finished
                    return nil
                }
                throw .malformed(offset: position,
                                 reason: "unexpected \(Self.describe(byte)) after the end of the trace")
            }
        }
    }

    /// The input ended before the trace was closed.
    private func cutOff() -> ChromeEvent? {
        isTruncated = true
        state = .finished
        return nil
    }

    // MARK: Input

    /// The input offset of the next unread byte.
    private var position: Int { bufferOffset + start }

    /// Skips JSON white space; returns the next byte without consuming it, or nil at the end of the input.
    private func skipWhitespace() throws(TraceReadError) -> UInt8? {
        while true {
            while start < end {
                let byte = buffer[start]
                switch byte {
                case 0x20, 0x0A, 0x0D, 0x09: start += 1
                default: return byte
                }
            }
            guard try refill() else { return nil }
        }
    }

    /// Replaces the (fully consumed) buffer with the next chunk of input; false at the end of the input.
    private func refill() throws(TraceReadError) -> Bool {
        bufferOffset += end
        start = 0
        end = 0
        if descriptor >= 0 {
            while true {
                let count = read(descriptor, buffer, capacity)
                if count >= 0 {
                    end = count
                    break
                }
                if errno != EINTR { throw .readFailed(path: path ?? "", OSError(call: "read", errno: errno)) }
            }
        } else {
            let count = min(capacity, memory.count - memoryPosition)
            if count > 0 {
                memory.withUnsafeBufferPointer { bytes in
                    buffer.update(from: bytes.baseAddress! + memoryPosition, count: count)
                }
            }
            memoryPosition += count
            end = count
        }
        bytesRead += end
        return end > 0
    }

    /// Parses the JSON value that starts at the next unread byte with json-c, feeding it chunk after chunk, and
    /// moves past it. `what` names the value in messages (`event`, `key`, `value`).
    /// - Throws: `.malformed` with the offset of the offending byte (the reason names where the value starts);
    ///   `.tooDeep` with the offset where the value starts.
    private func parseValue(_ what: String) throws(TraceReadError) -> ParsedValue {
        let valueStart = position
        json_tokener_reset(tokener)
        while true {
            if start == end {
                guard try refill() else { return .cutOff }
            }
            let text = UnsafeRawPointer(buffer + start).assumingMemoryBound(to: CChar.self)
            let object = json_tokener_parse_ex(tokener, text, Int32(end - start))
            let status = json_tokener_get_error(tokener)
            if status == json_tokener_success {
                start += json_tokener_get_parse_end(tokener)
                return .value(object)
            }
            if status == json_tokener_continue {
                // json-c has taken every byte given and keeps its state; the next chunk continues the value.
                start = end
                continue
            }
            if status == json_tokener_error_depth { throw .tooDeep(offset: valueStart, limit: maxDepth) }
            // json-c stops on the offending byte, or just past a NUL byte, which it takes for the end of the text.
            // The error's offset is that byte; the reason says where the value holding it starts.
            let stop = bufferOffset + start + json_tokener_get_parse_end(tokener)
            let context = "in the \(what) that starts at byte \(valueStart)"
            if status == json_tokener_error_parse_eof {
                throw .malformed(offset: stop - 1, reason: "a NUL byte \(context)")
            }
            throw .malformed(offset: stop,
                             reason: "invalid JSON (\(String(cString: json_tokener_error_desc(status)))) \(context)")
        }
    }

    /// `'x'` for printable ASCII, else `byte 0xNN`.
    private static func describe(_ byte: UInt8) -> String {
        if byte > 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" : "")\(hex)"
    }

    /// What kind of JSON value a byte starts, for messages.
    private static func kind(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): "a number"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): "\(describe(byte)) (true, false or null?)"
        default: describe(byte)
        }
    }
}
