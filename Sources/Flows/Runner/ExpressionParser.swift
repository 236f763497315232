/// Tokens and a recursive-descent parser for `Expression`.
struct ExpressionParser {
    enum Token: Equatable {
        case name(String), string(String), number(Double), op(String), open, close
    }

    var tokens: [Token]
    let source: String
    var i = 0

    var atEnd: Bool { i >= tokens.count }
    var peekDescription: String {
        guard i < tokens.count else { return "end" }
        switch tokens[i] {
        case .name(let n): return "\"\(n)\""
        case .string(let s): return "'\(s)'"
        case .number(let n): return "\(n)"
        case .op(let o): return "\"\(o)\""
        case .open: return "\"(\""
        case .close: return "\")\""
        }
    }

    static func tokenize(_ s: String) throws(Expression.SyntaxError) -> [Token] {
        var out: [Token] = []
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var j = i + 1
                var text = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count { j += 1 }
                    text.append(chars[j])
                    j += 1
                }
                guard j < chars.count else { throw .init(message: "unclosed quote in ${\(s)}") }
                out.append(.string(text))
                i = j + 1
                continue
            }
            if c.isNumber {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                guard let n = Double(String(chars[i..<j])) else { throw .init(message: "bad number in ${\(s)}") }
                out.append(.number(n))
                i = j
                continue
            }
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." { j += 1 }
                out.append(.name(String(chars[i..<j])))
                i = j
                continue
            }
            if c == "(" { out.append(.open); i += 1; continue }
            if c == ")" { out.append(.close); i += 1; continue }
            let rest = String(chars[i..<min(i + 3, chars.count)])
            var matched = false
            for op in ["===", "!==", "==", "!=", "&&", "||", "+", "!", "="] where rest.hasPrefix(op) {
                out.append(.op(op == "===" ? "==" : op == "!==" ? "!=" : op))
                i += op.count
                matched = true
                break
            }
            guard matched else { throw .init(message: "\"\(c)\" is not supported in ${\(s)}; only variables, literals, + == != ! && || and = are") }
        }
        return out
    }

    mutating func take(_ op: String) -> Bool {
        guard i < tokens.count, tokens[i] == .op(op) else { return false }
        i += 1
        return true
    }

    mutating func assignment() throws(Expression.SyntaxError) -> Expression {
        if i + 1 < tokens.count, case .name(let name) = tokens[i], tokens[i + 1] == .op("=") {
            i += 2
            return .assign(name, try or())
        }
        return try or()
    }

    mutating func or() throws(Expression.SyntaxError) -> Expression {
        var e = try and()
        while take("||") { e = .binary("||", e, try and()) }
        return e
    }

    mutating func and() throws(Expression.SyntaxError) -> Expression {
        var e = try equality()
        while take("&&") { e = .binary("&&", e, try equality()) }
        return e
    }

    mutating func equality() throws(Expression.SyntaxError) -> Expression {
        var e = try additive()
        while true {
            if take("==") { e = .binary("==", e, try additive()) } else if take("!=") { e = .binary("!=", e, try additive()) } else { return e }
        }
    }

    mutating func additive() throws(Expression.SyntaxError) -> Expression {
        var e = try unary()
        while take("+") { e = .binary("+", e, try unary()) }
        return e
    }

    mutating func unary() throws(Expression.SyntaxError) -> Expression {
        if take("!") { return .not(try unary()) }
        return try primary()
    }

    mutating func primary() throws(Expression.SyntaxError) -> Expression {
        guard i < tokens.count else { throw .init(message: "${\(source)} ends where a value was expected") }
        let token = tokens[i]
        i += 1
        switch token {
        case .string(let s): return .literal(.text(s))
        case .number(let n): return .literal(.number(n))
        case .name("true"): return .literal(.bool(true))
        case .name("false"): return .literal(.bool(false))
        case .name("null"), .name("undefined"): return .literal(.null)
        case .name(let n): return .variable(n)
        case .open:
            let e = try or()
            guard i < tokens.count, tokens[i] == .close else { throw .init(message: "missing \")\" in ${\(source)}") }
            i += 1
            return e
        default:
            i -= 1
            throw .init(message: "unexpected \(peekDescription) in ${\(source)}")
        }
    }
}
