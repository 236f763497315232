import Foundation

extension VirtualPhone {
    /// Input from shell commands (`input`): injected, so getevent does not see it, as on a real phone.
    func injectTap(x: Int, y: Int) { gesture(fromX: x, fromY: y, toX: x, toY: y, duration: 0.05) }
    func injectSwipe(_ x1: Int, _ y1: Int, _ x2: Int, _ y2: Int, milliseconds: Int) {
        gesture(fromX: x1, fromY: y1, toX: x2, toY: y2, duration: Double(milliseconds) / 1000)
    }
    func injectMotion(_ action: String, x: Int, y: Int) {
        switch action {
        case "DOWN": beginTouch(x: x, y: y, time: uptime)
        case "MOVE": moveTouch(x: x, y: y)
        case "UP":
            moveTouch(x: x, y: y)
            endTouch(time: uptime)
        default: touch = nil
        }
    }
    func injectKey(_ code: Int, longPress: Bool) -> Bool {
        if longPress, code == 26 { shadeOpen = false }
        let handled = keyEvent(code)
        changed()
        return handled
    }
    func injectText(_ s: String) {
        if lockScreenTakesText(s) { changed(); return }
        type(s)
    }
}
