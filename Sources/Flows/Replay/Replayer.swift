import AndroidPhone
import Foundation
import Trajectory

/// Replays a recorded episode on a phone, step by step: settles the screen, finds the recorded
/// element again and re-aims the touch at it, and stops at the first step whose screen no
/// longer matches. One line per step goes to `onStep`.
public struct Replayer: Sendable {
    public struct Result: Sendable, Equatable {
        /// Steps that ran.
        public var completed: Int
        /// The step that diverged and why, nil when every step ran.
        public var divergence: (step: Int, reason: String)?

        public static func == (a: Result, b: Result) -> Bool {
            a.completed == b.completed && a.divergence?.step == b.divergence?.step && a.divergence?.reason == b.divergence?.reason
        }
    }

    public var phone: Phone
    public var settleTimeout: Duration = .seconds(3)

    public init(phone: Phone) { self.phone = phone }

    public func run(_ episode: Episode, onStep: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        var completed = 0
        for step in episode.steps {
            let settled = try await phone.waitUntilSettled(timeout: settleTimeout)
            let width = settled.image.width, height = settled.image.height
            if let why = try await play(step, width: width, height: height, onStep: onStep) {
                onStep("\(step.step)  diverged: \(why)")
                return Result(completed: completed, divergence: (step.step, why))
            }
            completed += 1
        }
        return Result(completed: completed, divergence: nil)
    }

    /// Plays one step; the divergence's reason when it cannot.
    func play(_ step: StepRecord, width: Int, height: Int, onStep: @Sendable (String) -> Void) async throws -> String? {
        let recordedWidth = step.screenWidth ?? width, recordedHeight = step.screenHeight ?? height
        if let text = step.action, step.actionName == .type, case .type(let value) = try? ActionParser.parse(text).action {
            let tree = try await phone.uiHierarchy()
            guard tree.allNodes.contains(where: { $0.focused && $0.className.hasSuffix("EditText") }) else {
                return "step \(step.step) types \"\(value)\", and no text field has focus"
            }
            _ = try await phone.replaceText(value)
            onStep("\(step.step)  matched (type)")
            return nil
        }
        guard let gesture = step.gesture else {
            onStep("\(step.step)  matched (nothing to do)")
            return nil
        }
        switch gesture.kind {
        case .key:
            // The kernel's key names (getevent -l) as Android's keycodes.
            let androidKeys: [String: KeyCode] = [
                "KEY_HOME": .home, "KEY_HOMEPAGE": .home, "KEY_BACK": .back, "KEY_APPSELECT": .appSwitch,
                "KEY_VOLUMEUP": KeyCode(24), "KEY_VOLUMEDOWN": KeyCode(25), "KEY_POWER": .power
            ]
            guard let name = gesture.key, let code = androidKeys[name] else {
                return "step \(step.step) pressed \(gesture.key ?? "a key") that replay cannot press"
            }
            try await phone.key(code)
            onStep("\(step.step)  matched (\(name))")
            return nil
        case .pinch:
            return "step \(step.step) is a pinch, which replay cannot make"
        case .swipe:
            func sx(_ v: Int?) -> Int { (v ?? 0) * width / max(recordedWidth, 1) }
            func sy(_ v: Int?) -> Int { (v ?? 0) * height / max(recordedHeight, 1) }
            try await phone.swipe(fromX: sx(gesture.x), fromY: sy(gesture.y), toX: sx(gesture.endX), toY: sy(gesture.endY))
            onStep("\(step.step)  matched (swipe)")
            return nil
        case .tap, .longPress, .doubleTap:
            let point = (x: gesture.x ?? 0, y: gesture.y ?? 0)
            var target = (x: point.x * width / max(recordedWidth, 1), y: point.y * height / max(recordedHeight, 1))
            if let element = step.element {
                let tree = try await phone.uiHierarchy()
                switch ReplayAim.aim(
                    element: element, point: point, recordedWidth: recordedWidth, recordedHeight: recordedHeight, tree: tree,
                    width: width, height: height)
                {
                case .matched(let x, let y):
                    target = (x, y)
                    onStep("\(step.step)  matched")
                case .reAimed(let x, let y, let dx, let dy):
                    target = (x, y)
                    onStep("\(step.step)  re-aimed (\(dx),\(dy))")
                case .diverged(let why): return why
                }
            } else {
                onStep("\(step.step)  matched (no element recorded)")
            }
            switch gesture.kind {
            case .longPress: try await phone.longPress(x: target.x, y: target.y)
            case .doubleTap: try await phone.doubleTap(x: target.x, y: target.y)
            default: try await phone.tap(x: target.x, y: target.y)
            }
            return nil
        }
    }
}
