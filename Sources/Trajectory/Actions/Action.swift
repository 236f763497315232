/// One step the phone agent asks for: the AutoGLM action space plus Tether's shortcut call.
///
/// `grammarText` is the canonical line in the model's own grammar (what a well-formed answer
/// looks like); `description` is the short form used in logs and the live CLI line.
public enum Action: Sendable, Hashable {
    /// Open an app by the label the phone shows for it.
    case launch(app: String)
    /// Tap a point. A `sensitiveMessage` marks an action with consequences (paying, sending,
    /// deleting): the operator must confirm it first.
    case tap(GridPoint, sensitiveMessage: String?)
    /// Enter text into the focused field, replacing what is there.
    case type(String)
    /// Like `type`, for a person's name (the model was trained to tell the two apart).
    case typeName(String)
    case swipe(from: GridPoint, to: GridPoint)
    case longPress(GridPoint)
    case doubleTap(GridPoint)
    case back
    case home
    /// Wait for the screen, `seconds` long.
    case wait(seconds: Double)
    /// A human must act on the phone (log in, solve a captcha) before the agent goes on.
    case takeOver(message: String)
    /// The model wants the user to choose between options it has seen.
    case interact
    /// Remember the content of the current page for later (`callAPI` reads the notes).
    case note(message: String)
    /// Answer an instruction from the notes taken so far (summarise, compare, comment).
    case callAPI(instruction: String)
    /// Tether's extension: run a named API shortcut (intent, deep link, shell, content query).
    case shortcut(name: String, arguments: [String: String])
    /// The task is over; `message` says what was done or why it cannot be.
    case finish(message: String)

    /// Which action this is: the one place that maps cases to kinds, so a new case is a compile
    /// error here first, then everywhere a kind is switched over.
    public var kind: ActionKind {
        switch self {
        case .launch: .launch
        case .tap: .tap
        case .type: .type
        case .typeName: .typeName
        case .swipe: .swipe
        case .longPress: .longPress
        case .doubleTap: .doubleTap
        case .back: .back
        case .home: .home
        case .wait: .wait
        case .takeOver: .takeOver
        case .interact: .interact
        case .note: .note
        case .callAPI: .callAPI
        case .shortcut: .shortcut
        case .finish: .finish
        }
    }

    /// The action's name as the model writes it.
    public var name: String { kind.rawValue }

    public var isFinish: Bool { kind == .finish }
}
