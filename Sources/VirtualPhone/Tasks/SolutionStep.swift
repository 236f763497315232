import Foundation

/// One thing a person does to solve a task: a gesture or a key, never an intent. In JSON a
/// one-key object: `{"launch": "Contacts"}`, `{"tap": "Create contact"}`, `{"longPress": "…"}`,
/// `{"type": "text"}`, `{"key": "back"}`, `{"swipe": "up"}` (optionally with `"on": "label"`),
/// `{"wait": 1}`. Labels name a node of the UI tree by its text, content-desc or resource-id.
public enum SolutionStep: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Home, then the app's launcher icon (swiping to the app drawer when it is not on the home screen).
    case launch(String)
    case tap(String)
    case longPress(String)
    /// Text typed into the focused field, key by key on the on-screen keyboard.
    case type(String)
    case key(SolutionKey)
    /// A swipe across the screen, or across the node with the label `on`.
    case swipe(SwipeDirection, on: String?)
    /// Seconds to wait.
    case wait(Double)

    public enum SolutionKey: String, Codable, Sendable, CaseIterable {
        case back, home, enter, recents
    }

    public enum SwipeDirection: String, Codable, Sendable, CaseIterable {
        case up, down, left, right
    }

    enum Key: String, CodingKey, CaseIterable {
        case launch, tap, longPress, type, key, swipe, on, wait
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let present = c.allKeys.filter { $0 != .on }
        guard present.count == 1, let key = present.first else {
            let names = Key.allCases.filter { $0 != .on }.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath, debugDescription: "a solution step is an object with exactly one of \(names)"))
        }
        if c.contains(.on), key != .swipe {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "\"on\" goes with \"swipe\" only"))
        }
        switch key {
        case .launch: self = .launch(try c.decode(String.self, forKey: key))
        case .tap: self = .tap(try c.decode(String.self, forKey: key))
        case .longPress: self = .longPress(try c.decode(String.self, forKey: key))
        case .type: self = .type(try c.decode(String.self, forKey: key))
        case .key: self = .key(try c.decode(SolutionKey.self, forKey: key))
        case .swipe: self = .swipe(try c.decode(SwipeDirection.self, forKey: key), on: try c.decodeIfPresent(String.self, forKey: .on))
        case .wait:
            let seconds = try c.decode(Double.self, forKey: key)
            guard seconds >= 0, seconds <= 60 else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "wait takes 0…60 seconds, not \(seconds)"))
            }
            self = .wait(seconds)
        case .on: throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "unreachable"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .launch(let label): try c.encode(label, forKey: .launch)
        case .tap(let label): try c.encode(label, forKey: .tap)
        case .longPress(let label): try c.encode(label, forKey: .longPress)
        case .type(let text): try c.encode(text, forKey: .type)
        case .key(let key): try c.encode(key, forKey: .key)
        case .swipe(let direction, let on):
            try c.encode(direction, forKey: .swipe)
            try c.encodeIfPresent(on, forKey: .on)
        case .wait(let seconds): try c.encode(seconds, forKey: .wait)
        }
    }

    /// The step as in the task file, e.g. `tap "Create contact"`.
    public var description: String {
        switch self {
        case .launch(let label): "launch \"\(label)\""
        case .tap(let label): "tap \"\(label)\""
        case .longPress(let label): "longPress \"\(label)\""
        case .type(let text): "type \"\(text)\""
        case .key(let key): "key \(key.rawValue)"
        case .swipe(let direction, let on): "swipe \(direction.rawValue)" + (on.map { " on \"\($0)\"" } ?? "")
        case .wait(let seconds): "wait \(seconds)"
        }
    }
}
