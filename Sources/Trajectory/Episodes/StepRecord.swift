import Foundation

/// One line of `steps.jsonl`.
public struct StepRecord: Sendable, Equatable, Codable {
    public var step: Int
    public var startedAt: Date
    /// The screenshot's path, relative to the episode folder.
    public var screen: String?
    public var screenWidth: Int?
    public var screenHeight: Int?
    public var currentApp: String
    /// The feedback the model was given with this screen, if any.
    public var feedback: String?
    /// Everything the model wrote, untouched.
    public var modelText: String
    public var thinking: String?
    /// The action as a canonical grammar line (`ActionParser` reads it back), nil if none.
    public var action: String?
    /// The action's kind (`Tap`, `Launch`, …), nil if none.
    public var actionName: ActionKind?
    public var parseError: String?
    public var result: StepResult?
    public var timings: StepTimings
    /// Tokens of the model call, as far as the backend reported them.
    public var tokens: StepTokens?
    /// A person's step: the gesture it came from (pixels, path, key), nil for typed text.
    public var gesture: HumanGesture?
    /// A person's step: what was under the finger, or the field typed into.
    public var element: ScreenElement?
    /// The UI tree (uiautomator's XML) at the screenshot, relative to the episode folder.
    public var uiTree: String?
    /// The package in front (a person's step; `current_app` is its label).
    public var package: String?
    /// Who chose this step when the episode mixes sources: `"replay"` for a recorded step played
    /// again by `tether replay`; nil otherwise (the episode's own `source` says).
    public var source: String?

    public struct StepResult: Sendable, Equatable, Codable {
        public var ok: Bool
        public var message: String
        public init(ok: Bool, message: String) {
            self.ok = ok
            self.message = message
        }
    }

    public init(
        step: Int, startedAt: Date, screen: String? = nil, screenWidth: Int? = nil, screenHeight: Int? = nil,
        currentApp: String, feedback: String? = nil, modelText: String, thinking: String? = nil,
        action: Action? = nil, parseError: String? = nil, result: StepResult? = nil,
        timings: StepTimings = StepTimings()
    ) {
        self.step = step
        self.startedAt = startedAt
        self.screen = screen
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
        self.currentApp = currentApp
        self.feedback = feedback
        self.modelText = modelText
        self.thinking = thinking
        self.action = action?.grammarText
        actionName = action?.kind
        self.parseError = parseError
        self.result = result
        self.timings = timings
    }

    enum CodingKeys: String, CodingKey {
        case step, screen, feedback, thinking, action, result, timings, tokens, gesture, element, package, source
        case uiTree = "ui_tree"
        case startedAt = "started_at", screenWidth = "screen_width", screenHeight = "screen_height"
        case currentApp = "current_app", modelText = "model_text", actionName = "action_name"
        case parseError = "parse_error"
    }
}
