/// Text made safe inside XML and HTML, in element content and in quoted attribute values: the
/// five special characters become entities, and the characters XML 1.0 cannot hold (control
/// characters other than tab, newline and carriage return; U+FFFE and U+FFFF) are dropped. One
/// escaper for every report and page Tether writes (JUnit XML, HTML reports, episode pages).
public enum Markup {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
