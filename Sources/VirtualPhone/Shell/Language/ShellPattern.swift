/// Shell pattern matching (`*`, `?`, `[…]`, `[!…]`) for `case`, `${x#pat}` and globbing.
/// A character marked literal (it was quoted) matches only itself.
struct ShellPattern: Sendable {
    struct Element: Sendable, Equatable {
        var character: Character
        var literal: Bool
    }

    var elements: [Element]

    init(_ elements: [Element]) { self.elements = elements }
    init(literal text: String) { elements = text.map { Element(character: $0, literal: true) } }

    var hasWildcards: Bool { elements.contains { !$0.literal && ($0.character == "*" || $0.character == "?" || $0.character == "[") } }

    func matches(_ text: String) -> Bool { Self.match(elements[...], Array(text)[...]) }

    /// The longest or shortest prefix or suffix of `text` this pattern matches, for `${x#…}` and friends.
    func strip(_ text: String, suffix: Bool, longest: Bool) -> String {
        let chars = Array(text)
        let lengths = longest ? Array((0...chars.count).reversed()) : Array(0...chars.count)
        for n in lengths {
            let part = suffix ? chars[(chars.count - n)...] : chars[..<n]
            if Self.match(elements[...], part) { return String(suffix ? chars[..<(chars.count - n)] : chars[n...]) }
        }
        return text
    }

    private static func match(_ p: ArraySlice<Element>, _ s: ArraySlice<Character>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if !first.literal, first.character == "*" {
            let rest = p.dropFirst()
            var i = s.startIndex
            while true {
                if match(rest, s[i...]) { return true }
                if i == s.endIndex { return false }
                i += 1
            }
        }
        guard let c = s.first else { return false }
        if !first.literal, first.character == "?" { return match(p.dropFirst(), s.dropFirst()) }
        if !first.literal, first.character == "[", let (matched, rest) = bracket(p.dropFirst(), c) {
            return matched && match(rest, s.dropFirst())
        }
        return first.character == c && match(p.dropFirst(), s.dropFirst())
    }

    /// A bracket expression after its `[`: whether `c` is in it, and the pattern after its `]`;
    /// nil when there is no closing `]` (then `[` is an ordinary character).
    private static func bracket(_ p: ArraySlice<Element>, _ c: Character) -> (Bool, ArraySlice<Element>)? {
        var i = p.startIndex
        var negate = false
        if i < p.endIndex, !p[i].literal, p[i].character == "!" || p[i].character == "^" { negate = true; i += 1 }
        var found = false
        var first = true
        while i < p.endIndex {
            let e = p[i]
            if e.character == "]", !e.literal, !first { return (found != negate, p[(i + 1)...]) }
            first = false
            if i + 2 < p.endIndex, p[i + 1].character == "-", !p[i + 1].literal, p[i + 2].character != "]" {
                if e.character <= c && c <= p[i + 2].character { found = true }
                i += 3
                continue
            }
            if e.character == c { found = true }
            i += 1
        }
        return nil
    }
}
