import Foundation

/// One input event as the kernel reports it (for getevent).
public struct InputEvent: Sendable, Equatable {
    public var time: Double
    public var device: Int
    public var type: UInt16
    public var code: UInt16
    public var value: Int32
}

extension VirtualPhone {
    /// A live feed of the touchscreen's kernel events (what `getevent` reads).
    func subscribe() -> (UUID, AsyncStream<InputEvent>) {
        let (stream, continuation) = AsyncStream<InputEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        subscribers[id] = continuation
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        subscribers[id]?.finish()
        subscribers[id] = nil
    }

    static let touchDevice = 3
    static let keyDevice = 1
    var touchMax: (x: Int, y: Int) { (profile.touchMaxX ?? profile.width - 1, profile.touchMaxY ?? profile.height - 1) }

    func emit(_ events: [(UInt16, UInt16, Int32)], device: Int = VirtualPhone.touchDevice) {
        let t = uptime
        for (type, code, value) in events {
            let event = InputEvent(time: t, device: device, type: type, code: code, value: value)
            for c in subscribers.values { c.yield(event) }
        }
    }

    /// The panel's raw position of a frame pixel (the panel keeps its natural orientation).
    func raw(_ x: Int, _ y: Int) -> (Int32, Int32) {
        let m = touchMax
        let n = naturalPoint(frameX: x, frameY: y)
        return (Int32(n.x * (m.x + 1) / profile.width), Int32(n.y * (m.y + 1) / profile.height))
    }

    /// The frame pixel of a raw panel position: the inverse of `raw` (rounding up undoes its
    /// rounding down when the panel has at least one step per pixel), inside the screen.
    func screenPoint(rawX: Int32, rawY: Int32) -> (Int, Int) {
        let m = touchMax
        func map(_ r: Int32, _ size: Int, _ max: Int) -> Int {
            let steps = max + 1
            let p = (Int(r) * size + steps - 1) / steps
            return Swift.min(Swift.max(p, 0), size - 1)
        }
        let p = framePoint(naturalX: map(rawX, profile.width, m.x), naturalY: map(rawY, profile.height, m.y))
        return (p.x, p.y)
    }
}
