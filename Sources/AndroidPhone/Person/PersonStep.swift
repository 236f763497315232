/// One thing a person does at a phone, for `Person`: a gesture or a key found by what the screen
/// shows. Labels name a node of the UI tree by its text, content description or resource id.
public enum PersonStep: Sendable, Equatable, CustomStringConvertible {
    /// Home, then the app's icon (from the app drawer when it is not on the home screen).
    case launch(String)
    case tap(String)
    case longPress(String)
    /// Text typed into the focused field on the on-screen keyboard.
    case type(String)
    case key(PersonKey)
    /// A swipe across the screen's middle, or across the node labelled `on`; `up` moves the
    /// finger up (the list scrolls down).
    case swipe(PersonSwipe, on: String?)
    case wait(Duration)

    public var description: String {
        switch self {
        case .launch(let label): "launch \"\(label)\""
        case .tap(let label): "tap \"\(label)\""
        case .longPress(let label): "longPress \"\(label)\""
        case .type(let text): "type \"\(text)\""
        case .key(let key): "key \(key.rawValue)"
        case .swipe(let direction, let on): "swipe \(direction.rawValue)" + (on.map { " on \"\($0)\"" } ?? "")
        case .wait(let duration): "wait \(duration)"
        }
    }
}

public enum PersonKey: String, Sendable, CaseIterable {
    case back, home, enter, recents

    /// The Linux key code a key device sends (`enter` is the on-screen keyboard's ⏎ instead).
    var linuxCode: UInt16? {
        switch self {
        case .back: 158  // KEY_BACK
        case .home: 172  // KEY_HOMEPAGE
        case .recents: 580  // KEY_APPSELECT
        case .enter: nil
        }
    }
}

public enum PersonSwipe: String, Sendable, CaseIterable {
    case up, down, left, right
}
