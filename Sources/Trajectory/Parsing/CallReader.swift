import Foundation

/// A recursive-descent reader for one call: `name(key=value, …)` with Python-like literals.
struct CallReader {
    struct Failure: Error { var reason: String }

    let s: [Unicode.Scalar]
    var i: Int

    var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    mutating func skipSpace() {
        while let c = peek, CharacterSet.whitespacesAndNewlines.contains(c) { i += 1 }
    }

    mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard peek == c else { return false }
        i += 1
        return true
    }

    mutating func identifier() -> String? {
        let start = i
        while let c = peek, ActionParser.isIdentifier(c) { i += 1 }
        guard i > start, !("0"..."9").contains(s[start]) else {
            i = start
            return nil
        }
        return ActionParser.string(s, start, i)
    }

    mutating func call() throws(Failure) -> ActionParser.Call {
        guard let name = identifier() else { throw Failure(reason: "expected a call") }
        skipSpace()
        guard take("(") else { throw Failure(reason: "expected ( after \(name)") }
        var args: [(key: String, value: ActionParser.Value)] = []
        skipSpace()
        if take(")") { return .init(function: name, arguments: args) }
        while true {
            skipSpace()
            guard let key = identifier() else {
                if peek == nil { throw Failure(reason: "the call \(name)( is not closed") }
                throw Failure(reason: "expected an argument name in \(name)(…)")
            }
            skipSpace()
            guard take("=") else { throw Failure(reason: "expected = after \(key)") }
            skipSpace()
            let v = try value()
            args.append((key, v))
            skipSpace()
            if take(",") {
                skipSpace()
                if take(")") { return .init(function: name, arguments: args) }
                continue
            }
            if take(")") { return .init(function: name, arguments: args) }
            if peek == nil { throw Failure(reason: "the call \(name)( is not closed") }
            throw Failure(reason: "expected , or ) after the value of \(key)")
        }
    }

    mutating func value() throws(Failure) -> ActionParser.Value {
        guard let c = peek else { throw Failure(reason: "a value is missing at the end of the reply") }
        switch c {
        case "\"", "'":
            return .string(try stringLiteral())
        case "[":
            i += 1
            var items: [ActionParser.Value] = []
            skipSpace()
            if take("]") { return .list(items) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                if take(",") { skipSpace(); if take("]") { return .list(items) }; continue }
                if take("]") { return .list(items) }
                throw Failure(reason: "expected , or ] in a list")
            }
        case "-", "+", "0"..."9", ".":
            let start = i
            i += 1
            while let d = peek, ("0"..."9").contains(d) || d == "." || d == "e" || d == "E" { i += 1 }
            let text = ActionParser.string(s, start, i)
            guard let v = Double(text) else { throw Failure(reason: "\(text) is not a number") }
            return .number(v, text: text)
        default:
            if let w = identifier() { return .word(w) }
            throw Failure(reason: "unexpected \"\(Character(c))\" where a value should be")
        }
    }

    /// A quoted string; the same quote closes it; escapes as in Python (\n \t \r \\ \" \' \uXXXX
    /// \xXX, a backslash before anything else stays as written).
    mutating func stringLiteral() throws(Failure) -> String {
        guard let quote = peek else { throw Failure(reason: "expected a string") }
        i += 1
        let start = i
        while let c = peek {
            if c == "\\" { i += 2; continue }
            if c == quote {
                guard let v = CallReader.unescape(Array(s[start..<i])) else {
                    throw Failure(reason: "a string holds a broken escape")
                }
                i += 1
                return v
            }
            i += 1
        }
        throw Failure(reason: "a string is not closed")
    }

    static func unescape(_ body: [Unicode.Scalar]) -> String? {
        var out = String.UnicodeScalarView()
        var k = 0
        func hex(_ n: Int) -> Unicode.Scalar? {
            guard k + 1 + n <= body.count else { return nil }
            let digits = String(String.UnicodeScalarView(body[(k + 1)..<(k + 1 + n)]))
            guard let v = UInt32(digits, radix: 16) else { return nil }
            return Unicode.Scalar(v)
        }
        while k < body.count {
            let c = body[k]
            guard c == "\\", k + 1 < body.count else { out.append(c); k += 1; continue }
            let e = body[k + 1]
            switch e {
            case "n": out.append("\n"); k += 2
            case "t": out.append("\t"); k += 2
            case "r": out.append("\r"); k += 2
            case "\\", "\"", "'": out.append(e); k += 2
            case "\n": k += 2
            case "u":
                k += 1
                guard let v = hex(4) else { return nil }
                out.append(v); k += 5
            case "x":
                k += 1
                guard let v = hex(2) else { return nil }
                out.append(v); k += 3
            default: out.append(c); out.append(e); k += 2
            }
        }
        return String(out)
    }
}
