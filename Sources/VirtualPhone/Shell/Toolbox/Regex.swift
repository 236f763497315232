import Foundation

/// POSIX basic and extended regular expressions translated to ICU's syntax, for grep and sed.
/// BRE: `\( \) \{ \} \+ \? \|` are operators and their bare forms literal; ERE the reverse.
enum ToolboxRegex {
    static func make(_ pattern: String, extended: Bool, ignoreCase: Bool = false) -> NSRegularExpression? {
        try? NSRegularExpression(pattern: translate(pattern, extended: extended), options: ignoreCase ? [.caseInsensitive] : [])
    }

    static func translate(_ pattern: String, extended: Bool) -> String {
        let chars = Array(pattern)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "[" {
                // Copy a bracket expression, escaping what ICU would read as operators.
                var j = i + 1
                var body = "["
                if j < chars.count, chars[j] == "^" { body += "^"; j += 1 }
                if j < chars.count, chars[j] == "]" { body += "\\]"; j += 1 }
                while j < chars.count, chars[j] != "]" {
                    if chars[j] == "[", j + 1 < chars.count, chars[j + 1] == ":",
                        let end = String(chars[j...]).range(of: ":]")
                    {
                        let cls = String(String(chars[j...])[..<end.upperBound])
                        body += cls
                        j += cls.count
                        continue
                    }
                    if "[\\&~".contains(chars[j]) { body += "\\" }
                    body.append(chars[j])
                    j += 1
                }
                if j < chars.count { out += body + "]"; i = j + 1 } else { out += "\\["; i += 1 }
                continue
            }
            if c == "\\", i + 1 < chars.count {
                let n = chars[i + 1]
                i += 2
                if !extended, "(){}+?|".contains(n) { out.append(n); continue }
                if n.isNumber || "wWsSbB<>".contains(n) {
                    out += n == "<" || n == ">" ? "\\b" : "\\" + String(n)
                    continue
                }
                out += "\\" + String(n)
                continue
            }
            if !extended, "(){}+?|".contains(c) { out += "\\" + String(c); i += 1; continue }
            if c == "*", out.isEmpty || out == "^" { out += "\\*"; i += 1; continue }
            if extended, c == "{", !(i + 1 < chars.count && chars[i + 1].isNumber) { out += "\\{"; i += 1; continue }
            out.append(c)
            i += 1
        }
        return out
    }
}
