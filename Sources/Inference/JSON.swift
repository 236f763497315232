import Foundation

/// A parsed JSON value. Small and Sendable, for config files.
enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    static func parse(_ data: Data, path: String) throws -> JSON {
        do {
            return try JSONDecoder().decode(JSON.self, from: data)
        } catch {
            throw InferenceError.invalidJSON(path: path, reason: "\(error)")
        }
    }

    static func load(_ path: String) throws -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError.fileUnreadable(path: path, reason: "no such file or not readable")
        }
        return try parse(data, path: path)
    }

    subscript(key: String) -> JSON? {
        if case let .object(d) = self { return d[key] }
        return nil
    }

    var object: [String: JSON]? { if case let .object(d) = self { return d }; return nil }
    var array: [JSON]? { if case let .array(a) = self { return a }; return nil }
    var string: String? { if case let .string(s) = self { return s }; return nil }
    var double: Double? { if case let .number(n) = self { return n }; return nil }
    var bool: Bool? { if case let .bool(b) = self { return b }; return nil }
    var isNull: Bool { if case .null = self { return true }; return false }
    var int: Int? {
        guard case let .number(n) = self, n.rounded() == n, abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }
}

extension JSON: Decodable {
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let n = try? c.decode(Double.self) { self = .number(n); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSON].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSON].self))
    }
}
