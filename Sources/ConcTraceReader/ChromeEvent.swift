#if canImport(Glibc)
import Glibc
#endif
import CJSONC
import ConcTraceFormat
import ConcTraceSystem

/// An event's `ph` (phase): one ASCII character.
public struct TracePhase: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The character's byte.
    public var rawValue: UInt8

    /// Makes a phase from its byte.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Makes a phase from its character, e.g. `TracePhase("X")`.
    public init(_ character: Unicode.Scalar) {
        precondition(character.isASCII, "phases are ASCII")
        rawValue = UInt8(character.value)
    }

    /// `X`: a slice with `ts` and `dur`.
    public static let complete = TracePhase("X")
    /// `B`: a slice begins (thread track).
    public static let begin = TracePhase("B")
    /// `E`: a slice ends.
    public static let end = TracePhase("E")
    /// `b`: a nestable async span begins.
    public static let asyncBegin = TracePhase("b")
    /// `e`: a nestable async span ends.
    public static let asyncEnd = TracePhase("e")
    /// `n`: a nestable async instant.
    public static let asyncInstant = TracePhase("n")
    /// `s`: a flow arrow starts.
    public static let flowStart = TracePhase("s")
    /// `t`: a flow arrow passes through.
    public static let flowStep = TracePhase("t")
    /// `f`: a flow arrow ends.
    public static let flowEnd = TracePhase("f")
    /// `i`: an instant event.
    public static let instant = TracePhase("i")
    /// `C`: counter values (one series per `args` key).
    public static let counter = TracePhase("C")
    /// `M`: process or thread names and sort order.
    public static let metadata = TracePhase("M")

    /// The character itself.
    public var description: String { String(Character(Unicode.Scalar(rawValue))) }
}

/// One trace event as read: the fields conctrace's analysis uses, each nil when missing or of the wrong JSON type.
public struct ChromeEvent: Sendable, Equatable {
    /// Where `id` came from.
    public enum IDScope: Sendable, Equatable {
        /// `"id"`.
        case plain
        /// `"id2": {"local": ...}`: scoped to the process.
        case local
        /// `"id2": {"global": ...}`.
        case global
    }

    /// `ph`; nil unless a one-character string.
    public var phase: TracePhase?
    /// `name`.
    public var name: String?
    /// `cat` (comma-separated categories, as in the file).
    public var category: String?
    /// `pid`, an integer that fits `Int64`.
    public var pid: Int64?
    /// `tid`, an integer that fits `Int64`.
    public var tid: Int64?
    /// `ts` in microseconds, as in the file; nil if not a finite number.
    public var timestamp: Double?
    /// `ts` in whole nanoseconds: exact for integers and for decimals with up to three fractional digits (below
    /// about 9·10¹² µs), rounded otherwise; nil if it does not fit `Int64`.
    public var timestampNanoseconds: Int64?
    /// `dur` in microseconds.
    public var duration: Double?
    /// `dur` in whole nanoseconds, as `timestampNanoseconds`.
    public var durationNanoseconds: Int64?
    /// `id` (an integer, or a string read as hex with or without `0x`, as Perfetto does), or else the `local` or
    /// `global` member of `id2`. Negative integers keep their bit pattern.
    public var id: UInt64?
    /// Which field `id` came from; nil when `id` is nil.
    public var idScope: IDScope?
    /// `bp` (`"e"`: a flow end binds to the enclosing slice).
    public var bindingPoint: String?
    /// `s`, the scope of an instant event (`t`, `p` or `g`).
    public var scope: String?
    /// `args`, if it is an object.
    public var args: [String: TraceValue]?

    /// Makes an event (for tests and for callers that build events by hand).
    public init(phase: TracePhase? = nil, name: String? = nil, category: String? = nil, pid: Int64? = nil,
                tid: Int64? = nil, timestamp: Double? = nil, timestampNanoseconds: Int64? = nil,
                duration: Double? = nil, durationNanoseconds: Int64? = nil, id: UInt64? = nil,
                idScope: IDScope? = nil, bindingPoint: String? = nil, scope: String? = nil,
                args: [String: TraceValue]? = nil) {
        self.phase = phase
        self.name = name
        self.category = category
        self.pid = pid
        self.tid = tid
        self.timestamp = timestamp
        self.timestampNanoseconds = timestampNanoseconds
        self.duration = duration
        self.durationNanoseconds = durationNanoseconds
        self.id = id
        self.idScope = idScope
        self.bindingPoint = bindingPoint
        self.scope = scope
        self.args = args
    }
}

extension ChromeEvent {
    /// Picks the fields out of a parsed json-c event object, converting nothing else but `args`.
    ///
    /// One walk over the members with a byte switch on each key: cheaper than a hash lookup per field (json-c
    /// hashes and compares the key each time), and an event has fewer members than the fields asked for.
    init(_ object: OpaquePointer) {
        var id2: OpaquePointer?
        var iterator = json_object_iter_begin(object)
        var end = json_object_iter_end(object)
        while json_object_iter_equal(&iterator, &end) == 0 {
            defer { json_object_iter_next(&iterator) }
            guard let name = json_object_iter_peek_name(&iterator), let key = Key(name),
                  let value = json_object_iter_peek_value(&iterator) else { continue }
            let type = json_object_get_type(value)
            switch key {
            case .ph:
                if type == json_type_string, json_object_get_string_len(value) == 1,
                   let text = json_object_get_string(value) {
                    phase = TracePhase(rawValue: UInt8(bitPattern: text[0]))
                }
            case .name: if type == json_type_string { self.name = JSONC.string(value) }
            case .cat: if type == json_type_string { category = JSONC.string(value) }
            case .pid: pid = JSONC.int64(value)
            case .tid: tid = JSONC.int64(value)
            case .ts: (timestamp, timestampNanoseconds) = Self.microseconds(value)
            case .dur: (duration, durationNanoseconds) = Self.microseconds(value)
            case .id:
                if let plain = Self.identifier(value) { (id, idScope) = (plain, .plain) }
            case .id2: if type == json_type_object { id2 = value }
            case .bp: if type == json_type_string { bindingPoint = JSONC.string(value) }
            case .s: if type == json_type_string { scope = JSONC.string(value) }
            case .args:
                if type == json_type_object, case .object(let members) = TraceValue(value) { args = members }
            }
        }
        if id == nil, let id2 {
            if let value = JSONC.member(id2, "local"), let local = Self.identifier(value) {
                (id, idScope) = (local, .local)
            } else if let value = JSONC.member(id2, "global"), let global = Self.identifier(value) {
                (id, idScope) = (global, .global)
            }
        }
    }

    /// The member names `init(_:)` reads.
    private enum Key {
        case ph, name, cat, pid, tid, ts, dur, id, id2, bp, s, args

        /// Recognizes a NUL-terminated key; reads no byte past its terminator.
        init?(_ text: UnsafePointer<CChar>) {
            let key = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
            func rest(_ tail: StaticString) -> Bool {
                // Compares key[1...] with tail and its terminator; stops at the first difference.
                var index = 0
                while index < tail.utf8CodeUnitCount {
                    if key[index + 1] != tail.utf8Start[index] { return false }
                    index += 1
                }
                return key[index + 1] == 0
            }
            switch key[0] {
            case UInt8(ascii: "p"):
                if rest("h") { self = .ph } else if rest("id") { self = .pid } else { return nil }
            case UInt8(ascii: "n"): if rest("ame") { self = .name } else { return nil }
            case UInt8(ascii: "c"): if rest("at") { self = .cat } else { return nil }
            case UInt8(ascii: "t"):
                if rest("s") { self = .ts } else if rest("id") { self = .tid } else { return nil }
            case UInt8(ascii: "d"): if rest("ur") { self = .dur } else { return nil }
            case UInt8(ascii: "i"):
                if rest("d") { self = .id } else if rest("d2") { self = .id2 } else { return nil }
            case UInt8(ascii: "b"): if rest("p") { self = .bp } else { return nil }
            case UInt8(ascii: "s"): if rest("") { self = .s } else { return nil }
            case UInt8(ascii: "a"): if rest("rgs") { self = .args } else { return nil }
            default: return nil
            }
        }
    }

    /// A time in microseconds, and in nanoseconds; (nil, nil) unless a finite number.
    private static func microseconds(_ value: OpaquePointer) -> (Double?, Int64?) {
        switch json_object_get_type(value) {
        case json_type_int:
            // Integers are exact: no detour through Double.
            guard let micros = JSONC.int64(value) else { return (json_object_get_double(value), nil) }
            let (nanos, overflow) = micros.multipliedReportingOverflow(by: 1000)
            return (Double(micros), overflow ? nil : nanos)
        case json_type_double:
            let micros = json_object_get_double(value)
            guard micros.isFinite else { return (nil, nil) }
            return (micros, nanoseconds(microseconds: micros))
        default:
            return (nil, nil)
        }
    }

    /// Whole nanoseconds for a time in microseconds, exact when the file's text had at most three decimals.
    ///
    /// `micros * 1000` can miss the integer by one ulp (816557483.357 is stored as 816557483.35699999...). The text
    /// `N/1000` parses to the double nearest that quotient, which is what `Double(N) / 1000` computes when N is
    /// exact (below 2⁵³), so the N among the rounded product and its neighbours that gives `micros` back is the
    /// file's value.
    static func nanoseconds(microseconds micros: Double) -> Int64? {
        let scaled = (micros * 1000).rounded()
        guard scaled > -9.2e18 && scaled < 9.2e18 else { return nil }
        let nanos = Int64(scaled)
        guard nanos.magnitude < 1 << 53, Double(nanos) / 1000 != micros else { return nanos }
        if Double(nanos - 1) / 1000 == micros { return nanos - 1 }
        if Double(nanos + 1) / 1000 == micros { return nanos + 1 }
        return nanos
    }

    /// An event id: an integer (negative ones keep their bits), or a hex string with or without `0x`.
    private static func identifier(_ value: OpaquePointer) -> UInt64? {
        switch json_object_get_type(value) {
        case json_type_int:
            let signed = json_object_get_int64(value)
            return signed < 0 ? UInt64(bitPattern: signed) : json_object_get_uint64(value)
        case json_type_string:
            var text = Substring(JSONC.string(value))
            if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
            guard !text.isEmpty, text.allSatisfy(\.isHexDigit) else { return nil }
            return UInt64(text, radix: 16)
        default:
            return nil
        }
    }
}
