/// A node of the UI tree as a human step keeps it: what was under the finger, or the field that
/// was typed into (the `"element"` object of `steps.jsonl`).
public struct ScreenElement: Sendable, Equatable, Codable {
    public var text: String
    public var resourceId: String
    public var className: String
    public var contentDescription: String
    /// `[left, top, right, bottom]` in screen pixels.
    public var bounds: [Int]
    public var clickable: Bool
    public var longClickable: Bool
    public var focusable: Bool
    public var focused: Bool
    public var scrollable: Bool
    public var checkable: Bool

    public init(
        text: String = "", resourceId: String = "", className: String = "", contentDescription: String = "",
        bounds: [Int], clickable: Bool = false, longClickable: Bool = false, focusable: Bool = false,
        focused: Bool = false, scrollable: Bool = false, checkable: Bool = false
    ) {
        self.text = text
        self.resourceId = resourceId
        self.className = className
        self.contentDescription = contentDescription
        self.bounds = bounds
        self.clickable = clickable
        self.longClickable = longClickable
        self.focusable = focusable
        self.focused = focused
        self.scrollable = scrollable
        self.checkable = checkable
    }

    /// A field that takes text.
    public var isEditable: Bool { className.hasSuffix("EditText") || className.hasSuffix("AutoCompleteTextView") }

    /// Something a touch acts on (as opposed to a layout container or plain background).
    public var isInteractive: Bool { clickable || longClickable || focusable || scrollable || checkable || isEditable }

    public func contains(x: Int, y: Int) -> Bool {
        bounds.count == 4 && x >= bounds[0] && x < bounds[2] && y >= bounds[1] && y < bounds[3]
    }

    var area: Int { bounds.count == 4 ? max(0, bounds[2] - bounds[0]) * max(0, bounds[3] - bounds[1]) : 0 }

    /// What names the field across screens: its resource id, else its class and place.
    var fieldKey: String { resourceId.isEmpty ? "\(className)@\(bounds)" : resourceId }

    enum CodingKeys: String, CodingKey {
        case text, bounds, clickable, focusable, focused, scrollable, checkable
        case resourceId = "resource_id", className = "class", contentDescription = "content_desc"
        case longClickable = "long_clickable"
    }
}
