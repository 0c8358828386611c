/// Builds JSON text into a growable byte buffer without Foundation: fast enough for one trace line per event.
///
/// Bytes go through a raw pointer (no per-byte uniqueness checks as with `Array.append`), the buffer is reused
/// across drain rounds, and strings that need no escaping are copied in one go. Callers write keys and values in
/// order and the builder puts in commas; it does not check nesting: writers of fixed, known shapes (trace events,
/// one-line JSON results) are its users. Not copyable: one owner, one buffer.
public struct JSONLine: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0
    private var needsComma = false

    /// Makes an empty builder.
    public init(reservingCapacity capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The text so far.
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Forgets the text, keeping the memory.
    public mutating func removeAll() {
        count = 0
        needsComma = false
    }

    // MARK: Structure

    /// `{`, after a comma when a value came before.
    public mutating func beginObject() {
        separate()
        append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// `}`.
    public mutating func endObject() {
        append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `"name":`, after a comma when a value came before (a key that needs no escaping).
    public mutating func key(_ name: StaticString) {
        separate()
        append(UInt8(ascii: "\""))
        name.withUTF8Buffer { append($0) }
        append(UInt8(ascii: "\""))
        append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// `"name":`, escaped.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Appends text as it is (a separator between events); the next value starts without a comma.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
        needsComma = false
    }

    /// Marks that a value was just written (after `raw`), so the next key gets its comma.
    public mutating func markValue() {
        needsComma = true
    }

    /// Appends already-encoded JSON as one value.
    public mutating func appendRaw(_ json: String) {
        separate()
        var json = json
        json.withUTF8 { append($0) }
        needsComma = true
    }

    // MARK: Values

    /// A JSON string, escaped.
    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// A JSON string, escaped.
    public mutating func string(_ value: StaticString) {
        separate()
        if value.hasPointerRepresentation {
            append(UInt8(ascii: "\""))
            value.withUTF8Buffer { appendEscaped($0) }
            append(UInt8(ascii: "\""))
        } else {
            appendQuoted(value.description)
        }
        needsComma = true
    }

    /// `"<label> <index>"`: a task's name, written without making a String (`label` is UTF-8).
    public mutating func taskName(_ label: UnsafeBufferPointer<UInt8>, index: UInt64?) {
        separate()
        append(UInt8(ascii: "\""))
        appendEscaped(label)
        if let index {
            append(UInt8(ascii: " "))
            appendDecimal(index)
        }
        append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Appends already-encoded JSON bytes as one value.
    public mutating func appendRaw(bytes: UnsafeBufferPointer<UInt8>) {
        separate()
        append(bytes)
        needsComma = true
    }

    /// An integer, exact (up to 128 bits).
    public mutating func int<T: BinaryInteger>(_ value: T) {
        separate()
        appendDecimal(value)
        needsComma = true
    }

    /// A number as Swift prints it (shortest round-trip); `null` when not finite.
    public mutating func double(_ value: Double) {
        separate()
        if value.isFinite {
            var text = value.description
            text.withUTF8 { append($0) }
        } else {
            raw("null")
        }
        needsComma = true
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        if value { raw("true") } else { raw("false") }
        needsComma = true
    }

    /// Any `TraceValue`; an object's members sorted by key, so the text is stable.
    public mutating func value(_ value: TraceValue) {
        switch value {
        case .null: raw("null"); markValue()
        case .bool(let flag): bool(flag)
        case .int(let integer): int(integer)
        case .double(let number): double(number)
        case .string(let text): string(text)
        case .array(let elements):
            separate()
            append(UInt8(ascii: "["))
            needsComma = false
            for element in elements { self.value(element) }
            append(UInt8(ascii: "]"))
            needsComma = true
        case .object(let members):
            beginObject()
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                key(name)
                self.value(member)
            }
            endObject()
        }
    }

    /// A monotonic nanosecond timestamp as Chrome's microseconds with three decimals: no precision lost.
    public mutating func microseconds(fromNanoseconds value: UInt64) {
        separate()
        appendDecimal(value / 1000)
        let fraction = value % 1000
        if fraction != 0 {
            reserve(4)
            base[count] = UInt8(ascii: ".")
            base[count + 1] = UInt8(ascii: "0") + UInt8(fraction / 100)
            base[count + 2] = UInt8(ascii: "0") + UInt8(fraction / 10 % 10)
            base[count + 3] = UInt8(ascii: "0") + UInt8(fraction % 10)
            count += 4
        }
        needsComma = true
    }

    // MARK: Bytes

    @inline(__always)
    private mutating func separate() {
        if needsComma { append(UInt8(ascii: ",")) }
    }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: extra) }
    }

    private mutating func grow(toHold extra: Int) {
        var grown = capacity * 2
        while grown < count + extra { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = grown
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    private mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let source = buffer.baseAddress, !buffer.isEmpty else { return }
        reserve(buffer.count)
        (base + count).update(from: source, count: buffer.count)
        count += buffer.count
    }

    private mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        // 39 digits hold 128 bits; one more for the sign.
        reserve(40)
        if value == 0 {
            base[count] = UInt8(ascii: "0")
            count += 1
            return
        }
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 0
        var probe = magnitude
        while probe > 0 {
            probe /= 10
            digits += 1
        }
        var position = count + digits - 1
        while magnitude > 0 {
            base[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        }
        count += digits
    }

    private mutating func appendQuoted(_ value: String) {
        append(UInt8(ascii: "\""))
        var copy = value
        copy.withUTF8 { appendEscaped($0) }
        append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        // Most names need no escaping: copy them whole.
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            append(utf8)
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(UInt8(ascii: "\\")); append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                hex.withUTF8Buffer { digits in
                    append(UInt8(ascii: "\\")); append(UInt8(ascii: "u")); append(UInt8(ascii: "0"))
                    append(UInt8(ascii: "0")); append(digits[Int(byte >> 4)]); append(digits[Int(byte & 0xF)])
                }
            default: append(byte)
            }
        }
    }
}
