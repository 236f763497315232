/// Which element a command means: Maestro's selector keys. Text fields may hold `${…}`.
public struct Selector: Sendable, CustomStringConvertible {
    /// A regular expression that must match all of an element's text or content description
    /// (case-insensitive), or the text itself.
    public var text: String?
    /// A regular expression that must match all of the resource id, or the part after `:id/`.
    public var id: String?
    /// Which of the matches, in reading order (top to bottom, then left to right), from 0.
    public var index: Int?
    /// A point, not an element: `"540,1200"` in pixels or `"50%,50%"` of the screen.
    public var point: String?
    public var enabled: Bool?
    public var checked: Bool?
    public var focused: Bool?
    public var selected: Bool?
    public var below: Box?
    public var above: Box?
    public var leftOf: Box?
    public var rightOf: Box?
    public var containsChild: Box?
    public var childOf: Box?

    public init() {}

    public init(text: String) { self.text = text }

    /// A selector inside a selector.
    public final class Box: Sendable {
        public let selector: Selector
        public init(_ selector: Selector) { self.selector = selector }
    }

    /// `"Alice"`, `id: "save", index: 1`, `"Save" below "Title"`, as messages show it.
    public var description: String {
        var parts: [String] = []
        if let text { parts.append("\"\(text)\"") }
        if let id { parts.append("id \"\(id)\"") }
        if let point { parts.append("point \(point)") }
        if let index { parts.append("index \(index)") }
        if let enabled { parts.append(enabled ? "enabled" : "disabled") }
        if let checked { parts.append(checked ? "checked" : "not checked") }
        if let focused { parts.append(focused ? "focused" : "not focused") }
        if let selected { parts.append(selected ? "selected" : "not selected") }
        let relations: [(String, Box?)] = [
            ("below", below), ("above", above), ("left of", leftOf), ("right of", rightOf),
            ("containing", containsChild), ("inside", childOf)
        ]
        for (word, box) in relations { if let box { parts.append("\(word) (\(box.selector))") } }
        return parts.isEmpty ? "any element" : parts.joined(separator: " ")
    }
}
