import Foundation
import Imaging

/// Sleep and the lock screen, as a phone without a fingerprint reader has them: POWER (or
/// SLEEP) turns the screen off and shows the lock screen; WAKEUP or POWER turns it on again on the
/// lock screen; a swipe up (or `wm dismiss-keyguard`) dismisses it — unless a PIN guards it,
/// when the swipe shows the PIN entry instead and the PIN must be typed (`input text`, digit
/// keys) and entered.
///
/// While the screen is off the frame is black and touches do nothing; while the lock screen
/// shows, only it takes touches and keys.
extension VirtualPhone {
    // MARK: - Control API

    /// The screen goes off and the lock screen comes up behind it (the power button).
    public func sleep() {
        awake = false
        keyguardShowing = true
        bouncerEntry = nil
        shadeOpen = false
        changed()
    }

    /// The screen comes on, still locked when it was locked.
    public func wakeUp() {
        awake = true
        changed()
    }

    /// Guards the lock screen with a PIN (digits), or with nothing but a swipe when nil.
    public func setLockPIN(_ pin: String?) {
        lockPIN = pin
    }

    // MARK: - Input while locked

    /// Takes a touch when the screen is off or locked; false when the phone is unlocked.
    func lockScreenTakes(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int) -> Bool {
        guard awake else { return true }
        guard keyguardShowing else { return false }
        if bouncerEntry == nil, y2 - y1 < -screenHeight / 5, abs(y2 - y1) > abs(x2 - x1) {
            dismissKeyguard()
        }
        return true
    }

    /// Handles a key when the screen is off or locked (nil: not the lock screen's business).
    func lockScreenKey(_ code: Int) -> Bool? {
        switch code {
        case 26:  // POWER
            if awake { sleep() } else { wakeUp() }
            return true
        case 223:  // SLEEP
            if awake { sleep() }
            return true
        case 224:  // WAKEUP
            if !awake { wakeUp() }
            return true
        default:
            break
        }
        guard awake else { return true }
        guard keyguardShowing else { return nil }
        guard var entry = bouncerEntry else {
            if code == 82 { dismissKeyguard() }  // MENU dismisses an unsecured lock screen
            return true
        }
        switch code {
        case 7...16: entry.append(String(code - 7))
        case 67: if !entry.isEmpty { entry.removeLast() }
        case 4: bouncerEntry = nil; changed(); return true
        case 66, 160:
            if entry == lockPIN { unlockKeyguard() } else { entry = "" }
        default: break
        }
        if keyguardShowing { bouncerEntry = entry }
        changed()
        return true
    }

    /// Typed text goes to the PIN entry while it shows; false when it is not showing.
    func lockScreenTakesText(_ text: String) -> Bool {
        guard awake else { return true }
        guard keyguardShowing else { return false }
        if var entry = bouncerEntry {
            entry += text.filter(\.isNumber)
            bouncerEntry = entry
        }
        return true
    }

    /// A swipe up, MENU, or `wm dismiss-keyguard`: unlocks when nothing guards the lock screen,
    /// otherwise asks for the PIN.
    func dismissKeyguard() {
        guard awake, keyguardShowing else { return }
        if lockPIN == nil { unlockKeyguard() } else if bouncerEntry == nil { bouncerEntry = "" }
        changed()
    }

    func unlockKeyguard() {
        keyguardShowing = false
        bouncerEntry = nil
        changed()
    }

    // MARK: - Drawing

    /// Black while the screen is off; the lock screen (clock, hint, or the PIN entry) otherwise.
    func layoutLocked() -> Frame {
        let W = screenWidth, H = screenHeight
        let status = Rect(x0: 0, y0: 0, x1: W, y1: dp(28))
        let nav = Rect(x0: 0, y0: H - dp(48), x1: W, y1: H)
        let screen = Rect(x0: 0, y0: 0, x1: W, y1: H)
        let systemUI = "com.android.systemui"
        guard awake else {
            return Frame(
                root: UINode(className: "android.widget.FrameLayout", package: systemUI, bounds: screen),
                ops: [.rect(screen, .black, radius: 0)], statusBar: status, navBar: nav, content: screen)
        }
        var ops: [DrawOp] = [.rect(screen, Color(r: 22, g: 36, b: 58), radius: 0)]
        var children: [UINode] = []
        let clock = Self.clockText(now)
        let clockSize = dp(72)
        let cw = text.width(clock, size: clockSize)
        ops.append(.text(clock, x: (W - cw) / 2, baseline: dp(200), size: clockSize, color: .white, bold: false))
        children.append(
            UINode(
                className: "android.widget.TextClock", package: systemUI,
                bounds: Rect(x0: (W - cw) / 2, y0: dp(200) - clockSize, x1: (W + cw) / 2, y1: dp(210)),
                text: clock, resourceId: "\(systemUI):id/keyguard_clock"))
        let hint: String
        if let entry = bouncerEntry {
            hint = "Enter PIN"
            let dots = String(repeating: "●", count: entry.count)
            let dw = text.width(dots.isEmpty ? " " : dots, size: dp(28))
            ops.append(.text(dots, x: (W - dw) / 2, baseline: H / 2 + dp(10), size: dp(28), color: .white, bold: false))
            children.append(
                UINode(
                    className: "android.widget.EditText", package: systemUI,
                    bounds: Rect(x0: dp(48), y0: H / 2 - dp(30), x1: W - dp(48), y1: H / 2 + dp(30)),
                    resourceId: "\(systemUI):id/pinEntry", contentDesc: "PIN area", focusable: true))
        } else {
            hint = "Swipe up to unlock"
        }
        let hw = text.width(hint, size: dp(16))
        ops.append(.text(hint, x: (W - hw) / 2, baseline: nav.y0 - dp(40), size: dp(16), color: .white, bold: false))
        children.append(
            UINode(
                className: "android.widget.TextView", package: systemUI,
                bounds: Rect(x0: (W - hw) / 2, y0: nav.y0 - dp(60), x1: (W + hw) / 2, y1: nav.y0 - dp(34)),
                text: hint, resourceId: "\(systemUI):id/keyguard_indication_text"))
        var root = UINode(
            className: "android.widget.FrameLayout", package: systemUI, bounds: screen,
            resourceId: "\(systemUI):id/notification_panel")
        root.children = children
        return Frame(root: root, ops: ops, statusBar: status, navBar: nav, content: screen)
    }
}
