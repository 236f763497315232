import Foundation

extension VirtualPhone {
    /// A person turns the phone (or `wm user-rotation lock N` ran).
    /// The frame is laid out again at the turned size; a finger down stays where it is on the
    /// panel, so its gesture is dropped.
    public func setRotation(_ quarterTurns: Int) {
        let turned = ((quarterTurns % 4) + 4) % 4
        guard turned != rotation else { return }
        rotation = turned
        touch = nil
        changed()
    }

    /// A finger goes down at (x, y): the touchscreen reports it (getevent sees it).
    public func touchDown(x: Int, y: Int) {
        nextTrackingId += 1
        let (rx, ry) = raw(x, y)
        emit([(3, 0x39, Int32(nextTrackingId)), (1, 0x14a, 1), (3, 0x35, rx), (3, 0x36, ry), (3, 0x3a, 0x40), (0, 0, 0)])
        beginTouch(x: x, y: y, time: uptime)
    }

    public func touchMove(x: Int, y: Int) {
        let (rx, ry) = raw(x, y)
        emit([(3, 0x35, rx), (3, 0x36, ry), (0, 0, 0)])
        moveTouch(x: x, y: y)
    }

    public func touchUp() {
        emit([(3, 0x39, -1), (1, 0x14a, 0), (0, 0, 0)])
        endTouch(time: uptime)
    }

    /// A person's tap: down, a short pause, up.
    public func humanTap(x: Int, y: Int) async {
        touchDown(x: x, y: y)
        try? await Task.sleep(for: .milliseconds(60))
        touchUp()
    }

    /// A person's swipe with a few intermediate points.
    public func humanSwipe(fromX x1: Int, fromY y1: Int, toX x2: Int, toY y2: Int, milliseconds: Int = 250) async {
        touchDown(x: x1, y: y1)
        let steps = 5
        for i in 1...steps {
            try? await Task.sleep(for: .milliseconds(max(milliseconds / steps, 1)))
            touchMove(x: x1 + (x2 - x1) * i / steps, y: y1 + (y2 - y1) * i / steps)
        }
        touchUp()
    }

    /// A person presses a key: the keys device reports power, volume, Back, Home and Recents
    /// (getevent sees them); other codes act as keys the framework injects.
    public func pressKey(_ code: Int) {
        if let linux = Self.linuxKeys[code] {
            emit([(1, linux, 1), (0, 0, 0)], device: Self.keyDevice)
            emit([(1, linux, 0), (0, 0, 0)], device: Self.keyDevice)
        }
        keyEvent(code)
    }

    /// Android key codes of the hardware keys, and their Linux codes.
    static let linuxKeys: [Int: UInt16] = [26: 116, 24: 115, 25: 114, 4: 158, 3: 172, 187: 0x244]
}
