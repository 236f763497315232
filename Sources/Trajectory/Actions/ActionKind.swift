/// The kinds of action, named as the model writes them. Code that must handle every action
/// (the parser, the prompt, the executor, exporters) switches over this or over `Action`, never
/// over a name string, so adding a kind is a compile error wherever it is not handled yet.
public enum ActionKind: String, Sendable, Hashable, Codable, CaseIterable {
    case launch = "Launch"
    case tap = "Tap"
    case type = "Type"
    case typeName = "Type_Name"
    case swipe = "Swipe"
    case longPress = "Long Press"
    case doubleTap = "Double Tap"
    case back = "Back"
    case home = "Home"
    case wait = "Wait"
    case takeOver = "Take_over"
    case interact = "Interact"
    case note = "Note"
    case callAPI = "Call_API"
    case shortcut = "Shortcut"
    case finish = "finish"

    /// The kind a model's spelling names: case, spaces, `_` and `-` do not matter
    /// (`"long_press"`, `"LongPress"` and `"Long Press"` are one kind).
    public init?(spelling: String) {
        let key = ActionKind.fold(spelling)
        guard let kind = ActionKind.allCases.first(where: { ActionKind.fold($0.rawValue) == key }) else { return nil }
        self = kind
    }

    static func fold(_ s: String) -> String {
        s.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" }
    }
}
