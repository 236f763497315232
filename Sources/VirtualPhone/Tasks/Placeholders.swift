import Foundation
import Basics

/// `{{name}}` and `{{name.field}}` in task texts, filled from a task's parameter values.
enum Placeholders {
    /// The names inside each `{{…}}` of a text.
    static func references(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            found.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func lookup(_ reference: String, _ values: [String: JSON]) -> JSON? {
        let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
        guard let value = values[parts.first ?? ""] else { return nil }
        return parts.count == 2 ? value.value(at: parts[1]) : value
    }

    /// Members of a check that are always strings.
    static let textKeys: Set<String> = ["app", "path", "contains", "describe"]

    /// A text with its placeholders replaced; unknown ones stay as written.
    static func fill(_ text: String, _ values: [String: JSON]) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            out += rest[..<open.lowerBound]
            let reference = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += lookup(reference, values)?.text ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// A JSON value with its placeholders replaced. A value that stands in for a whole string is
    /// filled too (a list of notes picked by one parameter may name another), up to `depth` levels.
    static func fill(_ json: JSON, _ values: [String: JSON], depth: Int = 3) -> JSON {
        switch json {
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), references(in: trimmed).count == 1,
                let value = lookup(String(trimmed.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces), values)
            {
                return depth > 0 ? fill(value, values, depth: depth - 1) : value
            }
            return .string(fill(s, values))
        case .array(let items): return .array(items.map { fill($0, values, depth: depth) })
        case .object(let members):
            let filled = members.map { key, value in
                // A check's texts stay texts even when the placeholder's value is a number.
                if textKeys.contains(key), case .string(let s) = value { return (key, JSON.string(fill(s, values))) }
                return (fill(key, values), fill(value, values, depth: depth))
            }
            return .object(Dictionary(filled, uniquingKeysWith: { a, _ in a }))
        case .null, .bool, .number: return json
        }
    }

    static func fill(_ step: SolutionStep, _ values: [String: JSON]) -> SolutionStep {
        switch step {
        case .launch(let label): .launch(fill(label, values))
        case .tap(let label): .tap(fill(label, values))
        case .longPress(let label): .longPress(fill(label, values))
        case .type(let text): .type(fill(text, values))
        case .swipe(let direction, let on): .swipe(direction, on: on.map { fill($0, values) })
        case .key, .wait: step
        }
    }

    static func json(_ value: some Encodable) -> JSON? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSON.parse(data)
    }

    /// A Codable value with its placeholders filled, through its JSON form.
    static func fillCodable<T: Codable>(_ value: T, _ values: [String: JSON]) -> T? {
        guard let json = json(value), let data = try? JSONEncoder().encode(fill(json, values)) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    static func strings(in json: JSON) -> [String] {
        switch json {
        case .string(let s): [s]
        case .array(let items): items.flatMap(strings)
        case .object(let members): members.keys.map { $0 } + members.values.flatMap(strings)
        case .null, .bool, .number: []
        }
    }

    /// FNV-1a of a text: a stable hash (Swift's `Hasher` differs per process).
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
