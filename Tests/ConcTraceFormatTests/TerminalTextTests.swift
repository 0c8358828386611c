import ConcTraceFormat
import Testing

/// Text from a trace or a sweep file is printed on terminals: `TerminalText.escaped` leaves ordinary text (any
/// script, emoji) alone and turns every control character into visible escapes. Guards issue 14 item 8.
@Suite("Terminal text")
struct TerminalTextTests {
    @Test("the issue's host name prints as one harmless line")
    func issueHost() {
        let host = "vm\u{1B}]0;PWNED\u{07}\u{1B}[2J\nFAKE LINE"
        let escaped = TerminalText.escaped(host)
        #expect(escaped == #"vm\x1B]0;PWNED\x07\x1B[2J\nFAKE LINE"#)
    }

    @Test("C0, DEL, C1, line separators and bidirectional overrides are escaped; ordinary UTF-8 is kept")
    func classes() {
        #expect(TerminalText.escaped("tab\there\r\0") == #"tab\there\r\x00"#)
        #expect(TerminalText.escaped("del\u{7F} csi\u{9B}31m nel\u{85}") == #"del\x7F csi\x9B31m nel\x85"#)
        #expect(TerminalText.escaped("a\u{2028}b\u{202E}c\u{2066}d") == #"a\u{2028}b\u{202E}c\u{2066}d"#)
        let ordinary = "héllo wörld 漢字 ✓ 🚀 naïve – “quoted” \\ back\\slash"
        #expect(TerminalText.escaped(ordinary) == ordinary)
        #expect(TerminalText.escaped("") == "")
    }

    @Test("JSON text: unsafe characters that JSON allows raw are written as \\u escapes")
    func json() {
        let json = "\"a\\u001bb\u{7F}c\u{9B}d\u{202E}e\""
        #expect(TerminalText.escapingJSON(json) == #""a\u001bb\u007fc\u009bd\u202ee""#)
        #expect(TerminalText.escapingJSON(#"{"k":"plain ✓"}"#) == #"{"k":"plain ✓"}"#)
    }
}
