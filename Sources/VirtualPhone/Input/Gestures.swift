import Foundation

extension VirtualPhone {
    func beginTouch(x: Int, y: Int, time: Double) {
        touch = (x, y, x, y, time, 0)
    }

    func moveTouch(x: Int, y: Int) {
        guard var t = touch else { return }
        t.x = x
        t.y = y
        touch = t
    }

    func endTouch(time: Double) {
        guard let t = touch else { return }
        touch = nil
        gesture(fromX: t.startX, fromY: t.startY, toX: t.x, toY: t.y, duration: time - t.start)
    }

    /// Classifies a finished touch: tap, double tap, long press or swipe; then acts on it.
    func gesture(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int, duration: Double) {
        if lockScreenTakes(fromX: x1, fromY: y1, toX: x2, toY: y2) {
            changed()
            return
        }
        toast = nil
        clockTicks += 1
        let slop = Int(8 * scale)
        let dx = x2 - x1, dy = y2 - y1
        if abs(dx) <= slop, abs(dy) <= slop {
            if duration >= 0.5 {
                lastGesture = "longpress"
                longPress(x: x1, y: y1)
            } else {
                let t = uptime
                if let last = lastTap, t - last.time < 0.3, abs(last.x - x1) < slop * 4, abs(last.y - y1) < slop * 4 {
                    lastGesture = "doubletap"
                    lastTap = nil
                } else {
                    lastGesture = "tap"
                    lastTap = (x1, y1, t)
                }
                tap(x: x1, y: y1)
            }
        } else {
            lastGesture = "swipe"
            swipe(fromX: x1, fromY: y1, toX: x2, toY: y2)
        }
        changed()
    }
}
