import Basics

/// How the phone reads JSON values in templates, conditions and checks: loosely, as a shell would.
extension JSON {
    /// A number, a numeric string, or a boolean as 1 or 0.
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

    public static func parse(_ bytes: some Collection<UInt8>) throws(VirtualPhoneError) -> JSON {
        do { return try JSON.decode(bytes) } catch {
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
