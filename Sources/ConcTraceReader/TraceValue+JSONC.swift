#if canImport(Glibc)
import Glibc
#endif
import CJSONC
import ConcTraceFormat

extension TraceValue {
    /// Converts a json-c value (and everything under it; json-c's depth limit bounds the recursion). For this
    /// package's other readers of json-c (the sweep file, a run's JSON line).
    package init(_ object: OpaquePointer?) {
        guard let object else { self = .null; return }
        switch json_object_get_type(object) {
        case json_type_boolean:
            self = .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            if let value = JSONC.int64(object) {
                self = .int(value)
            } else {
                self = .double(json_object_get_double(object))
            }
        case json_type_double:
            self = .double(json_object_get_double(object))
        case json_type_string:
            self = .string(JSONC.string(object))
        case json_type_array:
            let count = json_object_array_length(object)
            var elements: [TraceValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                elements.append(TraceValue(json_object_array_get_idx(object, index)))
            }
            self = .array(elements)
        case json_type_object:
            var members: [String: TraceValue] = [:]
            var iterator = json_object_iter_begin(object)
            var end = json_object_iter_end(object)
            while json_object_iter_equal(&iterator, &end) == 0 {
                if let name = json_object_iter_peek_name(&iterator) {
                    members[String(decoding: UnsafeRawBufferPointer(start: name, count: strlen(name)), as: UTF8.self)] =
                        TraceValue(json_object_iter_peek_value(&iterator))
                }
                json_object_iter_next(&iterator)
            }
            self = .object(members)
        default:
            self = .null
        }
    }
}

/// Small readers of json-c scalars that never trap and never clamp silently (for this package's json-c readers).
package enum JSONC {
    /// An integer that fits `Int64`; nil for other types and for integers json-c holds as a larger `UInt64`.
    package static func int64(_ object: OpaquePointer) -> Int64? {
        guard json_object_get_type(object) == json_type_int else { return nil }
        let value = json_object_get_int64(object)
        // json-c saturates at Int64.max when it holds a UInt64 beyond it.
        if value == .max && json_object_get_uint64(object) != UInt64(Int64.max) { return nil }
        return value
    }

    /// The text of a json-c string, with embedded NULs kept and invalid UTF-8 repaired.
    package static func string(_ object: OpaquePointer) -> String {
        guard let base = json_object_get_string(object) else { return "" }
        let count = Int(json_object_get_string_len(object))
        return String(decoding: UnsafeRawBufferPointer(start: base, count: count), as: UTF8.self)
    }

    /// The member `key` of a json-c object, if present (cheap: one hash lookup, nothing converted).
    @inline(__always)
    package static func member(_ object: OpaquePointer, _ key: String) -> OpaquePointer? {
        var value: OpaquePointer?
        guard json_object_object_get_ex(object, key, &value) != 0 else { return nil }
        return value
    }
}

extension TraceValue {
    /// Parses one JSON document (a run's `--format json` line, a small results file) with json-c; nil when the text
    /// is not exactly one JSON value (blank around it allowed).
    public init?(parsing text: String) {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        guard let tokener = json_tokener_new() else { return nil }
        defer { json_tokener_free(tokener) }
        let parsed = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { json_tokener_parse_ex(tokener, $0.baseAddress, Int32($0.count)) }
        }
        defer { json_object_put(parsed) }
        guard json_tokener_get_error(tokener) == json_tokener_success else { return nil }
        let end = json_tokener_get_parse_end(tokener)
        guard bytes[end...].allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return nil }
        bytes.removeAll()
        self.init(parsed)
    }
}

/// The json-c library the reader links.
public enum JSONLibrary {
    /// Its version, as it says it.
    public static var version: String { String(cString: json_c_version()) }
}
