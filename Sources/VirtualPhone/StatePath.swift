import Basics

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
