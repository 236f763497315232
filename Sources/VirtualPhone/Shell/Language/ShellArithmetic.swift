import Foundation

/// `$((…))`: signed 64-bit integer arithmetic with C's operators and precedence, variables by
/// name (empty or unset is 0), assignments (`=`, `+=` …), `++`/`--` refused.
struct ShellArithmetic {
    private let tokens: [String]
    private var index = 0

    static func evaluate(_ expression: String, state: inout ShellState) throws(ShellError) -> Int {
        var parser = ShellArithmetic(tokens: try tokenize(expression, original: expression))
        if parser.tokens.isEmpty { return 0 }
        let value = try parser.assignment(&state)
        guard parser.index == parser.tokens.count else { throw .expansion("arithmetic syntax error: \(expression)") }
        return value
    }

    private init(tokens: [String]) { self.tokens = tokens }

    private static let operators = [
        "<<=", ">>=", "**", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
        "++", "--", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "!", "~", "(", ")", "?", ":", "="
    ]

    private static func tokenize(_ s: String, original: String) throws(ShellError) -> [String] {
        let chars = Array(s)
        var out: [String] = []
        var i = 0
        outer: while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c.isNumber || c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j].isLetter || chars[j] == "_" { j += 1 }
                out.append(String(chars[i..<j]))
                i = j
                continue
            }
            for op in operators where chars[i...].starts(with: op) {
                if op == "++" || op == "--" || op == "**" { throw .notSupported("'\(op)' in arithmetic") }
                out.append(op)
                i += op.count
                continue outer
            }
            throw .expansion("arithmetic syntax error: \(original)")
        }
        return out
    }

    private var peek: String? { index < tokens.count ? tokens[index] : nil }

    private mutating func take(_ ops: Set<String>) -> String? {
        guard let p = peek, ops.contains(p) else { return nil }
        index += 1
        return p
    }

    private mutating func assignment(_ state: inout ShellState) throws(ShellError) -> Int {
        if index + 1 < tokens.count, ShellParser.isName(tokens[index]),
            ["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="].contains(tokens[index + 1])
        {
            let name = tokens[index], op = tokens[index + 1]
            index += 2
            let rhs = try assignment(&state)
            let value = op == "=" ? rhs : try Self.apply(String(op.dropLast()), try Self.variable(name, state), rhs)
            state.variables[name] = String(value)
            return value
        }
        return try conditional(&state)
    }

    private mutating func conditional(_ state: inout ShellState) throws(ShellError) -> Int {
        let c = try binary(0, &state)
        guard take(["?"]) != nil else { return c }
        let a = try assignment(&state)
        guard take([":"]) != nil else { throw .expansion("arithmetic syntax error: ':' expected") }
        let b = try conditional(&state)
        return c != 0 ? a : b
    }

    private static let levels: [Set<String>] = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]]

    private mutating func binary(_ level: Int, _ state: inout ShellState) throws(ShellError) -> Int {
        if level == Self.levels.count { return try unary(&state) }
        var lhs = try binary(level + 1, &state)
        while let op = take(Self.levels[level]) {
            let rhs = try binary(level + 1, &state)
            lhs = try Self.apply(op, lhs, rhs)
        }
        return lhs
    }

    private mutating func unary(_ state: inout ShellState) throws(ShellError) -> Int {
        if let op = take(["-", "+", "!", "~"]) {
            let v = try unary(&state)
            switch op {
            case "-": return 0 &- v
            case "+": return v
            case "!": return v == 0 ? 1 : 0
            default: return ~v
            }
        }
        if take(["("]) != nil {
            let v = try assignment(&state)
            guard take([")"]) != nil else { throw .expansion("arithmetic syntax error: ')' expected") }
            return v
        }
        guard let t = peek else { throw .expansion("arithmetic syntax error: operand expected") }
        index += 1
        if ShellParser.isName(t) { return try Self.variable(t, state) }
        guard let v = Self.number(t) else { throw .expansion("arithmetic syntax error: bad number '\(t)'") }
        return v
    }

    static func number(_ t: String) -> Int? {
        let s = t.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return 0 }
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return Int(s.dropFirst(2), radix: 16) }
        if s.count > 1, s.hasPrefix("0") { return Int(s.dropFirst(), radix: 8) }
        return Int(s)
    }

    private static func variable(_ name: String, _ state: ShellState) throws(ShellError) -> Int {
        let text = state.variables[name] ?? ""
        let negative = text.hasPrefix("-")
        guard let v = number(negative ? String(text.dropFirst()) : text) else { throw .expansion("arithmetic: \(name)=\(text) is not a number") }
        return negative ? -v : v
    }

    private static func apply(_ op: String, _ a: Int, _ b: Int) throws(ShellError) -> Int {
        switch op {
        case "+": return a &+ b
        case "-": return a &- b
        case "*": return a &* b
        case "/", "%":
            guard b != 0 else { throw .expansion("arithmetic: division by zero") }
            let (value, overflow) = op == "/" ? a.dividedReportingOverflow(by: b) : a.remainderReportingOverflow(dividingBy: b)
            guard !overflow else { throw .expansion("arithmetic: \(a) \(op) \(b) overflows") }
            return value
        case "<<": return a << b
        case ">>": return a >> b
        case "<": return a < b ? 1 : 0
        case "<=": return a <= b ? 1 : 0
        case ">": return a > b ? 1 : 0
        case ">=": return a >= b ? 1 : 0
        case "==": return a == b ? 1 : 0
        case "!=": return a != b ? 1 : 0
        case "&": return a & b
        case "|": return a | b
        case "^": return a ^ b
        case "&&": return a != 0 && b != 0 ? 1 : 0
        case "||": return a != 0 || b != 0 ? 1 : 0
        default: throw .expansion("arithmetic: unknown operator \(op)")
        }
    }
}
