import Trajectory
import AndroidPhone
import Foundation
import Imaging

/// What the agent needs from a phone, and nothing more. The `Android` module's phone (or the
/// virtual phone through it) is adapted to this where the two meet, in the executable; the
/// agent stays free of transports. Coordinates are pixels of the last captured screen.
public protocol PhoneControl: Sendable {
    /// Waits until the screen has stopped changing (bounded), then captures it with the
    /// foreground app's label (or package when it has none).
    func observe() async throws -> Observation
    /// Every launchable app with the label the launcher shows.
    func installedApps() async throws -> [AppLabel]
    func tap(x: Int, y: Int) async throws
    func doubleTap(x: Int, y: Int) async throws
    func longPress(x: Int, y: Int, milliseconds: Int) async throws
    func swipe(fromX: Int, fromY: Int, toX: Int, toY: Int, milliseconds: Int) async throws
    /// Clears the focused text field, then types `text` through the phone's text path.
    func replaceText(_ text: String) async throws
    func back() async throws
    func home() async throws
    func launch(package: String) async throws
    /// Runs a command in the phone's shell and returns its output.
    func shell(_ command: String) async throws -> String
    /// Makes the phone usable before the first step: screen on, lock screen swiped away.
    /// `.needsPerson` says what only a person can do (a PIN, pattern or password).
    func prepare() async throws -> PhoneReadiness
}

public enum PhoneReadiness: Sendable, Equatable {
    case ready
    case needsPerson(String)
}

extension PhoneControl {
    public func prepare() async throws -> PhoneReadiness { .ready }
}

public struct Observation: Sendable {
    public var image: Image
    public var currentApp: String
    /// How long the phone waited for a still screen before `image` (nil when it did not say).
    public var settleTime: Duration?

    public init(image: Image, currentApp: String, settleTime: Duration? = nil) {
        self.image = image
        self.currentApp = currentApp
        self.settleTime = settleTime
    }
}

/// How an action went, in words for the model.
public struct ActionOutcome: Sendable, Equatable {
    public var ok: Bool
    public var message: String
    /// Whether the model should be told (failures and results are; a plain tap is not).
    public var tellModel: Bool

    public static func done(_ message: String) -> ActionOutcome { .init(ok: true, message: message, tellModel: false) }
    public static func result(_ message: String) -> ActionOutcome { .init(ok: true, message: message, tellModel: true) }
    public static func failed(_ message: String) -> ActionOutcome { .init(ok: false, message: message, tellModel: true) }
}

/// Carries out device actions on a `PhoneControl`: grid → pixels (clamped), Launch by the
/// phone's own labels with fuzzy matching, Type replacing the field, bounded Wait, shortcuts
/// with checked parameters. Failures come back as outcomes for the model, never as crashes.
public struct Executor: Sendable {
    public var phone: any PhoneControl
    public var apps: [AppLabel]
    public var shortcuts: [Shortcut]
    public var timeZone: TimeZone
    /// Longest Wait honoured; longer requests are cut to it.
    public var maxWait: Double
    public var longPressMilliseconds: Int
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        phone: any PhoneControl, apps: [AppLabel], shortcuts: [Shortcut], timeZone: TimeZone = .current,
        maxWait: Double = 10, longPressMilliseconds: Int = 1000,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.phone = phone
        self.apps = apps
        self.shortcuts = shortcuts
        self.timeZone = timeZone
        self.maxWait = maxWait
        self.longPressMilliseconds = longPressMilliseconds
        self.sleep = sleep
    }

    /// Swipe time from its length in pixels: a quick flick for short moves, slower for long ones.
    public static func swipeMilliseconds(distance: Double) -> Int {
        min(max(Int(distance * 0.5), 300), 1000)
    }

    /// Runs a device action. Actions that need the operator or the model (sensitive taps are
    /// confirmed before this is called; Take_over, Interact, Note, Call_API, finish) are the
    /// loop's and are refused here.
    public func execute(_ action: Action, screenWidth w: Int, screenHeight h: Int) async throws -> ActionOutcome {
        do {
            return try await perform(action, screenWidth: w, screenHeight: h)
        } catch let refused as ActionRefused {
            return .failed("\(action.name) did not work: \(refused.message)")
        }
    }

    func perform(_ action: Action, screenWidth w: Int, screenHeight h: Int) async throws -> ActionOutcome {
        switch action {
        case .tap(let p, _):
            let (x, y) = p.pixel(width: w, height: h)
            try await phone.tap(x: x, y: y)
            return .done("tapped (\(x), \(y))")
        case .doubleTap(let p):
            let (x, y) = p.pixel(width: w, height: h)
            try await phone.doubleTap(x: x, y: y)
            return .done("double-tapped (\(x), \(y))")
        case .longPress(let p):
            let (x, y) = p.pixel(width: w, height: h)
            try await phone.longPress(x: x, y: y, milliseconds: longPressMilliseconds)
            return .done("long-pressed (\(x), \(y))")
        case .swipe(let a, let b):
            let (x1, y1) = a.pixel(width: w, height: h)
            let (x2, y2) = b.pixel(width: w, height: h)
            let d = ((Double(x2 - x1) * Double(x2 - x1)) + Double(y2 - y1) * Double(y2 - y1)).squareRoot()
            try await phone.swipe(fromX: x1, fromY: y1, toX: x2, toY: y2, milliseconds: Executor.swipeMilliseconds(distance: d))
            return .done("swiped (\(x1), \(y1)) → (\(x2), \(y2))")
        case .type(let text), .typeName(let text):
            try await phone.replaceText(text)
            return .done("typed \(text.count) characters")
        case .back:
            try await phone.back()
            return .done("back")
        case .home:
            try await phone.home()
            return .done("home")
        case .wait(let seconds):
            let s = min(max(seconds, 0), maxWait)
            try await sleep(.milliseconds(Int(s * 1000)))
            return seconds > maxWait ? .result("waited \(Action.formatSeconds(s)) s (the longest wait allowed)") : .done("waited")
        case .launch(let name):
            guard let app = AppLabel.match(name, in: apps) else {
                let some = apps.prefix(30).map(\.label).joined(separator: ", ")
                return .failed("App \"\(name)\" is not installed on this phone. Installed apps include: \(some)")
            }
            try await phone.launch(package: app.package)
            return app.label == name
                ? .done("launched \(app.package)")
                : .result("Launched \"\(app.label)\" (\(app.package)) for \"\(name)\".")
        case .shortcut(let name, let arguments):
            guard let shortcut = shortcuts.first(where: { $0.name == name }) else {
                let offered = shortcuts.map(\.name).joined(separator: ", ")
                return .failed("There is no shortcut \"\(name)\" on this phone. Shortcuts on offer: \(offered.isEmpty ? "none" : offered)")
            }
            let invocation: ShortcutInvocation
            do {
                invocation = try shortcut.invocation(arguments: arguments, timeZone: timeZone)
            } catch {
                return .failed(error.message)
            }
            let output = try await phone.shell(invocation.command)
            return Executor.interpret(output, of: invocation)
        case .takeOver, .interact, .note, .callAPI, .finish:
            return .failed("\(action.name) is handled by the agent loop, not the executor")
        }
    }

    /// Reads a shortcut command's output.
    static func interpret(_ output: String, of invocation: ShortcutInvocation) -> ActionOutcome {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        let short = text.count > 1500 ? String(text.prefix(1500)) + "…" : text
        switch invocation.kind {
        case .activityStart:
            let lower = text.lowercased()
            if lower.contains("error:") || lower.contains("exception") || lower.contains("unable to resolve")
                || lower.contains("does not exist")
            {
                return .failed("Shortcut \(invocation.shortcut) failed: \(short)")
            }
            return .result("Shortcut \(invocation.shortcut) done; look at the screen for its result.")
        case .shell:
            return .result("Shortcut \(invocation.shortcut) output: \(short.isEmpty ? "(none)" : short)")
        case .contentQuery:
            if text.hasPrefix("Error") || text.contains("Exception") {
                return .failed("Shortcut \(invocation.shortcut) failed: \(short)")
            }
            if text.isEmpty || text == "No result found." {
                return .result("Shortcut \(invocation.shortcut) found nothing.")
            }
            return .result("Shortcut \(invocation.shortcut) found: \(short)")
        }
    }
}

extension AppLabel {
    /// The app a model's Launch name means, by the project's one matcher (AndroidPhone's
    /// `AppNameMatcher`, typos forgiven).
    public static func match(_ name: String, in apps: [AppLabel]) -> AppLabel? {
        let candidates = apps.map { AppNameMatcher.Candidate(package: $0.package, label: $0.label) }
        guard let hit = AppNameMatcher.match(name, in: candidates) else { return nil }
        return apps.first { $0.package == hit.package }
    }
}

/// A coarse picture of a screen for noticing "nothing changed": mean brightness of 12×24 cells
/// in 16 levels, the status bar (top 4 %) left out so a ticking clock does not count.
public struct ScreenFingerprint: Sendable, Hashable {
    let cells: [UInt8]

    public init(_ image: Image) {
        let cols = 12, rows = 24
        let top = image.height * 4 / 100
        let usable = max(image.height - top, 1)
        var sums = [Int](repeating: 0, count: cols * rows)
        var counts = [Int](repeating: 0, count: cols * rows)
        let stepX = max(image.width / 96, 1), stepY = max(usable / 192, 1)
        var y = top
        while y < image.height {
            let r = min((y - top) * rows / usable, rows - 1)
            var x = 0
            while x < image.width {
                let c = min(x * cols / max(image.width, 1), cols - 1)
                if let p = image.pixel(x: x, y: y) {
                    sums[r * cols + c] += (Int(p.r) * 3 + Int(p.g) * 6 + Int(p.b)) / 10
                    counts[r * cols + c] += 1
                }
                x += stepX
            }
            y += stepY
        }
        cells = zip(sums, counts).map { s, n in n == 0 ? 0 : UInt8((s / n) / 16) }
    }
}
