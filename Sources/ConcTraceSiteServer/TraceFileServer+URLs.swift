extension TraceFileServer {
    /// `text` with every byte but the URI's unreserved ones (`A-Z a-z 0-9 - . _ ~`) written `%XX`: safe as one
    /// path segment and as a query value (Perfetto's `url=`, whose own `=` and `&` must not show).
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                encoded += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
            }
        }
        return encoded
    }

    /// The bytes of a request's path (the target before any `?`), `%XX` decoded; nil when an escape is malformed.
    static func decodedPath(of uri: String) -> [UInt8]? {
        let path = uri.utf8.prefix { $0 != UInt8(ascii: "?") }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(path.count)
        var index = path.startIndex
        while index != path.endIndex {
            let byte = path[index]
            index = path.index(after: index)
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard index != path.endIndex, let high = hexValue(path[index]) else { return nil }
            index = path.index(after: index)
            guard index != path.endIndex, let low = hexValue(path[index]) else { return nil }
            index = path.index(after: index)
            decoded.append(high << 4 | low)
        }
        return decoded
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
