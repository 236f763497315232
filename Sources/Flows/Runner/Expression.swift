/// The `${…}` expressions flows may hold, and nothing more: no JavaScript runs. A template is
/// text with `${…}` parts; an expression is a variable (`NAME`, `output.name`), a literal
/// (`'text'`, `"text"`, `12`, `true`, `false`, `null`), `a + b` (adds when both sides are numbers — a variable holding digits counts — else joins text),
/// `a == b`, `a != b`, `!a`, `a && b`, `a || b` (the first truthy side, for defaults), `( … )`,
/// and — in `evalScript` — `NAME = expression`.
public enum Expression: Sendable, Equatable {
    case literal(Value)
    case variable(String)
    indirect case not(Expression)
    indirect case binary(String, Expression, Expression)
    indirect case assign(String, Expression)

    /// A value: text, a number, true/false, or nothing (an unset variable, `null`).
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
        case bool(Bool)
        case null

        /// Falsy: false, null, "", 0, and the texts "false" and "0" (variables are text).
        public var isTrue: Bool {
            switch self {
            case .bool(let b): b
            case .null: false
            case .number(let n): n != 0
            case .text(let t): !(t.isEmpty || t == "false" || t == "0")
            }
        }

        public var text: String {
            switch self {
            case .text(let t): t
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            case .bool(let b): b ? "true" : "false"
            case .null: ""
            }
        }

        var number: Double? {
            switch self {
            case .number(let n): n
            case .text(let t): Double(t.trimmingCharacters(in: .whitespaces))
            case .bool, .null: nil
            }
        }
    }

    public struct SyntaxError: Error, Sendable, Equatable {
        public var message: String
    }

    /// A part of a template: plain text or an expression.
    public enum Segment: Sendable, Equatable {
        case text(String)
        case expression(Expression, source: String)
    }

    public static func isName(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    }

    /// Splits text at its `${…}` parts and parses each.
    public static func parseTemplate(_ template: String) throws(SyntaxError) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex { segments.append(.text(String(rest[..<start.lowerBound]))) }
            var depth = 1
            var i = start.upperBound
            var quote: Character?
            while i < rest.endIndex {
                let c = rest[i]
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == "'" || c == "\"" {
                    quote = c
                } else if c == "{" {
                    depth += 1
                } else if c == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                i = rest.index(after: i)
            }
            guard i < rest.endIndex else { throw SyntaxError(message: "\"${\" without a closing \"}\" in \(template)") }
            let source = String(rest[start.upperBound..<i])
            segments.append(.expression(try parse(source), source: source))
            rest = rest[rest.index(after: i)...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        return segments
    }

    /// Parses one expression (what is inside `${…}`).
    public static func parse(_ source: String) throws(SyntaxError) -> Expression {
        var parser = ExpressionParser(tokens: try ExpressionParser.tokenize(source), source: source)
        let e = try parser.assignment()
        guard parser.atEnd else { throw SyntaxError(message: "unexpected \(parser.peekDescription) in ${\(source)}; only variables, literals, + == != ! && || and = are supported") }
        return e
    }

    /// Evaluates against `variables`; assignments write into them.
    public func evaluate(_ variables: inout [String: String]) -> Value {
        switch self {
        case .literal(let v): return v
        case .variable(let name): return variables[name].map(Value.text) ?? .null
        case .not(let e): return .bool(!e.evaluate(&variables).isTrue)
        case .assign(let name, let e):
            let v = e.evaluate(&variables)
            variables[name] = v.text
            return v
        case .binary(let op, let a, let b):
            let left = a.evaluate(&variables)
            switch op {
            case "||": return left.isTrue ? left : b.evaluate(&variables)
            case "&&": return left.isTrue ? b.evaluate(&variables) : left
            default: break
            }
            let right = b.evaluate(&variables)
            switch op {
            case "+":
                // Variables are text: digits count as numbers, so `${N + 1}` counts on.
                if let x = left.number, let y = right.number { return .number(x + y) }
                return .text(left.text + right.text)
            case "==": return .bool(Self.equal(left, right))
            default: return .bool(!Self.equal(left, right))
            }
        }
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        if a == .null || b == .null { return a == b }
        if let x = a.number, let y = b.number { return x == y }
        return a.text == b.text
    }
}
