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
