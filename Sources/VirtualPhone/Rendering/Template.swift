import Foundation
import Basics

/// `{expr}` templates over a JSON context. An expression is a path (`contact.name`,
/// `form.q`, `param.id`), `count(path)`, `sum(path,field)` or `not(path)`, optionally
/// followed by filters: `|money`, `|pad2`, `|onoff`, `|int`, `|upper`, `|first`, `|date`.
enum Template {
    static func render(_ template: String, _ context: JSON) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                out += rest[open...]
                return out
            }
            let expr = rest[rest.index(after: open)..<close]
            out += evaluate(String(expr), context)?.text ?? ""
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// A template as a JSON value: a lone `{expr}` keeps its type; "@path" copies a value.
    static func value(_ template: JSON, _ context: JSON) -> JSON {
        switch template {
        case .string(let s):
            if s.hasPrefix("@") { return context.value(at: String(s.dropFirst())) ?? .null }
            if s.hasPrefix("{"), s.hasSuffix("}"), s.dropFirst().firstIndex(of: "{") == nil,
                s.firstIndex(of: "}") == s.index(before: s.endIndex)
            {
                return evaluate(String(s.dropFirst().dropLast()), context) ?? .string("")
            }
            return .string(render(s, context))
        case .array(let a): return .array(a.map { value($0, context) })
        case .object(let o): return .object(o.mapValues { value($0, context) })
        default: return template
        }
    }

    static func evaluate(_ expression: String, _ context: JSON) -> JSON? {
        if expression.contains("??") {
            for alternative in expression.components(separatedBy: "??") {
                if let v = evaluate(alternative.trimmingCharacters(in: .whitespaces), context), !v.text.isEmpty { return v }
            }
            return nil
        }
        var parts = expression.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { return nil }
        let head = parts.removeFirst()
        var value: JSON?
        if head.hasSuffix(")"), let open = head.firstIndex(of: "(") {
            let name = head[..<open]
            let args = head[head.index(after: open)..<head.index(before: head.endIndex)]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let items = args.first.flatMap { context.value(at: $0)?.array } ?? []
            switch name {
            case "count": value = .number(Double(items.count))
            case "sum":
                let field = args.count > 1 ? args[1] : ""
                value = .number(items.reduce(0) { $0 + (($1.value(at: field)?.numberValue ?? 0) * ($1["quantity"]?.numberValue ?? 1)) })
            case "not": value = .bool(!(args.first.flatMap { context.value(at: $0) }?.truthy ?? false))
            case "empty": value = .bool(items.isEmpty)
            case "name":
                // A phone number shown as the contact's name when the contacts app knows it.
                let number = args.first.flatMap { context.value(at: $0) }?.text ?? ""
                value = context["_names"]?[TaskCheck.normalized(number)] ?? .string(number)
            default: value = nil
            }
        } else if head.hasPrefix("'"), head.hasSuffix("'"), head.count >= 2 {
            value = .string(String(head.dropFirst().dropLast()))
        } else {
            value = context.value(at: head)
        }
        for filter in parts { value = apply(filter, value) }
        return value
    }

    static func apply(_ filter: String, _ value: JSON?) -> JSON? {
        switch filter {
        case "money":
            let n = value?.numberValue ?? 0
            return .string(String(format: "$%.2f", n))
        case "pad2":
            let n = Int(value?.numberValue ?? 0)
            return .string(n < 10 ? "0\(n)" : "\(n)")
        case "onoff": return .string((value?.truthy ?? false) ? "On" : "Off")
        case "int": return value?.numberValue.map { .number($0.rounded(.towardZero)) } ?? .null
        case "upper": return .string((value?.text ?? "").uppercased())
        case "first": return .string(String((value?.text ?? "?").prefix(1)).uppercased())
        case "trim": return .string((value?.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            if filter.hasPrefix("eq:") { return .bool((value?.text ?? "") == String(filter.dropFirst(3))) }
            return value
        }
    }
}
