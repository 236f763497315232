/// Splits a shell script into words and operators as sh does: a word keeps its quotes,
/// `$(…)`, `${…}`, `$((…))` and backquotes verbatim (expansion reads them later); `#` starts a
/// comment where a word could start; digits right before `<` or `>` name a file descriptor.
struct ShellLexer {
    enum Token: Equatable, Sendable {
        case word(String)
        case ioNumber(Int)
        case op(String)
        case newline
        case end
    }

    private let chars: [Character]
    private var index = 0

    init(_ source: String) { chars = Array(source) }

    static func tokens(_ source: String) throws(ShellError) -> [Token] {
        var lexer = ShellLexer(source)
        var out: [Token] = []
        while true {
            let token = try lexer.next()
            out.append(token)
            if token == .end { return out }
        }
    }

    private static let operators = ["&&", "||", ";;", "<<-", "<<", ">>", "<&", ">&", "<>", ">|", "&", "|", ";", "<", ">", "(", ")"]

    private func peek(_ offset: Int = 0) -> Character? { index + offset < chars.count ? chars[index + offset] : nil }

    private static func isMeta(_ c: Character) -> Bool { " \t\n;&|()<>".contains(c) }

    mutating func next() throws(ShellError) -> Token {
        while let c = peek(), c == " " || c == "\t" || (c == "\\" && peek(1) == "\n") { index += c == "\\" ? 2 : 1 }
        guard let c = peek() else { return .end }
        if c == "#" {
            while let d = peek(), d != "\n" { index += 1 }
            return try next()
        }
        if c == "\n" { index += 1; return .newline }
        for op in Self.operators where matches(op) {
            index += op.count
            return .op(op)
        }
        let start = index
        try scanWord()
        let word = String(chars[start..<index])
        if word.allSatisfy(\.isNumber), let next = peek(), next == "<" || next == ">", let fd = Int(word) { return .ioNumber(fd) }
        return .word(word)
    }

    private func matches(_ op: String) -> Bool {
        var i = index
        for ch in op {
            guard i < chars.count, chars[i] == ch else { return false }
            i += 1
        }
        return true
    }

    private mutating func scanWord() throws(ShellError) {
        while let c = peek(), !Self.isMeta(c) {
            try scanUnit(inDoubleQuotes: false)
        }
    }

    /// One character or quoted/substituted unit of a word.
    private mutating func scanUnit(inDoubleQuotes: Bool) throws(ShellError) {
        guard let c = peek() else { return }
        switch c {
        case "\\":
            index += min(2, chars.count - index)
        case "'" where !inDoubleQuotes:
            index += 1
            while let d = peek(), d != "'" { index += 1 }
            guard peek() == "'" else { throw .syntax("unterminated quoted string") }
            index += 1
        case "\"" where !inDoubleQuotes:
            index += 1
            while let d = peek(), d != "\"" { try scanUnit(inDoubleQuotes: true) }
            guard peek() == "\"" else { throw .syntax("unterminated quoted string") }
            index += 1
        case "`":
            index += 1
            while let d = peek(), d != "`" { index += d == "\\" ? 2 : 1 }
            guard peek() == "`" else { throw .syntax("unterminated backquote") }
            index += 1
        case "$" where peek(1) == "(" || peek(1) == "{":
            let close: Character = peek(1) == "(" ? ")" : "}"
            let open: Character = close == ")" ? "(" : "{"
            index += 2
            var depth = 1
            while depth > 0 {
                guard let d = peek() else { throw .syntax("missing '\(close)'") }
                if d == open { depth += 1; index += 1 } else if d == close { depth -= 1; index += 1 } else if d == "'" || d == "\"" || d == "`" || d == "\\" || d == "$" { try scanUnit(inDoubleQuotes: false) } else { index += 1 }
            }
        default:
            index += 1
        }
    }
}
