import Foundation

/// Turns a person's gestures, each with the screen just before it, into steps in the agent's
/// action vocabulary. Taps on the on-screen keyboard are not steps: the text they (or any other
/// keyboard, or `input text`) put into the focused field becomes one Type step, found as a change
/// of that field's text. Two quick taps at one place are one Double Tap, so a tap is held until
/// the next gesture (or `finish`) shows it was single.
public struct DemonstrationRecorder: Sendable {
    /// The longest pause between the first tap's release and the second's touch for a double tap.
    public var doubleTapSeconds = 0.3
    /// How far apart, in pixels, two taps of a double tap may be.
    public var doubleTapDistance: Int

    struct Baseline {
        var field: ScreenElement
        var text: String
        var screen: ScreenState
        var startedAt: Date
    }

    var pending: (gesture: HumanGesture, screen: ScreenState?)?
    /// The focused field as the person's typing started from.
    var baseline: Baseline?
    /// A gesture ran since the baseline was taken: the app may have changed the field itself
    /// (cleared it after sending), so the next screen gives the baseline again.
    var stale = false
    /// The field being typed into while the screens are still from before it had focus.
    var blindField: ScreenElement?
    var latest: ScreenState?

    public init(doubleTapDistance: Int = 100) {
        self.doubleTapDistance = doubleTapDistance
    }

    /// A fresh look at the screen between gestures. Returns a Type step when the focus left a
    /// field whose text the person changed (a keyboard's Enter, say).
    public mutating func screen(_ state: ScreenState) -> [HumanStep] {
        defer { latest = state }
        blindField = nil
        let focused = state.focusedField
        if stale || baseline == nil {
            stale = false
            baseline = focused.map { Baseline(field: $0, text: $0.text, screen: state, startedAt: Date()) }
            return []
        }
        guard let b = baseline, focused?.fieldKey != b.field.fieldKey else { return [] }
        var steps = flushPending()
        // What the field held the last time it had focus.
        if let latest { steps += typed(in: latest) }
        baseline = focused.map { Baseline(field: $0, text: $0.text, screen: state, startedAt: Date()) }
        return steps
    }

    /// A finished gesture and the screen as it was when the finger went down (nil: the last
    /// screen seen).
    public mutating func gesture(_ gesture: HumanGesture, before: ScreenState?) -> [HumanStep] {
        let screen = before ?? latest
        if gesture.kind != .key, let x = gesture.x, let y = gesture.y, let screen, let field = keyboardField(on: screen, x: x, y: y) {
            // Typing: the field's text says what, later.
            if screen.focusedField == nil { blindField = field }
            var steps = flushPending()
            if stale || baseline?.field.fieldKey != field.fieldKey {
                if !stale { steps += typed(in: screen) }
                baseline = Baseline(field: field, text: field.text, screen: screen, startedAt: gesture.startedAt)
                stale = false
            }
            return steps
        }
        if let held = pending, gesture.kind == .tap, held.gesture.kind == .tap, isDoubleTap(held.gesture, gesture) {
            pending = nil
            var merged = held.gesture
            merged.kind = .doubleTap
            merged.duration = gesture.endTime - held.gesture.time
            return [step(for: merged, screen: held.screen)]
        }
        blindField = nil
        var steps = flushPending()
        if let screen, !stale { steps += typed(in: screen) }
        if let screen {
            baseline = screen.focusedField.map { Baseline(field: $0, text: $0.text, screen: screen, startedAt: gesture.startedAt) }
        }
        stale = true
        if gesture.kind == .tap {
            pending = (gesture, screen)
        } else {
            steps.append(step(for: gesture, screen: screen))
        }
        return steps
    }

    /// The field a touch types into through the on-screen keyboard: the focused one when nothing
    /// of the app is under the finger. When the screen is still the one from before the held tap
    /// (the person typed before the screen was taken again) and that tap landed on a text field,
    /// a touch in the bottom 40 % (where keyboards are), off the field, is taken as typing into it.
    func keyboardField(on screen: ScreenState, x: Int, y: Int) -> ScreenElement? {
        if let field = screen.focusedField { return screen.isKeyboardTouch(x: x, y: y) ? field : nil }
        guard y >= screen.height * 3 / 5 else { return nil }
        if let blindField { return blindField.contains(x: x, y: y) ? nil : blindField }
        guard stale, let held = pending, let hx = held.gesture.x, let hy = held.gesture.y,
            let field = held.screen?.element(atX: hx, y: hy), field.isEditable, !field.contains(x: x, y: y)
        else { return nil }
        return field
    }

    /// The end of the recording: the held tap, and text typed since the last gesture.
    public mutating func finish(latest state: ScreenState?) -> [HumanStep] {
        var steps = flushPending()
        if !stale, let state = state ?? latest { steps += typed(in: state) }
        baseline = nil
        return steps
    }

    mutating func flushPending() -> [HumanStep] {
        guard let held = pending else { return [] }
        pending = nil
        return [step(for: held.gesture, screen: held.screen)]
    }

    /// A Type step when the baseline field's text in `state` differs from what it was.
    mutating func typed(in state: ScreenState) -> [HumanStep] {
        guard var b = baseline else { return [] }
        let now = state.elements.last { $0.fieldKey == b.field.fieldKey && $0.isEditable }
        guard let now, now.text != b.text else { return [] }
        let step = HumanStep(action: .type(now.text), gesture: nil, element: now, screen: b.screen, startedAt: b.startedAt)
        b.text = now.text
        baseline = b
        return [step]
    }

    func isDoubleTap(_ first: HumanGesture, _ second: HumanGesture) -> Bool {
        guard let x1 = first.x, let y1 = first.y, let x2 = second.x, let y2 = second.y else { return false }
        let gap = second.time - first.endTime
        return gap >= 0 && gap <= doubleTapSeconds && abs(x1 - x2) <= doubleTapDistance && abs(y1 - y2) <= doubleTapDistance
    }

    /// The action a gesture stands for, on the grid of the screen it was made on.
    func step(for gesture: HumanGesture, screen: ScreenState?) -> HumanStep {
        var element: ScreenElement?
        var action: Action?
        func grid(_ x: Int, _ y: Int) -> GridPoint {
            screen?.grid(x: x, y: y) ?? GridPoint(x: 0, y: 0)
        }
        if let x = gesture.x, let y = gesture.y {
            element = screen?.element(atX: x, y: y)
            switch gesture.kind {
            case .tap: action = .tap(grid(x, y), sensitiveMessage: nil)
            case .doubleTap: action = .doubleTap(grid(x, y))
            case .longPress: action = .longPress(grid(x, y))
            case .swipe: action = .swipe(from: grid(x, y), to: grid(gesture.endX ?? x, gesture.endY ?? y))
            case .pinch, .key: action = nil
            }
        } else if gesture.kind == .key {
            switch gesture.key {
            case "KEY_BACK": action = .back
            case "KEY_HOME", "KEY_HOMEPAGE": action = .home
            default: action = nil
            }
        }
        return HumanStep(action: action, gesture: gesture, element: element, screen: screen, startedAt: gesture.startedAt)
    }
}
