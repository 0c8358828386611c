#if canImport(Glibc)
import Glibc
#endif
import CJSONC

/// A JSON value read from a trace: an event's `args` entries, or the Object form's `metadata`.
public enum TraceValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer that fits `Int64` (json-c saturates integers beyond 64 bits; those above `Int64.max` arrive as
    /// `double`).
    case int(Int64)
    /// A number with a fraction or exponent (infinite when out of range, as `1e400`).
    case double(Double)
    /// Text; invalid UTF-8 in the file is replaced by U+FFFD.
    case string(String)
    /// An array, in order.
    case array([TraceValue])
    /// An object; of a key given twice, the last value.
    case object([String: TraceValue])

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> TraceValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    /// The text of a `string`.
    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The value of an `int`.
    public var intValue: Int64? {
        if case .int(let value) = self { value } else { nil }
    }

    /// The value of a `double`, or of an `int` as a `Double`.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }
}

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
