/// A hand-written matcher for the GLM-4 pre-tokenizer regex (see `Tokenizer.glmPattern`), with
/// Oniguruma's semantics: ordered alternatives, greedy quantifiers with backtracking, `\s` =
/// Unicode White_Space, `\p{L}` / `\p{N}` = the Letter / Number general categories. It is the fast
/// path for this one pattern; any other pattern goes to `RegexSplitter`.
enum GLMPreTokenizer {
    /// GLM-4's Split pattern (also OpenAI's cl100k).
    static let pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
    static func isNewline(_ s: Unicode.Scalar) -> Bool { s == "\r" || s == "\n" }

    /// Splits `text` into pre-tokens (every scalar belongs to exactly one piece).
    static func split(_ text: Substring) -> [Substring] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [Substring] = []
        var indices: [String.UnicodeScalarView.Index] = []
        indices.reserveCapacity(scalars.count + 1)
        var idx = text.unicodeScalars.startIndex
        for _ in 0..<scalars.count {
            indices.append(idx)
            idx = text.unicodeScalars.index(after: idx)
        }
        indices.append(text.unicodeScalars.endIndex)
        var pos = 0
        var gapStart = 0
        while pos < scalars.count {
            if let len = match(scalars, pos), len > 0 {
                if gapStart < pos { pieces.append(Substring(text.unicodeScalars[indices[gapStart]..<indices[pos]])) }
                pieces.append(Substring(text.unicodeScalars[indices[pos]..<indices[pos + len]]))
                pos += len
                gapStart = pos
            } else {
                pos += 1
            }
        }
        if gapStart < scalars.count {
            pieces.append(Substring(text.unicodeScalars[indices[gapStart]..<indices[scalars.count]]))
        }
        return pieces
    }

    /// Length of the match at `p`, or nil.
    static func match(_ s: [Unicode.Scalar], _ p: Int) -> Int? {
        let n = s.count
        let c = s[p]
        // 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if c == "'", p + 1 < n {
            let a = lower(s[p + 1])
            if a == "s" || a == "t" || a == "m" || a == "d" {
                // 's and 't come before 're etc. in the alternation; single letters win immediately.
                return 2
            }
            if p + 2 < n {
                let b = lower(s[p + 2])
                if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return 3 }
            }
        }
        // 2. [^\r\n\p{L}\p{N}]?\p{L}+
        if isLetter(c) {
            var e = p + 1
            while e < n, isLetter(s[e]) { e += 1 }
            return e - p
        }
        if !isNewline(c), !isNumber(c), p + 1 < n, isLetter(s[p + 1]) {
            var e = p + 2
            while e < n, isLetter(s[e]) { e += 1 }
            return e - p
        }
        // 3. \p{N}{1,3}
        if isNumber(c) {
            var e = p + 1
            while e < n, e - p < 3, isNumber(s[e]) { e += 1 }
            return e - p
        }
        // 4. ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        func symbol(_ x: Unicode.Scalar) -> Bool { !isSpace(x) && !isLetter(x) && !isNumber(x) }
        var q = p
        if c == " ", p + 1 < n, symbol(s[p + 1]) { q = p + 1 }
        if symbol(s[q]) {
            var e = q + 1
            while e < n, symbol(s[e]) { e += 1 }
            while e < n, isNewline(s[e]) { e += 1 }
            return e - p
        }
        // 5.–7. whitespace runs
        guard isSpace(c) else { return nil }
        var runEnd = p + 1
        while runEnd < n, isSpace(s[runEnd]) { runEnd += 1 }
        // 5. \s*[\r\n]+ : ends after the last CR/LF of the run.
        var lastNL = -1
        for k in p..<runEnd where isNewline(s[k]) { lastNL = k }
        if lastNL >= 0 { return lastNL + 1 - p }
        // 6. \s+(?!\S)
        if runEnd == n { return runEnd - p }
        if runEnd - p >= 2 { return runEnd - 1 - p }
        // 7. \s+
        return runEnd - p
    }

    static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value >= 65 && s.value <= 90 { return Unicode.Scalar(s.value + 32) ?? s }
        return s
    }
}
