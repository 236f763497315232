import AndroidPhone
import Foundation
import Imaging
import Trajectory

/// Replays a recorded episode on a phone, step by step: settles the screen, finds the recorded
/// element again and re-aims the touch at it (or, for a step recorded without a UI tree,
/// compares the screen around the touch with the recorded screenshot), and stops at the first
/// step whose screen no longer matches. One line per step goes to `onStep`; with a `recorder`
/// every replayed step is written to a new episode with `"source": "replay"`.
public struct Replayer: Sendable {
    public struct Result: Sendable, Equatable {
        /// Steps that ran.
        public var completed: Int
        /// The step that diverged and why, nil when every step ran.
        public var divergence: (step: Int, reason: String)?
        /// The actions of the steps that ran, in the model's grammar, for a hand-over.
        public var actions: [String] = []

        public static func == (a: Result, b: Result) -> Bool {
            a.completed == b.completed && a.divergence?.step == b.divergence?.step && a.divergence?.reason == b.divergence?.reason
        }
    }

    public var phone: Phone
    public var settleTimeout: Duration = .seconds(3)
    /// The recorded gaps between steps, scaled: nil replays as fast as settling allows, 1 at the
    /// person's own pace, 2 twice as fast. A gap is never waited for more than a minute.
    public var speed: Double?
    /// How a gap is waited for (tests pass one that only counts).
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// Where the replayed steps are written; nil: not recorded.
    public var recorder: EpisodeWriter?
    /// The image comparison for steps without a UI tree, and the score below which they diverge.
    public var similarity = PatchSimilarity()
    public var minimumSimilarity = 0.6

    public init(phone: Phone) { self.phone = phone }

    /// What one step did: the line printed, the point touched (pixels), or the divergence.
    enum Played {
        case done(String, touched: (x: Int, y: Int)?)
        case diverged(String)
    }

    public func run(_ episode: Episode, onStep: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        var result = Result(completed: 0, divergence: nil)
        var previous: Date?
        for step in episode.steps {
            if let speed, speed > 0, let previous {
                let gap = min(step.startedAt.timeIntervalSince(previous) / speed, 60)
                if gap > 0 { try await sleep(.milliseconds(Int(gap * 1000))) }
            }
            previous = step.startedAt
            let settled = try await phone.waitUntilSettled(timeout: settleTimeout)
            let started = Date()
            let xml = recorder == nil ? nil : try await phone.uiHierarchyXML()
            switch try await play(step, of: episode, screen: settled.image, xml: xml) {
            case .diverged(let why):
                onStep("\(step.step)  diverged: \(why)")
                result.divergence = (step.step, why)
                return result
            case .done(let line, let touched):
                onStep("\(step.step)  \(line)")
                result.completed += 1
                let replayed = Self.replayed(
                    step, number: result.completed, startedAt: started, line: line, touched: touched, width: settled.image.width,
                    height: settled.image.height)
                if let action = replayed.action { result.actions.append(action) }
                if let recorder { try await recorder.record(replayed, screen: settled.image, uiTree: xml) }
            }
        }
        return result
    }

    /// The step as it was replayed: the recording's action and element, re-aimed at the point
    /// touched on this screen, marked `"source": "replay"` with what replay decided.
    static func replayed(
        _ step: StepRecord, number: Int, startedAt: Date, line: String, touched: (x: Int, y: Int)?, width: Int, height: Int
    ) -> StepRecord {
        var r = step
        r.step = number
        r.startedAt = startedAt
        r.source = StepSource.replay.rawValue
        r.screen = nil
        r.uiTree = nil
        r.screenWidth = nil
        r.screenHeight = nil
        r.tokens = nil
        r.result = StepRecord.StepResult(ok: true, message: line)
        if let touched {
            let grid = GridPoint(x: min(touched.x * 1000 / max(width, 1), GridPoint.maximum), y: min(touched.y * 1000 / max(height, 1), GridPoint.maximum))
            r.gesture?.x = touched.x
            r.gesture?.y = touched.y
            switch r.actionName {
            case .tap:
                if let text = r.action, case .tap(_, let sensitive) = try? ActionParser.parse(text).action {
                    r.action = Action.tap(grid, sensitiveMessage: sensitive).grammarText
                }
            case .longPress: r.action = Action.longPress(grid).grammarText
            case .doubleTap: r.action = Action.doubleTap(grid).grammarText
            default: break
            }
        }
        return r
    }

    /// Plays one step on the screen as it is now.
    func play(_ step: StepRecord, of episode: Episode, screen: Image, xml: String?) async throws -> Played {
        let width = screen.width, height = screen.height
        let recordedWidth = step.screenWidth ?? width, recordedHeight = step.screenHeight ?? height
        func tree() async throws -> UIHierarchy {
            if let xml { return try UIHierarchy(xml: xml) }
            return try await phone.uiHierarchy()
        }
        if let text = step.action, step.actionName == .type, case .type(let value) = try? ActionParser.parse(text).action {
            guard try await tree().allNodes.contains(where: { $0.focused && $0.className.hasSuffix("EditText") }) else {
                return .diverged("step \(step.step) types \"\(value)\", and no text field has focus")
            }
            _ = try await phone.replaceText(value)
            return .done("matched (type)", touched: nil)
        }
        guard let gesture = step.gesture else { return .done("matched (nothing to do)", touched: nil) }
        switch gesture.kind {
        case .key:
            // The kernel's key names (getevent -l) as Android's keycodes.
            let androidKeys: [String: KeyCode] = [
                "KEY_HOME": .home, "KEY_HOMEPAGE": .home, "KEY_BACK": .back, "KEY_APPSELECT": .appSwitch,
                "KEY_VOLUMEUP": KeyCode(24), "KEY_VOLUMEDOWN": KeyCode(25), "KEY_POWER": .power
            ]
            guard let name = gesture.key, let code = androidKeys[name] else {
                return .diverged("step \(step.step) pressed \(gesture.key ?? "a key") that replay cannot press")
            }
            try await phone.key(code)
            return .done("matched (\(name))", touched: nil)
        case .pinch:
            return .diverged("step \(step.step) is a pinch, which replay cannot make")
        case .swipe:
            func sx(_ v: Int?) -> Int { (v ?? 0) * width / max(recordedWidth, 1) }
            func sy(_ v: Int?) -> Int { (v ?? 0) * height / max(recordedHeight, 1) }
            try await phone.swipe(fromX: sx(gesture.x), fromY: sy(gesture.y), toX: sx(gesture.endX), toY: sy(gesture.endY))
            return .done("matched (swipe)", touched: nil)
        case .tap, .longPress, .doubleTap:
            let point = (x: gesture.x ?? 0, y: gesture.y ?? 0)
            var target = (x: point.x * width / max(recordedWidth, 1), y: point.y * height / max(recordedHeight, 1))
            let line: String
            if let element = step.element {
                switch ReplayAim.aim(
                    element: element, point: point, recordedWidth: recordedWidth, recordedHeight: recordedHeight, tree: try await tree(),
                    width: width, height: height)
                {
                case .matched(let x, let y):
                    target = (x, y)
                    line = "matched"
                case .reAimed(let x, let y, let dx, let dy):
                    target = (x, y)
                    line = "re-aimed (\(dx),\(dy))"
                case .diverged(let why): return .diverged(why)
                }
            } else if let recorded = recordedScreen(step, of: episode) {
                let score = similarity.score(recorded: recorded, at: point, current: screen)
                guard score >= minimumSimilarity else {
                    return .diverged(
                        "step \(step.step) has no recorded element, and the screen around (\(point.x),\(point.y)) no longer looks as recorded (similarity \(String(format: "%.2f", score)), needs \(String(format: "%.2f", minimumSimilarity)))"
                    )
                }
                line = "matched (image, similarity \(String(format: "%.2f", score)))"
            } else {
                line = "matched (nothing recorded to compare)"
            }
            switch gesture.kind {
            case .longPress: try await phone.longPress(x: target.x, y: target.y)
            case .doubleTap: try await phone.doubleTap(x: target.x, y: target.y)
            default: try await phone.tap(x: target.x, y: target.y)
            }
            return .done(line, touched: target)
        }
    }

    /// The screenshot the person saw before the step, when the episode kept it.
    func recordedScreen(_ step: StepRecord, of episode: Episode) -> Image? {
        guard let name = step.screen, let data = FileManager.default.contents(atPath: episode.directory.appendingPathComponent(name).path)
        else { return nil }
        return try? Image(encodedData: data)
    }
}
