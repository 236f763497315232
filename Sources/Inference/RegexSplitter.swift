import Foundation

/// A Split pre-tokenizer on any regular expression, run by ICU (NSRegularExpression).
///
/// `tokenizers` runs these patterns with Oniguruma. The two agree on the constructs these
/// patterns use (alternation order, greedy quantifiers, `(?i:…)`, `(?!…)`, `\p{L}`, `\p{N}`,
/// `\p{Lu}`…) except `\s`: ICU's leaves out U+000B and U+0085, which Oniguruma counts as white
/// space, so `ICUPattern.translate` adds them.
///
/// `@unchecked Sendable`: NSRegularExpression is immutable after creation and documented as
/// safe to use from several threads at once.
final class RegexSplitter: @unchecked Sendable {
    let pattern: String
    let regex: NSRegularExpression

    init(pattern: String) throws {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: ICUPattern.translate(pattern))
        } catch {
            throw InferenceError.tokenizer(
                "the pre_tokenizer pattern \(pattern.debugDescription) is not a regular expression ICU accepts (\(error)); check tokenizer.json")
        }
    }

    /// Matches and the text between them, each a piece (empty matches are skipped).
    func split(_ text: Substring) -> [Substring] {
        let s = String(text)
        let utf16 = s.utf16
        var pieces: [Substring] = []
        var last = utf16.startIndex
        for m in regex.matches(in: s, range: NSRange(location: 0, length: utf16.count)) where m.range.length > 0 {
            let lo = utf16.index(utf16.startIndex, offsetBy: m.range.location)
            let hi = utf16.index(lo, offsetBy: m.range.length)
            // Slices through the scalar view: a Character slice would round to grapheme edges
            // and lose a piece boundary inside "\r\n" or before a combining mark.
            if last < lo { pieces.append(Substring(s.unicodeScalars[last..<lo])) }
            pieces.append(Substring(s.unicodeScalars[lo..<hi]))
            last = hi
        }
        if last < utf16.endIndex { pieces.append(Substring(s.unicodeScalars[last...])) }
        return pieces
    }
}

/// Rewrites an Oniguruma pattern (as tokenizer.json holds it) into one ICU reads the same way.
enum ICUPattern {
    /// `\s` becomes `[\s\x{0B}\x{85}]` (inside a class: `\s\x{0B}\x{85}`); `\S` outside a class
    /// becomes `[^\s\x{0B}\x{85}]`. Everything else is kept as written.
    static func translate(_ pattern: String) -> String {
        var out = ""
        var inClass = 0
        var escaped = false
        for c in pattern {
            if escaped {
                escaped = false
                switch (c, inClass > 0) {
                case ("s", false): out += #"[\s\x{0B}\x{85}]"#
                case ("s", true): out += #"\s\x{0B}\x{85}"#
                case ("S", false): out += #"[^\s\x{0B}\x{85}]"#
                default: out += "\\" + String(c)
                }
                continue
            }
            switch c {
            case "\\": escaped = true; continue
            case "[": inClass += 1
            case "]": inClass = max(0, inClass - 1)
            default: break
            }
            out.append(c)
        }
        if escaped { out += "\\" }
        return out
    }
}
