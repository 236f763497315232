/// Every command a flow can hold: Maestro's names and arguments, and Tether's own (`goal`,
/// `assertWithAI`, `shortcut`, `shell`). Text may hold `${…}` expressions, substituted when the
/// step runs.
public indirect enum Command: Sendable {
    case launchApp(appId: String?, clearState: Bool, stopApp: Bool)
    case stopApp(appId: String?)
    case clearState(appId: String?)
    case tap(TapKind, Selector, TapOptions)
    case inputText(String)
    case inputRandom(RandomText, length: Int)
    case eraseText(characters: Int)
    case pressKey(String)
    case back
    case hideKeyboard
    case scroll
    case scrollUntilVisible(Selector, direction: Direction, timeout: Duration)
    case swipe(SwipeSpec)
    case assertVisible(Selector)
    case assertNotVisible(Selector)
    case assertTrue(String)
    case extendedWaitUntil(visible: Selector?, notVisible: Selector?, timeout: Duration)
    case waitForAnimationToEnd(timeout: Duration)
    case takeScreenshot(String)
    case copyTextFrom(Selector)
    case pasteText
    case openLink(String)
    case runFlow(RunFlow)
    case repeatSteps(RepeatSpec)
    case retry(maxRetries: Int, steps: [Step])
    case evalScript(String)
    case goal(GoalSpec)
    case assertWithAI(String)
    case shortcut(name: String, params: [(key: String, value: String)])
    case shell(ShellSpec)
}

public enum TapKind: String, Sendable { case tap, doubleTap, longPress }

public struct TapOptions: Sendable {
    /// Taps in a row (`repeat`), `delay` between them.
    public var repeats = 1
    public var delay: Duration = .milliseconds(100)
    /// Wait for the screen to settle after tapping (`waitToSettleTimeoutMs`).
    public var settleTimeout: Duration = .seconds(3)
    public init() {}
}

public enum RandomText: String, Sendable { case text, number, email, personName }

public enum Direction: String, Sendable, CaseIterable { case up = "UP", down = "DOWN", left = "LEFT", right = "RIGHT" }

/// `swipe`: a direction (from the screen's middle, or from an element), or start and end points.
public struct SwipeSpec: Sendable {
    public var direction: Direction?
    public var from: Selector?
    public var start: String?
    public var end: String?
    public var duration: Duration = .milliseconds(400)
    public init() {}
}

/// A `when` condition: every part given must hold.
public struct Condition: Sendable {
    public var visible: Selector?
    public var notVisible: Selector?
    /// `true: ${…}`: an expression that must be true.
    public var isTrue: String?
    /// `platform: Android` holds here; any other platform does not.
    public var platform: String?
    public init() {}
}

/// `runFlow`: a file (loaded when the flow is) or inline `commands`, with its own `env` and `when`.
public struct RunFlow: Sendable {
    public var file: String?
    public var steps: [Step]
    public var env: [(key: String, value: String)]
    public var when: Condition?
    public init(file: String?, steps: [Step], env: [(key: String, value: String)], when: Condition?) {
        self.file = file
        self.steps = steps
        self.env = env
        self.when = when
    }
}

/// `repeat`: `times` (a number or an expression), `while` a condition, or both.
public struct RepeatSpec: Sendable {
    public var times: String?
    public var whileCondition: Condition?
    public var steps: [Step]
    public init(times: String?, whileCondition: Condition?, steps: [Step]) {
        self.times = times
        self.whileCondition = whileCondition
        self.steps = steps
    }
}

/// `goal`: the agent carries it out in at most `maxSteps`; then every `check` step must pass.
public struct GoalSpec: Sendable {
    public var text: String
    public var maxSteps: Int
    public var check: [Step]
    public init(text: String, maxSteps: Int, check: [Step]) {
        self.text = text
        self.maxSteps = maxSteps
        self.check = check
    }
}

/// `shell`: a command on the phone, with what its output or exit code must be.
public struct ShellSpec: Sendable {
    public var command: String
    /// A regular expression the output (stdout and stderr) must contain a match of.
    public var expectOutput: String?
    /// The exit code it must end with (default: 0; nil in `expect` accepts any).
    public var expectExitCode: Int32?
    /// Stores the trimmed stdout in this variable.
    public var outputVariable: String?
    public init(command: String) { self.command = command }
}
