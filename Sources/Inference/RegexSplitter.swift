import Foundation

/// A Split pre-tokenizer on any regular expression, run by ICU (NSRegularExpression).
///
/// `tokenizers` runs these patterns with Oniguruma. The two agree on the constructs these
/// patterns use: alternation order, greedy quantifiers, `(?i:…)`, `(?!…)`, `\p{L}`, `\p{N}`,
/// `\p{Lu}`…, and `\s` as Unicode White_Space (U+000B and U+0085 included); the fixtures of
/// Scripts/make-tokenizer-fixtures check it.
///
/// `@unchecked Sendable`: NSRegularExpression is immutable after creation and documented as
/// safe to use from several threads at once.
final class RegexSplitter: @unchecked Sendable {
    let pattern: String
    let regex: NSRegularExpression

    init(pattern: String) throws {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: pattern)
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
