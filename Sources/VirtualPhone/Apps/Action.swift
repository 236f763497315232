import Foundation
import Basics

/// One step of what a tap (or Enter, or a swipe up) does in a virtual app. In the app files it is
/// an object with exactly one verb key (`{"navigate": "detail", "params": {…}}`, `{"back": true}`);
/// anything else — no verb, two verbs, a key no action knows — is refused when the catalog loads,
/// with the file and the path of the action in the message.
public enum Action: Sendable, Equatable, Codable {
    /// Open a screen of the same app with these parameters (templates); `replace` swaps the top
    /// screen instead of pushing.
    case navigate(screen: String, params: [String: String], replace: Bool)
    case back
    case home
    /// Set the state at a path (a template) to a value (templates inside).
    case set(path: String, value: JSON)
    case toggle(path: String)
    /// Append an item (templates inside) to the list at a path; it gets the next `id` unless it has one.
    case append(path: String, item: [String: JSON])
    /// Merge fields into the object at a path.
    case update(path: String, fields: [String: JSON])
    case remove(path: String)
    /// Empty the list at a path.
    case clear(path: String)
    case launch(package: String)
    /// Form fields that must not be empty: the first empty one stops the actions with a toast.
    case require(fields: [String])
    case toast(String)
    case intent(IntentSpec)
    /// Clear the current screen's form fields.
    case resetForm

    /// The verb keys, one of which an action object has.
    static let verbs = [
        "navigate", "back", "home", "set", "toggle", "append", "update", "remove", "clear", "launch", "require",
        "toast", "intent", "resetForm"
    ]
    /// Keys that go with a verb: `params`/`replace` with navigate, `value` with set, `item` with append and update.
    static let companions: [String: Set<String>] = ["navigate": ["params", "replace"], "set": ["value"], "append": ["item"], "update": ["item"]]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let keys = c.allKeys.map(\.stringValue)
        let verbs = keys.filter(Self.verbs.contains).sorted()
        guard verbs.count == 1, let verb = verbs.first else {
            let found = verbs.isEmpty ? "none" : verbs.joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "an action needs exactly one verb (\(Self.verbs.joined(separator: ", "))); this one has \(found)"))
        }
        let allowed = Self.companions[verb, default: []].union([verb])
        if let stray = keys.filter({ !allowed.contains($0) }).sorted().first {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [Key(stray)],
                    debugDescription: "\"\(stray)\" does not go with \"\(verb)\" in an action"))
        }
        func string(_ key: String) throws -> String { try c.decode(String.self, forKey: Key(key)) }
        func flag(_ key: String) throws {
            guard try c.decode(Bool.self, forKey: Key(key)) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath + [Key(key)],
                        debugDescription: "\"\(key)\" is a verb: write \"\(key)\": true"))
            }
        }
        func item() throws -> [String: JSON] { try c.decodeIfPresent([String: JSON].self, forKey: Key("item")) ?? [:] }
        switch verb {
        case "navigate":
            self = .navigate(
                screen: try string(verb), params: try c.decodeIfPresent([String: String].self, forKey: Key("params")) ?? [:],
                replace: try c.decodeIfPresent(Bool.self, forKey: Key("replace")) ?? false)
        case "back": try flag(verb); self = .back
        case "home": try flag(verb); self = .home
        case "set": self = .set(path: try string(verb), value: try c.decodeIfPresent(JSON.self, forKey: Key("value")) ?? .null)
        case "toggle": self = .toggle(path: try string(verb))
        case "append": self = .append(path: try string(verb), item: try item())
        case "update": self = .update(path: try string(verb), fields: try item())
        case "remove": self = .remove(path: try string(verb))
        case "clear": self = .clear(path: try string(verb))
        case "launch": self = .launch(package: try string(verb))
        case "require": self = .require(fields: try c.decode([String].self, forKey: Key(verb)))
        case "toast": self = .toast(try string(verb))
        case "intent": self = .intent(try c.decode(IntentSpec.self, forKey: Key(verb)))
        default: try flag(verb); self = .resetForm
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .navigate(let screen, let params, let replace):
            try c.encode(screen, forKey: Key("navigate"))
            if !params.isEmpty { try c.encode(params, forKey: Key("params")) }
            if replace { try c.encode(true, forKey: Key("replace")) }
        case .back: try c.encode(true, forKey: Key("back"))
        case .home: try c.encode(true, forKey: Key("home"))
        case .set(let path, let value):
            try c.encode(path, forKey: Key("set"))
            try c.encode(value, forKey: Key("value"))
        case .toggle(let path): try c.encode(path, forKey: Key("toggle"))
        case .append(let path, let item):
            try c.encode(path, forKey: Key("append"))
            if !item.isEmpty { try c.encode(item, forKey: Key("item")) }
        case .update(let path, let fields):
            try c.encode(path, forKey: Key("update"))
            if !fields.isEmpty { try c.encode(fields, forKey: Key("item")) }
        case .remove(let path): try c.encode(path, forKey: Key("remove"))
        case .clear(let path): try c.encode(path, forKey: Key("clear"))
        case .launch(let package): try c.encode(package, forKey: Key("launch"))
        case .require(let fields): try c.encode(fields, forKey: Key("require"))
        case .toast(let text): try c.encode(text, forKey: Key("toast"))
        case .intent(let spec): try c.encode(spec, forKey: Key("intent"))
        case .resetForm: try c.encode(true, forKey: Key("resetForm"))
        }
    }
}
