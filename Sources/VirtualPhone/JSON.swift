import Foundation

/// A JSON value: app state, task setups and checks are made of these.
public enum JSON: Sendable, Equatable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSON]? { if case .object(let o) = self { return o }; return nil }
    public var numberValue: Double? {
        switch self {
        case .number(let n): return n
        case .string(let s): return Double(s)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
    /// Truthiness as templates and conditions use it: false, null, 0, "", "0", "false" and [] are false.
    public var truthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0
        case .string(let s): return !(s.isEmpty || s == "0" || s == "false")
        case .array(let a): return !a.isEmpty
        case .object: return true
        }
    }

    /// The value as text: numbers without a needless ".0", strings bare.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return JSON.format(n)
        case .string(let s): return s
        case .array, .object: return description
        }
    }

    static func format(_ n: Double) -> String {
        if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }

    public var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Pretty, key-sorted JSON text with a final newline (what the phone writes to disk).
    public var prettyText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(VirtualPhoneError) -> JSON {
        do { return try JSONDecoder().decode(JSON.self, from: Data(bytes)) } catch {
            throw .invalidData("not valid JSON: \(error)")
        }
    }

    /// Compares loosely, as checks want: numbers with numbers, numeric strings with numbers,
    /// strings case-sensitively, booleans with booleans or "true"/"false".
    public func looselyEquals(_ other: JSON) -> Bool {
        switch (self, other) {
        case (.number(let a), _): if let b = other.numberValue { return a == b } else { return false }
        case (_, .number(let b)): if let a = numberValue { return a == b } else { return false }
        case (.bool(let a), .string(let s)), (.string(let s), .bool(let a)): return (a ? "true" : "false") == s
        default: return self == other
        }
    }
}

// MARK: - Paths

/// A path into app state: dot-separated keys; `name#ID` picks the element of array `name`
/// whose `id` is ID; a number picks an array index.
public struct StatePath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
        case id(String)
    }
    var steps: [Step]

    public init(_ text: String) {
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: true) {
            if let hash = part.firstIndex(of: "#") {
                let name = String(part[..<hash])
                if !name.isEmpty { steps.append(.key(name)) }
                steps.append(.id(String(part[part.index(after: hash)...])))
            } else if let i = Int(part) {
                steps.append(.index(i))
            } else {
                steps.append(.key(String(part)))
            }
        }
        self.steps = steps
    }

    public var description: String {
        steps.map { step -> String in
            switch step {
            case .key(let k): return k
            case .index(let i): return String(i)
            case .id(let id): return "#" + id
            }
        }.joined(separator: ".").replacingOccurrences(of: ".#", with: "#")
    }
}

extension JSON {
    public func value(at path: StatePath) -> JSON? {
        var current: JSON = self
        for step in path.steps {
            switch (step, current) {
            case (.key(let k), .object(let o)):
                guard let next = o[k] else { return nil }
                current = next
            case (.index(let i), .array(let a)):
                guard a.indices.contains(i) else { return nil }
                current = a[i]
            case (.id(let id), .array(let a)):
                guard let next = a.first(where: { $0["id"]?.text == id }) else { return nil }
                current = next
            default:
                return nil
            }
        }
        return current
    }

    public func value(at path: String) -> JSON? { value(at: StatePath(path)) }

    /// Sets the value at a path, creating objects for missing keys. Returns false when the path
    /// goes through something that is not an object or array, or names a missing element.
    @discardableResult
    public mutating func set(_ newValue: JSON?, at path: StatePath) -> Bool {
        set(newValue, steps: path.steps[...])
    }

    private mutating func set(_ newValue: JSON?, steps: ArraySlice<StatePath.Step>) -> Bool {
        guard let step = steps.first else {
            if let newValue { self = newValue }
            return true
        }
        let rest = steps.dropFirst()
        switch (step, self) {
        case (.key(let k), .object(var o)):
            if rest.isEmpty, newValue == nil {
                o[k] = nil
            } else {
                var child = o[k] ?? .object([:])
                guard child.set(newValue, steps: rest) else { return false }
                o[k] = child
            }
            self = .object(o)
            return true
        case (.key(let k), .null):
            self = .object([:])
            return set(newValue, steps: [.key(k)] + rest)
        case (.index(let i), .array(var a)):
            guard a.indices.contains(i) else { return false }
            if rest.isEmpty, newValue == nil { a.remove(at: i) } else { guard a[i].set(newValue, steps: rest) else { return false } }
            self = .array(a)
            return true
        case (.id(let id), .array(var a)):
            guard let i = a.firstIndex(where: { $0["id"]?.text == id }) else { return false }
            if rest.isEmpty, newValue == nil { a.remove(at: i) } else { guard a[i].set(newValue, steps: rest) else { return false } }
            self = .array(a)
            return true
        default:
            return false
        }
    }

    /// Merges `other` into this value: objects key by key (recursively), anything else replaced.
    public func merged(with other: JSON) -> JSON {
        guard case .object(var mine) = self, case .object(let theirs) = other else { return other }
        for (k, v) in theirs { mine[k] = (mine[k] ?? .null).merged(with: v) }
        return .object(mine)
    }
}

public enum VirtualPhoneError: Error, Sendable, CustomStringConvertible, Equatable {
    case invalidData(String)
    case notFound(String)
    case io(String)
    case font(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidData(let m): return m
        case .notFound(let m): return m
        case .io(let m): return m
        case .font(let m): return m
        case .invalidArgument(let m): return m
        }
    }
}
