/// Text from input (a trace, a sweep file, a child's error, a path given on the command line) made safe to print
/// on a terminal.
///
/// A trace is untrusted: a host name such as `vm\e]0;PWNED\a\e[2J\nFAKE LINE` would set the terminal's title,
/// clear the screen and print a line of its own if printed raw. `escaped(_:)` turns every character a terminal may
/// obey into visible escapes, so the text prints as one line that says what it holds; ordinary text in any script
/// passes unchanged. Every message and every text or markdown rendering of input goes through it (the CLI applies it
/// to each line it prints from input).
public enum TerminalText {
    /// Whether a character must not reach a terminal raw: C0 controls (U+0000–U+001F, line breaks and tab
    /// included, ESC among them), DEL (U+007F), C1 controls (U+0080–U+009F: terminals that read UTF-8 may obey
    /// them, U+009B as CSI), the line and paragraph separators (U+2028, U+2029), and the bidirectional marks,
    /// embeddings, overrides and isolates (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make a line
    /// read other than it is.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `text` with every unsafe character (`isUnsafe`) written as a visible escape: `\n`, `\r`, `\t`, `\xHH` for
    /// the other C0, DEL and C1 characters (ESC is `\x1B`), `\u{HHHH}` for the others. Backslashes are kept as
    /// they are. Returns `text` itself when nothing needs escaping.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                out += scalar.value <= 0xFF ? "\\x" + hex(scalar.value, digits: 2) : "\\u{" + hex(scalar.value, digits: 4) + "}"
            }
        }
        return out
    }

    /// JSON text with every unsafe character that JSON allows raw inside a string (DEL, C1, the separators and the
    /// bidirectional controls; C0 is escaped by every JSON writer) written as a `\uHHHH` escape. The result is the
    /// same JSON value: such characters can only occur inside string literals.
    public static func escapingJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isUnsafe) else { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count + 16)
        for scalar in json.unicodeScalars {
            if isUnsafe(scalar) {
                out += "\\u" + hex(scalar.value, digits: 4).lowercased()
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Input quoted for a message, cut to `limit` characters (a hostile key may be megabytes long): `"a\nb"`.
    public static func quoted(_ text: String, limit: Int = 64) -> String {
        let cut = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + escaped(cut) + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
