extension TraceFileServer {
    /// What a request's `Range` header asks of a file of a given size (RFC 9110 §14), one range at most.
    enum ByteRange: Equatable {
        /// No `Range`, or one this server answers with the whole file (several ranges, another unit, bad syntax:
        /// RFC 9110 lets a server ignore those).
        case whole
        /// Bytes `lower...upper` of the file (both inclusive, `upper` clamped to the last byte): a 206.
        case partial(lower: Int, upper: Int)
        /// A range that starts past the end of the file (or a suffix of zero bytes): a 416.
        case unsatisfiable

        /// Reads `header` (`bytes=0-99`, `bytes=100-`, `bytes=-100`) for a file of `size` bytes.
        init(header: String?, size: Int) {
            guard let header else {
                self = .whole
                return
            }
            let prefix = "bytes="
            guard header.hasPrefix(prefix) else {
                self = .whole
                return
            }
            let spec = header.dropFirst(prefix.count).trimmingSpaces
            guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
                self = .whole
                return
            }
            let first = spec[..<dash].trimmingSpaces
            let last = spec[spec.index(after: dash)...].trimmingSpaces
            switch (Self.number(first), Self.number(last)) {
            case (nil, let suffix?) where first.isEmpty:
                // The last `suffix` bytes.
                self = suffix == 0 || size == 0
                    ? .unsatisfiable : .partial(lower: max(0, size - suffix), upper: size - 1)
            case (let lower?, nil) where last.isEmpty:
                self = lower < size ? .partial(lower: lower, upper: size - 1) : .unsatisfiable
            case (let lower?, let upper?) where lower <= upper:
                self = lower < size ? .partial(lower: lower, upper: min(upper, size - 1)) : .unsatisfiable
            default:
                self = .whole
            }
        }

        /// A run of at most 18 decimal digits (no sign), or nil.
        private static func number(_ text: Substring) -> Int? {
            guard !text.isEmpty, text.utf8.count <= 18,
                  text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            else { return nil }
            return Int(text)
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
