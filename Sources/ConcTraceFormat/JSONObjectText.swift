/// A one-line JSON object with keys in the order added: the CLI's `--format json` output.
public struct JSONObjectText: ~Copyable {
    private var line = JSONLine(reservingCapacity: 256)

    /// Makes an empty object.
    public init() {
        line.beginObject()
    }

    /// Adds a string, or `null` for nil.
    public mutating func add(_ key: String, _ value: String?) {
        line.key(key)
        if let value { line.string(value) } else { line.raw("null"); line.markValue() }
    }

    /// Adds an integer.
    public mutating func add(_ key: String, _ value: Int) {
        line.key(key)
        line.int(value)
    }

    /// Adds a number (`null` when not finite).
    public mutating func add(_ key: String, _ value: Double) {
        line.key(key)
        line.double(value)
    }

    /// Adds an already-encoded JSON value (an array or object made with another `JSONObjectText`).
    public mutating func add(_ key: String, json: String) {
        line.key(key)
        line.appendRaw(json)
    }

    /// A JSON string literal for `text`, escaped as the trace writer escapes (one escaping for every JSON conctrace
    /// writes).
    public static func quoted(_ text: String) -> String {
        var line = JSONLine(reservingCapacity: text.utf8.count + 2)
        line.string(text)
        return String(decoding: line.bytes, as: UTF8.self)
    }

    /// The object's text.
    public var text: String {
        String(decoding: line.bytes, as: UTF8.self) + "}"
    }
}
