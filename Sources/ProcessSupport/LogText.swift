/// Making text safe to print in a log line.
package enum LogText {
    /// `text` with every control character (C0 including newline and carriage return, DEL, C1) and every
    /// Unicode bidirectional override written as a `\u{…}` escape. Pools put text into log messages (method
    /// names, `client.show_message`, error strings); escaped, it can neither forge a log line nor drive the
    /// terminal.
    package static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
