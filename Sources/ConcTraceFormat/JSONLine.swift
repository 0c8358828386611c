/// Builds JSON text into a growable byte buffer without Foundation: fast enough for several trace lines per event.
///
/// Bytes go through a raw pointer (no per-byte uniqueness checks as with `Array.append`), the buffer is reused
/// across drain rounds, and strings that need no escaping are copied in one go. Callers write keys and values in
/// order and the builder puts in commas; it does not check nesting: writers of fixed, known shapes (trace events,
/// one-line JSON results) are its users. Not copyable: one owner, one buffer.
///
/// Two levels: the structured calls (`key`, `string`, `int`, ...) put in commas; the byte-level calls
/// (`fragment`, `decimal`, `decimalMicroseconds`, `escaped`) append exactly what they are given, for writers of
/// hot, fixed shapes (the trace converter writes each event line as template fragments and numbers). They are
/// inlinable, so the converter's calls compile to stores into the buffer.
public struct JSONLine: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var length = 0
    @usableFromInline var needsComma = false

    /// Bytes written so far.
    public var count: Int { length }

    /// Makes an empty builder.
    public init(reservingCapacity capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The text so far.
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: length) }

    /// Forgets the text, keeping the memory.
    public mutating func removeAll() {
        length = 0
        needsComma = false
    }

    // MARK: Bytes as they are (no commas)

    /// Appends `text` as it is: a piece of a fixed line shape (`{"ph":"X","name":"`). Leaves the comma state alone.
    /// Always inlined: the length is a constant at each call, so the copy compiles to a few moves.
    @inlinable @inline(__always)
    public mutating func fragment(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        reserve(count)
        (base + length).update(from: text.utf8Start, count: count)
        length += count
    }

    /// Appends `bytes` as they are (already-encoded JSON, or text known to need no escaping).
    @inlinable
    public mutating func fragment(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + length).update(from: source, count: bytes.count)
        length += bytes.count
    }

    /// Appends the decimal digits of `value`: counted with a few comparisons, then written from the last, two at a
    /// time from a table.
    @inlinable @inline(__always)
    public mutating func decimal(_ value: UInt64) {
        reserve(20)
        let digits = Self.digitCount(value)
        let pairs: StaticString = """
            00010203040506070809101112131415161718192021222324252627282930313233343536373839\
            40414243444546474849505152535455565758596061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899
            """
        let table = pairs.utf8Start
        var position = length + digits
        var rest = value
        while rest >= 100 {
            let quotient = rest / 100
            let pair = Int(truncatingIfNeeded: rest &- quotient &* 100) &* 2
            rest = quotient
            position -= 2
            base[position] = table[pair]
            base[position + 1] = table[pair + 1]
        }
        if rest >= 10 {
            let pair = Int(truncatingIfNeeded: rest) &* 2
            base[position - 2] = table[pair]
            base[position - 1] = table[pair + 1]
        } else {
            base[position - 1] = UInt8(truncatingIfNeeded: 48 &+ rest)
        }
        length += digits
    }

    /// How many decimal digits `value` has.
    @inlinable @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        if value < 100_000 {
            if value < 100 { return value < 10 ? 1 : 2 }
            return value < 1_000 ? 3 : value < 10_000 ? 4 : 5
        }
        if value < 10_000_000_000 {
            if value < 10_000_000 { return value < 1_000_000 ? 6 : 7 }
            return value < 100_000_000 ? 8 : value < 1_000_000_000 ? 9 : 10
        }
        var digits = 10
        var rest = value / 10_000_000_000
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    /// Appends the decimal digits of a 128-bit value (a cpu task's exact sum).
    public mutating func decimal(_ value: UInt128) {
        if let small = UInt64(exactly: value) {
            decimal(small)
            return
        }
        // 19 digits at a time: the high part first, then the low part padded with zeros.
        let unit: UInt128 = 10_000_000_000_000_000_000
        decimal(value / unit)
        let low = UInt64(value % unit)
        reserve(19)
        var position = length + 19
        var rest = low
        while position > length {
            position -= 1
            base[position] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        }
        length += 19
    }

    /// Appends nanoseconds as Chrome's microseconds with three decimals when they are not whole (no precision lost).
    @inlinable
    public mutating func decimalMicroseconds(_ nanoseconds: UInt64) {
        decimal(nanoseconds / 1000)
        let fraction = UInt32(truncatingIfNeeded: nanoseconds % 1000)
        guard fraction != 0 else { return }
        reserve(4)
        let hundreds = fraction / 100
        let tens = fraction / 10 - hundreds * 10
        base[length] = UInt8(ascii: ".")
        base[length + 1] = UInt8(truncatingIfNeeded: 48 + hundreds)
        base[length + 2] = UInt8(truncatingIfNeeded: 48 + tens)
        base[length + 3] = UInt8(truncatingIfNeeded: 48 + fraction % 10)
        length += 4
    }

    /// Appends UTF-8 text escaped for a JSON string, without the quotes.
    public mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        appendEscaped(utf8)
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
        if let small = UInt64(exactly: value) {
            decimal(small)
        } else {
            appendDecimal(value)
        }
        needsComma = true
    }

    /// An integer.
    public mutating func int(_ value: UInt64) {
        separate()
        decimal(value)
        needsComma = true
    }

    /// An integer.
    public mutating func int(_ value: UInt32) {
        int(UInt64(value))
    }

    /// An integer.
    public mutating func int(_ value: Int64) {
        separate()
        if value < 0 { append(UInt8(ascii: "-")) }
        decimal(value.magnitude)
        needsComma = true
    }

    /// An integer.
    public mutating func int(_ value: Int) {
        int(Int64(value))
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
        decimalMicroseconds(value)
        needsComma = true
    }

    // MARK: Bytes

    @inline(__always)
    private mutating func separate() {
        if needsComma { append(UInt8(ascii: ",")) }
    }

    /// Makes room for `extra` more bytes.
    @inlinable
    public mutating func reserve(_ extra: Int) {
        if length + extra > capacity { grow(toHold: extra) }
    }

    @usableFromInline
    mutating func grow(toHold extra: Int) {
        var grown = capacity * 2
        while grown < length + extra { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: base, count: length)
        base.deallocate()
        base = larger
        capacity = grown
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        base[length] = byte
        length += 1
    }

    @inline(__always)
    private mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        fragment(buffer)
    }

    private mutating func appendDecimal<T: BinaryInteger>(_ value: T) {
        // 39 digits hold 128 bits; one more for the sign.
        reserve(40)
        if value == 0 {
            base[length] = UInt8(ascii: "0")
            length += 1
            return
        }
        if value < 0 {
            base[length] = UInt8(ascii: "-")
            length += 1
        }
        var magnitude = value.magnitude
        var digits = 0
        var probe = magnitude
        while probe > 0 {
            probe /= 10
            digits += 1
        }
        var position = length + digits - 1
        while magnitude > 0 {
            base[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        }
        length += digits
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
