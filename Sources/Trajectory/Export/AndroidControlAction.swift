/// One action in AndroidControl's vocabulary, with pixel coordinates (docs/export.md says how
/// each Tether action maps). Actions with no equivalent are written as `unmapped`, so the
/// screenshots and actions of an episode stay aligned.
public struct AndroidControlAction: Sendable, Equatable, Codable {
    public var actionType: String
    public var x: Int?
    public var y: Int?
    /// For `scroll`: the way the content moves into view (`down` shows what is below), the
    /// opposite of the finger's movement.
    public var direction: String?
    public var appName: String?
    public var text: String?
    /// The action as Tether wrote it (the canonical grammar line), for tracing back.
    public var tetherAction: String?

    public init(
        actionType: String, x: Int? = nil, y: Int? = nil, direction: String? = nil, appName: String? = nil,
        text: String? = nil, tetherAction: String? = nil
    ) {
        self.actionType = actionType
        self.x = x
        self.y = y
        self.direction = direction
        self.appName = appName
        self.text = text
        self.tetherAction = tetherAction
    }

    /// The AndroidControl action for `action` on a `width × height` screen.
    public init(_ action: Action, width: Int, height: Int) {
        let grammar = action.grammarText
        func point(_ type: String, _ p: GridPoint) -> AndroidControlAction {
            let px = p.pixel(width: width, height: height)
            return AndroidControlAction(actionType: type, x: px.x, y: px.y, tetherAction: grammar)
        }
        switch action {
        case .tap(let p, _): self = point("click", p)
        case .longPress(let p): self = point("long_press", p)
        case .swipe(let from, let to):
            self = AndroidControlAction(
                actionType: "scroll", direction: AndroidControlAction.scrollDirection(from: from, to: to),
                tetherAction: grammar)
        case .type(let text), .typeName(let text):
            self = AndroidControlAction(actionType: "input_text", text: text, tetherAction: grammar)
        case .launch(let app): self = AndroidControlAction(actionType: "open_app", appName: app, tetherAction: grammar)
        case .back: self = AndroidControlAction(actionType: "navigate_back", tetherAction: grammar)
        case .home: self = AndroidControlAction(actionType: "navigate_home", tetherAction: grammar)
        case .wait: self = AndroidControlAction(actionType: "wait", tetherAction: grammar)
        case .doubleTap, .takeOver, .interact, .note, .callAPI, .shortcut, .finish:
            self = AndroidControlAction(actionType: AndroidControlAction.unmapped, tetherAction: grammar)
        }
    }

    /// The `action_type` of a step whose action has no AndroidControl equivalent.
    public static let unmapped = "unmapped"

    /// The scroll direction of a swipe: the content moves against the finger, so a finger
    /// moving up scrolls `down`. The longer axis of the movement decides.
    public static func scrollDirection(from: GridPoint, to: GridPoint) -> String {
        let dx = to.x - from.x
        let dy = to.y - from.y
        if abs(dy) >= abs(dx) { return dy < 0 ? "down" : "up" }
        return dx < 0 ? "right" : "left"
    }

    enum CodingKeys: String, CodingKey {
        case x, y, direction, text
        case actionType = "action_type", appName = "app_name", tetherAction = "tether_action"
    }
}
